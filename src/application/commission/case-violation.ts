/** @module A potential violation as a case holds it: its clause, party, weapon class, zone, time and verified outcome. */
import type { CaseViolation } from '../../core/commission/commission-case.ts';
import { notFound } from '../../core/errors.ts';
import type { AppDeps } from '../app-deps.ts';
import { itemIdOf } from '../verification/act-on-verification.ts';

/** The violation's latest revision with the outcome its verification reached (`unable-to-determine` until then). */
export async function caseViolationOf(deps: Pick<AppDeps, 'store'>, id: string): Promise<CaseViolation> {
  const revisions = await deps.store.fusion.violationRevisions(id);
  const latest = revisions.at(-1)?.violation;
  if (latest === undefined) throw notFound('potential violation', id);
  const item = await deps.store.verification.find(itemIdOf('potential-violation', id));
  const state = item?.state.state;
  const outcome =
    state === 'substantiated' || state === 'not-substantiated' || state === 'unable-to-determine'
      ? state
      : 'unable-to-determine';
  return {
    id,
    clause: latest.clause,
    party: latest.party,
    weaponClass: latest.weaponClass,
    zoneId: latest.zoneId,
    // Fused times are estimates with fractions of a millisecond; a case counts whole milliseconds.
    timeMs: Math.round(latest.timeMs),
    outcome,
  };
}
