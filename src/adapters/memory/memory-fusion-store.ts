/**
 * @module Fusion's output in memory, with the semantics of the SQL stores (the contract suite checks
 * it): every revision kept as JSON text, heads, the one commit sequence shared with observations, and
 * the cursor that never moves back.
 * Values are kept as JSON text and come back deep-equal to what was committed, except that -0 comes
 * back as 0 (as everywhere in the stores) and members set to `undefined` are left out, as JSON does.
 */
import { answerLeaseClaim, leaseLostError } from '../../core/fusion/lease.ts';
import { withSetAside } from '../../core/fusion/set-aside.ts';
import type { FusedEvent } from '../../core/fusion/event.ts';
import type {
  EventQuery,
  FusionChange,
  FusionCommit,
  FusionLeaseAnswer,
  FusionStore,
  SetAsideSummary,
  StoredEvent,
  StoredViolation,
  ViolationQuery,
} from '../../core/ports/fusion-store.ts';
import type { PotentialViolation } from '../../core/rules/potential-violation.ts';
import { checkedPage, checkedQuery, checkedThrough } from '../common/checked-query.ts';
import { compareCodePoints } from '../common/compare-code-points.ts';
import { checkCommit, checkRevisions, eventRow, violationRow, type Pending } from '../common/fusion-rows.ts';
import { markingOf } from '../common/marking-columns.ts';
import type { MemoryLedgerWriter } from './memory-ledger.ts';
import type { MemoryFusionRow, MemorySchema } from './memory-schema.ts';

/** An id's revisions (oldest first) up to `throughSeq`, all when it is not given. */
function upTo(revisions: readonly MemoryFusionRow[] | undefined, throughSeq: number | undefined) {
  const through = checkedThrough(throughSeq);
  return (revisions ?? []).filter((row) => through === undefined || row.seq <= through);
}

