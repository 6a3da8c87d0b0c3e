/**
 * @module Remedy tracking: a later substantiated potential violation of the same clause, by the same
 * party, with the same weapon class, in the same zone, after a remedy's deadline, reopens the case
 * that ordered the remedy (the system acts, on the case's current version).
 */
import type { CommissionCase } from '../../core/commission/commission-case.ts';
import { matchesRemedy } from '../../core/commission/matches-remedy.ts';
import { TrucelineError } from '../../core/errors.ts';
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
      // A case action recorded between the read and the reopening (a publish, say) makes the reopening
      // stale: the case is read again and, if it still matches, reopened at its new version. Left
      // stale, the approval that triggered it was committed and the case never reopened.
      let current: CommissionCase | undefined = state;
      for (let attempt = 0; current !== undefined && matchesRemedy(current, later); attempt++) {
        try {
          await recordCaseAction(
            deps,
            current,
            {
              type: 'reopen',
              violation: later,
              reason: `potential violation ${violationId} breaches a remedy of this case`,
              at: deps.clock.now(),
              by: SYSTEM_ACTOR,
            },
            current.version,
          );
          reopened.push(current.id);
          break;
        } catch (error) {
          if (!(error instanceof TrucelineError && error.code === 'E_STALE_VERSION') || attempt >= 4)
            throw error;
          current = (await deps.store.cases.find(current.id))?.state;
        }
      }
    }
    if (page.length < 200) break;
    after = page.at(-1)?.seq ?? after;
  }
  return reopened;
}
