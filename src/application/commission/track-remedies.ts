/**
 * @module Remedy tracking: a later substantiated potential violation of the same clause, by the same
 * party, with the same weapon class, in the same zone, after a remedy's deadline, reopens the case
 * that ordered the remedy (the system acts, on the case's current version).
 */
import { matchesRemedy } from '../../core/commission/matches-remedy.ts';
import { SYSTEM_ACTOR } from '../../core/verification/actor.ts';
import type { AppDeps } from '../app-deps.ts';
import { caseViolationOf } from './case-violation.ts';
import { recordCaseAction } from './act-on-case.ts';

/** Reopens every ruled case whose remedy the violation breaches; returns their ids. */
export async function trackRemedies(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ledgerKey' | 'notifier'>,
  violationId: string,
): Promise<string[]> {
  const later = await caseViolationOf(deps, violationId);
  const reopened: string[] = [];
  for (let after = 0; ;) {
    const page = await deps.store.cases.list({
      states: ['ruled', 'published', 'closed'],
      afterSeq: after,
      limit: 200,
    });
    for (const { state } of page) {
      if (!matchesRemedy(state, later)) continue;
      await recordCaseAction(
        deps,
        state,
        {
          type: 'reopen',
          violation: later,
          reason: `potential violation ${violationId} breaches a remedy of this case`,
          at: deps.clock.now(),
          by: SYSTEM_ACTOR,
        },
        state.version,
      );
      reopened.push(state.id);
    }
    if (page.length < 200) break;
    after = page.at(-1)?.seq ?? after;
  }
  return reopened;
}