/** Index of the first row with a seq above `afterSeq` (the array is in seq order). */
function firstAfter(rows: readonly MemoryFusionRow[], afterSeq: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((rows[mid]?.seq ?? 0) <= afterSeq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const toEvent = (row: MemoryFusionRow): StoredEvent => ({
  seq: row.seq,
  committedAtMs: row.committedAtMs,
  event: JSON.parse(row.value) as FusedEvent,
  marking: markingOf(row.tlp, row.releasableTo),
});

const toViolation = (row: MemoryFusionRow): StoredViolation => ({
  seq: row.seq,
  committedAtMs: row.committedAtMs,
  violation: JSON.parse(row.value) as PotentialViolation,
  marking: markingOf(row.tlp, row.releasableTo),
});

export class MemoryFusionStore implements FusionStore {
  readonly #tables: MemorySchema;
  readonly #ledger: MemoryLedgerWriter;

  /** @param ledger appends the revisions to the ledger, events first, then violations */
  constructor(tables: MemorySchema, ledger: MemoryLedgerWriter) {
    this.#tables = tables;
    this.#ledger = ledger;
  }

  commit(input: FusionCommit): Promise<number | null> {
    return Promise.resolve().then(() => this.#commit(input));
  }

  claimLease(...args: Parameters<FusionStore['claimLease']>): Promise<FusionLeaseAnswer> {
    return Promise.resolve().then(() => {
      const answer = answerLeaseClaim(this.#tables.state.fusionLease, ...args);
      if (answer.granted) this.#tables.state.fusionLease = answer.lease;
      return answer;
    });
  }

  releaseLease(holder: string): Promise<void> {
    if (this.#tables.state.fusionLease?.holder === holder) delete this.#tables.state.fusionLease;
    return Promise.resolve();
  }

  /** Synchronous, so no ingest commit runs between reading and writing the counter. */
  #commit(input: FusionCommit): number | null {
    checkCommit(input);
    const t = this.#tables;
    if (input.leaseHolder !== undefined && t.state.fusionLease?.holder !== input.leaseHolder)
      throw leaseLostError(t.state.fusionLease);
    const events = input.events.map(eventRow);
    const violations = input.violations.map(violationRow);
    const latest = (byId: Map<string, MemoryFusionRow[]>) => (id: string) =>
      byId.get(id)?.at(-1)?.revision ?? 0;
    checkRevisions('event', events, latest(t.eventsById));
    checkRevisions('potential violation', violations, latest(t.violationsById));
    let seq = t.state.lastSeq;
    const ledgered: { event: number[]; violation: number[] } = { event: [], violation: [] };
    const append = (
      rows: readonly Pending[],
      all: MemoryFusionRow[],
      byId: Map<string, MemoryFusionRow[]>,
    ) => {
      for (const pending of rows) {
        seq += 1;
        const row: MemoryFusionRow = Object.freeze({ ...pending, seq, committedAtMs: input.committedAtMs });
        all.push(row);
        const revisions = byId.get(row.id);
        if (revisions === undefined) byId.set(row.id, [row]);
        else revisions.push(row);
      }
    };
    append(events, t.eventRevisions, t.eventsById);
    for (let s = t.state.lastSeq + 1; s <= seq; s += 1) ledgered.event.push(s);
    const afterEvents = seq;
    append(violations, t.violationRevisions, t.violationsById);
    for (let s = afterEvents + 1; s <= seq; s += 1) ledgered.violation.push(s);
    this.#ledger.append([
      ...this.#ledger.itemsOf('event-revision', ledgered.event),
      ...this.#ledger.itemsOf('violation-revision', ledgered.violation),
    ]);
    for (const a of input.setAside ?? []) if (!t.setAside.has(a.seq)) t.setAside.set(a.seq, { ...a });
    const written = seq === t.state.lastSeq ? null : seq;
    t.state.lastSeq = seq;
    t.state.fusionCursor = Math.max(t.state.fusionCursor, input.cursorSeq);
    return written;
  }

  cursor(): Promise<number> {
    return Promise.resolve(this.#tables.state.fusionCursor);
  }

  setAside(sourceIds?: readonly string[]): Promise<readonly SetAsideSummary[]> {
    const only = sourceIds === undefined ? undefined : new Set(sourceIds);
    const summaries = new Map<string, SetAsideSummary>();
    for (const a of this.#tables.setAside.values()) {
      if (only !== undefined && !only.has(a.sourceId)) continue;
      const key = JSON.stringify([a.sourceId, a.reason]);
      summaries.set(key, withSetAside(summaries.get(key), a));
    }
    return Promise.resolve(
      [...summaries.values()].sort((a, b) =>
        a.sourceId === b.sourceId
          ? compareCodePoints(a.reason, b.reason)
          : compareCodePoints(a.sourceId, b.sourceId),
      ),
    );
  }

  listEvents(query: EventQuery): Promise<readonly StoredEvent[]> {
    return Promise.resolve().then(() => this.#heads(this.#tables.eventsById, query).map(toEvent));
  }

  eventRevisions(id: string, throughSeq?: number): Promise<readonly StoredEvent[]> {
    return Promise.resolve().then(() => upTo(this.#tables.eventsById.get(id), throughSeq).map(toEvent));
  }

  listViolations(query: ViolationQuery): Promise<readonly StoredViolation[]> {
    return Promise.resolve().then(() => this.#heads(this.#tables.violationsById, query).map(toViolation));
  }

  violationRevisions(id: string, throughSeq?: number): Promise<readonly StoredViolation[]> {
    return Promise.resolve().then(() =>
      upTo(this.#tables.violationsById.get(id), throughSeq).map(toViolation),
    );
  }

  changesAfter(afterSeq: number, limit: number): Promise<readonly FusionChange[]> {
    return Promise.resolve().then(() => {
      const page = checkedPage(afterSeq, limit);
      const events = this.#tables.eventRevisions;
      const violations = this.#tables.violationRevisions;
      let i = firstAfter(events, page.after);
      let j = firstAfter(violations, page.after);
      const changes: FusionChange[] = [];
      while (changes.length < page.limit) {
        const e = events[i];
        const v = violations[j];
        if (e !== undefined && (v === undefined || e.seq < v.seq)) {
          changes.push({ type: 'event', seq: e.seq, stored: toEvent(e) });
          i += 1;
        } else if (v !== undefined) {
          changes.push({ type: 'violation', seq: v.seq, stored: toViolation(v) });
          j += 1;
        } else break;
      }
      return changes;
    });
  }

  /** The heads matching `input`, in seq order. */
  #heads(byId: ReadonlyMap<string, readonly MemoryFusionRow[]>, input: ViolationQuery): MemoryFusionRow[] {
    const checked = checkedQuery(input);
    const { bbox: box, fromMs, toMs } = input;
    const afterSeq = checked.afterSeq;
    const types = input.types && new Set<string>(input.types);
    const parties = input.parties && new Set(input.parties);
    const clauses = input.clauses && new Set(input.clauses);
    const statuses = input.statuses && new Set<string>(input.statuses);
    const found: MemoryFusionRow[] = [];
    for (const revisions of byId.values()) {
      const row = revisions.at(-1);
      if (row === undefined) continue;
      if (afterSeq !== undefined && row.seq <= afterSeq) continue;
      if (checked.throughSeq !== undefined && row.seq > checked.throughSeq) continue;
      if (box !== undefined) {
        if (row.lat === null || row.lon === null) continue;
        if (row.lat < box.south || row.lat > box.north || row.lon < box.west || row.lon > box.east) continue;
      }
      if (fromMs !== undefined && row.timeMs < fromMs) continue;
      if (toMs !== undefined && row.timeMs >= toMs) continue;
      if (types !== undefined && !types.has(row.type)) continue;
      if (parties !== undefined && (row.party === null || !parties.has(row.party))) continue;
      if (clauses !== undefined && (row.clause === null || !clauses.has(row.clause))) continue;
      if (statuses !== undefined && !statuses.has(row.status)) continue;
      found.push(row);
    }
    return found.sort((a, b) => a.seq - b.seq).slice(0, checked.limit);
  }
}
