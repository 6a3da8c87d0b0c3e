/**
 * @module Use case: run fusion, attribution and the rules over the stored observations and keep
 * what they find. It reads observations after the store's fusion cursor in commit order, feeds the
 * engine, attributes and checks each new or changed event against the terms in force at its time, and
 * commits the new revisions with the new cursor in one transaction. Nothing depends on memory
 * surviving: after a restart it re-reads from the cursor, and events that come out unchanged, or as an
 * earlier state than the one stored, are not stored again. A new revision of an event revises its
 * potential violations, and withdraws those it no longer makes.
 */
import { termsInForce } from '../core/agreement/terms-in-force.ts';
import type { Agreement } from '../core/agreement/schema.ts';
import type { Terms } from '../core/agreement/terms.ts';
import type { Attribution } from '../core/attribution/attribution.ts';
import type { Drained, EventDraft, FusionEngine } from '../core/fusion/engine.ts';
import type { FusedEvent } from '../core/fusion/event.ts';
import { fusionInputOf } from '../core/fusion/inputs.ts';
import type { PotentialViolation } from '../core/rules/potential-violation.ts';
import type { FusionLease } from '../core/ports/fusion-store.ts';
import type { AppDeps } from './app-deps.ts';
import type { FusionLeaseKeeper } from './fusion-lease.ts';
import { getAgreement } from './get-agreement.ts';
import { SetAsideNotices } from './set-aside-notices.ts';
import { toSetAsideWire } from '../shared/wire.ts';

/** The pure parts, as the composition root picks them. */
export interface FusionLogic {
  /** A fresh engine; `provisional` as in the engine's options (a live server shows events early). */
  readonly newEngine: (options?: { readonly provisional?: boolean }) => FusionEngine;
  /** The attribution of an event under the terms in force at its time (undefined: no terms then). */
  readonly attribute: (event: FusedEvent, terms: Terms | undefined) => Attribution;
  /** The potential violations an event makes under the agreement (the rules pick the version in force). */
  readonly check: (event: FusedEvent, attribution: Attribution, agreement: Agreement) => PotentialViolation[];
}

export interface FusionStepReport {
  readonly observations: number;
  readonly events: number;
  readonly violations: number;
  readonly cursor: number;
  /** Set when another process holds fusion's lease: this run did nothing, and that one fuses. */
  readonly heldBy?: FusionLease;
}

type PipelineDeps = Pick<AppDeps, 'store' | 'clock' | 'notifier'>;

/**
 * How many recent heads of each kind are kept in memory. Events are revised only within the lateness
 * allowance and the longest travel time (~400 s of observation time: ~100 events on a worst day), so
 * recent ones suffice; an older one is looked up in the store. Bounded well below a day's events, so
 * the heap of a server that runs for weeks is the same after its first day as after its tenth.
 */
const HEADS_KEPT = 2_000;

/** Sets `key` as the newest entry, dropping the oldest past HEADS_KEPT. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > HEADS_KEPT) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
}

/** Content without the revision number: what decides whether a revision is new. */
const withoutRevision = (value: { readonly revision: number }): string =>
  JSON.stringify({ ...value, revision: 0 });

export class FusionPipeline {
  readonly #deps: PipelineDeps;
  readonly #logic: FusionLogic;
  readonly #agreementId: string;
  readonly #pageSize: number;
  readonly #provisional: boolean;
  #engine: FusionEngine;
  /**
   * The highest observation sequence stored when the current engine was made: only events first shown
   * under an arrival up to it can have been shown by an engine before (see `Drained.retiredIds`).
   */
  #seenBefore = 0;
  /** The highest observation sequence given to the engine; undefined until read from the store. */
  #readThrough: number | undefined;
  /** Latest stored revision of recently seen events and violations: number and content. */
  readonly #eventHeads = new Map<string, { revision: number; content: string }>();
  readonly #violationHeads = new Map<string, { revision: number; content: string }>();
  /** When to tell the stream which sensors' reports are set aside. */
  readonly #setAsideNotices = new SetAsideNotices();
  #running: Promise<FusionStepReport> | undefined;
  /** The run queued behind the current one, shared by every call made meanwhile. */
  #next: Promise<FusionStepReport> | undefined;
  #nextFinal = false;
  readonly #lease: FusionLeaseKeeper | undefined;

