/**
 * @module Use case: fuse again what rested on distrusted observations. When a source's key is revoked
 * as compromised, the submissions it signed after the compromise are flagged; the events built on
 * their observations are fused again from every other observation of the time around them. An event
 * that comes out differently gets a new revision; one that no longer comes out is withdrawn; the
 * potential violations follow their events (new revisions, or withdrawn). Every earlier revision is
 * kept. The fusion cursor does not move.
 */
import { termsInForce } from '../core/agreement/terms-in-force.ts';
import type { FusedEvent } from '../core/fusion/event.ts';
import { fusionInputOf } from '../core/fusion/inputs.ts';
import type { StoredObservation } from '../core/ports/observation-store.ts';
import type { PotentialViolation } from '../core/rules/potential-violation.ts';
import type { AppDeps } from './app-deps.ts';
import type { FusionLogic } from './fusion-pipeline.ts';
import { getAgreement } from './get-agreement.ts';

/**
 * How far around the distrusted observations fusion looks again: longer than any grouping window of
 * the engine, so every observation that could share an event with them is read.
 */
export const REFUSION_MARGIN_MS = 30 * 60_000;

/** What re-fusion changed. */
export interface RefusionReport {
  /** Events revised (new content) and withdrawn. */
  readonly revised: number;
  readonly withdrawn: number;
  /** Events that appeared (a new first observation) from what remained. */
  readonly added: number;
  /** Potential violations revised or withdrawn, and new ones. */
  readonly violations: number;
}

const withoutRevision = (value: { readonly revision: number }): string =>
  JSON.stringify({ ...value, revision: 0 });

export async function refuseFlagged(
  deps: Pick<AppDeps, 'store' | 'clock' | 'notifier'>,
  logic: FusionLogic,
  agreementId: string,
  flaggedSeqs: readonly number[],
): Promise<RefusionReport> {
  const none: RefusionReport = { revised: 0, withdrawn: 0, added: 0, violations: 0 };
  if (flaggedSeqs.length === 0) return none;
  const { store } = deps;
  const flagged = new Set(flaggedSeqs);
  const flaggedRows = (await Promise.all(flaggedSeqs.map((seq) => store.observations.findBySeq(seq)))).filter(
    (row): row is StoredObservation => row !== undefined,
  );
  if (flaggedRows.length === 0) return none;
  const times = flaggedRows.map((row) => row.observedAtMs);
  const fromMs = Math.min(...times) - REFUSION_MARGIN_MS;
  const toMs = Math.max(...times) + REFUSION_MARGIN_MS;

  // The events (latest revisions) that used a distrusted observation.
  const tainted: FusedEvent[] = [];
  for (let afterSeq: number | undefined; ;) {
    const page = await store.fusion.listEvents({
      fromMs,
      toMs,
      limit: 5_000,
      ...(afterSeq === undefined ? {} : { afterSeq }),
    });
    for (const stored of page)
      if (stored.event.status === 'active' && stored.event.provenance.some((c) => flagged.has(c.seq)))
        tainted.push(stored.event);
    if (page.length < 5_000) break;
    afterSeq = page.at(-1)?.seq;
  }
  if (tainted.length === 0) return none;
  const taintedSupport = new Set(
    tainted.flatMap((e) => e.provenance.map((c) => c.seq)).filter((s) => !flagged.has(s)),
  );

  // Fuse the window again from everything but the distrusted observations, in commit order.
  const rows: StoredObservation[] = [];
  for (let afterSeq: number | undefined; ;) {
    const page = await store.observations.query({
      fromMs,
      toMs,
      limit: 10_000,
      ...(afterSeq === undefined ? {} : { afterSeq }),
    });
    rows.push(...page.filter((row) => !flagged.has(row.seq)));
    if (page.length < 10_000) break;
    afterSeq = page.at(-1)?.seq;
  }
  const engine = logic.newEngine();
  engine.add(rows.map(fusionInputOf));
  const drafts = engine
    .drain(true)
    .events.filter((draft) => draft.provenance.some((c) => taintedSupport.has(c.seq)));

  const { agreement } = await getAgreement(deps, agreementId);
  const now = deps.clock.now();
  const events: FusedEvent[] = [];
  const violations: PotentialViolation[] = [];
  let revised = 0;
  let added = 0;
  let withdrawn = 0;
  const latestEvent = async (id: string) => (await store.fusion.eventRevisions(id)).at(-1)?.event;
  const latestViolation = async (id: string) => (await store.fusion.violationRevisions(id)).at(-1)?.violation;

  const found = new Set<string>();
  for (const draft of drafts) {
    const head = await latestEvent(draft.id);
    const event: FusedEvent = { ...draft, revision: (head?.revision ?? 0) + 1 };
    found.add(event.id);
    if (head !== undefined && withoutRevision(head) === withoutRevision(event)) continue;
    events.push(event);
    if (head === undefined) added += 1;
    else revised += 1;
  }
  for (const event of tainted)
    if (!found.has(event.id)) {
      events.push({ ...event, revision: event.revision + 1, status: 'withdrawn' });
      withdrawn += 1;
    }

  // The potential violations of every event touched: those found again are revised, the rest withdrawn.
  const reason = 'its event was fused again without observations signed with a compromised key';
  for (const event of events) {
    const standing = new Set<string>();
    if (event.status === 'active') {
      const attribution = logic.attribute(event, termsInForce(agreement, event.timeMs));
      for (const violation of logic.check(event, attribution, agreement)) {
        standing.add(violation.id);
        const head = await latestViolation(violation.id);
        const next = { ...violation, revision: (head?.revision ?? 0) + 1 };
        if (head === undefined || withoutRevision(head) !== withoutRevision(next)) violations.push(next);
      }
    }
    const earlier = await store.fusion.listViolations({
      fromMs: event.timeMs,
      toMs: event.timeMs + 1,
      limit: 1_000,
    });
    for (const { violation } of earlier)
      if (violation.eventId === event.id && !standing.has(violation.id) && violation.status !== 'withdrawn')
        violations.push({
          ...violation,
          revision: violation.revision + 1,
          status: 'withdrawn',
          withdrawnReason: reason,
        });
  }

  if (events.length === 0 && violations.length === 0) return none;
  const lastSeq = await store.fusion.commit({
    events,
    violations,
    cursorSeq: await store.fusion.cursor(),
    committedAtMs: now,
  });
  if (lastSeq !== null) deps.notifier.committed(lastSeq);
  return { revised, withdrawn, added, violations: violations.length };
}