  constructor(
    deps: PipelineDeps,
    logic: FusionLogic,
    options: {
      readonly agreementId: string;
      readonly pageSize?: number;
      /** Show acoustic events before their groups are final (a live server; see the engine). */
      readonly provisional?: boolean;
      /**
       * Fusion's lease, held before each run: without it a run does nothing (another process fuses),
       * and the store refuses this pipeline's commits.
       */
      readonly lease?: FusionLeaseKeeper;
    },
  ) {
    this.#deps = deps;
    this.#logic = logic;
    this.#agreementId = options.agreementId;
    this.#pageSize = options.pageSize ?? 5_000;
    this.#provisional = options.provisional ?? false;
    this.#lease = options.lease;
    this.#engine = this.#newEngine();
  }

  #newEngine(): FusionEngine {
    return this.#logic.newEngine({ provisional: this.#provisional });
  }

  /**
   * Processes everything stored so far. With `final`, every waiting observation is grouped (the end
   * of a file); otherwise observations that later ones may still join wait. Calls made while one runs
   * share the next run.
   */
  run(final = false): Promise<FusionStepReport> {
    if (this.#running !== undefined) {
      // Calls made while one runs share the next run.
      if (this.#next === undefined || (final && !this.#nextFinal)) {
        this.#nextFinal ||= final;
        // Also after a failed run: a run left queued for good would keep `pending` true, and a
        // server would stop starting fusion after commits.
        const next = (): Promise<FusionStepReport> => {
          const wantFinal = this.#nextFinal;
          this.#next = undefined;
          this.#nextFinal = false;
          return this.run(wantFinal);
        };
        this.#next = this.#running.then(next, next);
      }
      return this.#next;
    }
    const running = this.#step(final).finally(() => {
      this.#running = undefined;
    });
    this.#running = running;
    return running;
  }

  async #step(final: boolean): Promise<FusionStepReport> {
    try {
      return await this.#catchUp(final);
    } catch (error) {
      this.#startAgain();
      // A commit refused for the lease: ask the store who holds it before the next run.
      if ((error as { code?: unknown }).code === 'E_FUSION_LEASE') this.#lease?.forget();
      throw error;
    }
  }

  /**
   * Drops what the engine holds: the next run starts from the store's cursor — what the engine drained
   * but could not commit would be lost otherwise — and from the store's heads: a commit refused because
   * another writer revised an event first (E_CONFLICT) would otherwise be numbered from the same stale
   * head on every retry, for good.
   */
  #startAgain(): void {
    this.#readThrough = undefined;
    this.#eventHeads.clear();
    this.#violationHeads.clear();
  }

  async #catchUp(final: boolean): Promise<FusionStepReport> {
    const { store } = this.#deps;
    const hold = await this.#lease?.hold();
    let cursor = await store.fusion.cursor();
    if (hold?.held === false) {
      // Another process fuses, and moves the cursor: whenever this one takes over, it starts from there.
      this.#startAgain();
      return { observations: 0, events: 0, violations: 0, cursor, heldBy: hold.lease };
    }
    if (this.#readThrough === undefined) {
      this.#readThrough = cursor;
      this.#engine = this.#newEngine();
      // An engine that ran before this one read at most what is stored now.
      if (this.#provisional) this.#seenBefore = await store.observations.latestSeq();
    }
    const { agreement } = await getAgreement(this.#deps, this.#agreementId);
    let observations = 0;
    let events = 0;
    let violations = 0;
    const drained = { final: false };
    const commit = async (drainFinal: boolean): Promise<void> => {
      const committed = await this.#commit(
        agreement,
        this.#engine.drain(drainFinal),
        cursor,
        this.#readThrough ?? 0,
      );
      drained.final ||= drainFinal;
      events += committed.events;
      violations += committed.violations;
      cursor = committed.cursor;
    };
    for (;;) {
      // A catch-up over many pages outlasts a claim: renewed as it goes (a store write when due only).
      const still = await this.#lease?.hold();
      if (still?.held === false) {
        this.#startAgain();
        return { observations, events, violations, cursor, heldBy: still.lease };
      }
      const page = await store.observations.listAfter(this.#readThrough, this.#pageSize);
      const last = page.at(-1);
      if (last === undefined) break;
      this.#engine.add(page.map(fusionInputOf));
      this.#readThrough = last.seq;
      observations += page.length;
      const done = page.length < this.#pageSize;
      await commit(final && done);
      if (done) break;
    }
    // The end of the input: group whatever still waits (also when the last page was exactly full).
    if (final && !drained.final) await commit(true);
    return { observations, events, violations, cursor };
  }

  async #commit(
    agreement: Agreement,
    drained: Drained,
    storedCursor: number,
    readThrough: number,
  ): Promise<{ events: number; violations: number; cursor: number }> {
    const { store, clock, notifier } = this.#deps;
    const newEvents: FusedEvent[] = [];
    const newViolations: PotentialViolation[] = [];
    const drafts = drained.events.map((draft) => ({
      draft,
      provisional: drained.provisional.has(draft),
    }));
    // Events shown provisionally that no longer stand: a withdrawing revision of each that stands.
    // Retired arrivals only matter for what an engine before this one may have shown.
    const drafted = new Set(drained.events.map((d) => d.id));
    const gone = [
      ...drained.withdrawnIds,
      ...drained.retiredIds.filter((r) => r.seq <= this.#seenBefore).map((r) => r.id),
    ];
    for (const id of gone) {
      if (drafted.has(id)) continue;
      const standing = await this.#standingEvent(id);
      if (standing !== undefined)
        drafts.push({ draft: { ...standing, status: 'withdrawn' }, provisional: false });
    }
    for (const { draft, provisional } of drafts) {
      const revised = await this.#revise(draft, provisional, readThrough);
      if (revised === undefined) continue;
      const { event, previous } = revised;
      newEvents.push(event);
      const standing = new Set<string>();
      for (const found of this.#violationsOf(event, agreement)) {
        standing.add(found.id);
        const violation = await this.#reviseViolation(found);
        if (violation !== undefined) newViolations.push(violation);
      }
      // A potential violation the earlier revision made and this one does not is withdrawn.
      if (previous !== undefined)
        for (const made of this.#violationsOf(previous, agreement)) {
          if (standing.has(made.id)) continue;
          const withdrawn = await this.#withdrawViolation(made.id);
          if (withdrawn !== undefined) newViolations.push(withdrawn);
        }
    }
    // The cursor never moves back (a fresh engine with nothing new would say 0).
    const cursor = Math.max(drained.finalizedThroughSeq, storedCursor);
    const lastSeq = await store.fusion.commit({
      events: newEvents,
      violations: newViolations,
      setAside: drained.setAside,
      cursorSeq: cursor,
      committedAtMs: clock.now(),
      ...(this.#lease === undefined ? {} : { leaseHolder: this.#lease.holder }),
    });
    for (const e of newEvents)
      remember(this.#eventHeads, e.id, { revision: e.revision, content: withoutRevision(e) });
    for (const v of newViolations)
      remember(this.#violationHeads, v.id, { revision: v.revision, content: withoutRevision(v) });
    if (lastSeq !== null) notifier.committed(lastSeq);
    for (const notice of this.#setAsideNotices.take(drained.setAside, clock.now())) {
      const source = await store.sources.find(notice.sourceId);
      notifier.notice({
        event: 'sensor',
        data: JSON.stringify({ sourceId: notice.sourceId, setAside: toSetAsideWire(notice) }),
        recipients: [],
        ...(source === undefined ? {} : { marking: source.marking }),
      });
    }
    return { events: newEvents.length, violations: newViolations.length, cursor };
  }

  /** The potential violations an event makes under the terms in force at its time. */
  #violationsOf(event: FusedEvent, agreement: Agreement): PotentialViolation[] {
    const attribution = this.#logic.attribute(event, termsInForce(agreement, event.timeMs));
    return this.#logic.check(event, attribution, agreement);
  }

  /**
   * The draft as the next revision of its event, with the revision it follows (if any); undefined when
   * the stored one says the same.
   */
  async #revise(
    draft: EventDraft,
    provisional: boolean,
    readThrough: number,
  ): Promise<{ event: FusedEvent; previous?: FusedEvent } | undefined> {
    const head = await this.#eventHead(draft.id);
    const event: FusedEvent = { ...draft, revision: (head?.revision ?? 0) + 1 };
    if (head === undefined) return { event };
    if (head.content === withoutRevision(event)) return undefined;
    const previous = { ...(JSON.parse(head.content) as FusedEvent), revision: head.revision };
    // A provisional state made before the engine has read what the stored one was made from — states
    // read again after a restart — changes nothing; nor does a radar track's own event over its merge
    // with the arrays (the engine sends the track again, merged or alone, once that is decided). A
    // live engine's provisional states stand, also with fewer observations than the one stored, and a
    // final grouping always does.
    if (
      provisional &&
      ((draft.asOfSeq < previous.asOfSeq && readThrough < previous.asOfSeq) ||
        (draft.method === 'radar' && previous.method === 'acoustic-tdoa+radar'))
    )
      return undefined;
    return { event, previous };
  }

  /** The latest stored revision of an event: number and content without it. */
  async #eventHead(id: string): Promise<{ revision: number; content: string } | undefined> {
    const known = this.#eventHeads.get(id);
    if (known !== undefined) return known;
    const stored = (await this.#deps.store.fusion.eventRevisions(id)).at(-1);
    return stored === undefined
      ? undefined
      : { revision: stored.event.revision, content: withoutRevision(stored.event) };
  }

  /** The event `id` as it stands (its latest revision, without the number), unless withdrawn or unknown. */
  async #standingEvent(id: string): Promise<EventDraft | undefined> {
    const head = await this.#eventHead(id);
    if (head === undefined) return undefined;
    const { revision: _revision, ...event } = JSON.parse(head.content) as FusedEvent;
    return event.status === 'withdrawn' ? undefined : event;
  }

  /** A withdrawing revision of the potential violation `id`, or undefined when it stands withdrawn or never was. */
  async #withdrawViolation(id: string): Promise<PotentialViolation | undefined> {
    let head: PotentialViolation | undefined;
    const cached = this.#violationHeads.get(id);
    if (cached !== undefined)
      head = { ...(JSON.parse(cached.content) as PotentialViolation), revision: cached.revision };
    else head = (await this.#deps.store.fusion.violationRevisions(id)).at(-1)?.violation;
    if (head === undefined || head.status === 'withdrawn') return undefined;
    return {
      ...head,
      revision: head.revision + 1,
      status: 'withdrawn',
      withdrawnReason: 'a later revision of its event no longer breaches the clause',
    };
  }

  async #reviseViolation(found: PotentialViolation): Promise<PotentialViolation | undefined> {
    let head = this.#violationHeads.get(found.id);
    if (head === undefined) {
      const stored = (await this.#deps.store.fusion.violationRevisions(found.id)).at(-1);
      if (stored !== undefined)
        head = { revision: stored.violation.revision, content: withoutRevision(stored.violation) };
    }
    const violation: PotentialViolation = { ...found, revision: (head?.revision ?? 0) + 1 };
    if (head !== undefined && head.content === withoutRevision(violation)) return undefined;
    return violation;
  }

  /** Whether a run is queued behind the current one. */
  get pending(): boolean {
    return this.#next !== undefined;
  }
}
