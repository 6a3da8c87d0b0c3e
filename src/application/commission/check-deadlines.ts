/**
 * @module The deadline watch: every case's deadlines that have passed unmet (a reply window, a remedy,
 * an escalation step) are announced once each as a `deadline` message on the stream, and where a
 * passed deadline lets the escalation ladder advance, the system advances it (a recorded, ledgered
 * case action). The server runs it at an interval; tests call it with their clock.
 */
import type { CommissionCase } from '../../core/commission/commission-case.ts';
import { deadlinesDue, type DueDeadline } from '../../core/commission/deadlines-due.ts';
import { formatInZone } from '../../core/commission/format-in-zone.ts';
import { TrucelineError } from '../../core/errors.ts';
import { SYSTEM_ACTOR } from '../../core/verification/actor.ts';
import type { AppDeps } from '../app-deps.ts';
import { caseNoticeRecipients, recordCaseAction } from './act-on-case.ts';

/** A deadline message: the case, the deadline and its time in UTC and in the agreement's zone. */
export interface DeadlineNotice extends DueDeadline {
  readonly caseId: string;
  readonly deadline: string;
  readonly deadlineLocal: string;
  readonly accused: readonly string[];
}

/** Sends the `deadline` message of `due` to whoever may read the case, and adds it to `notices`. */
function announce(
  deps: Pick<AppDeps, 'notifier'>,
  state: CommissionCase,
  due: DueDeadline,
  notices: DeadlineNotice[],
): void {
  const notice: DeadlineNotice = {
    ...due,
    caseId: state.id,
    deadline: new Date(due.deadlineMs).toISOString(),
    deadlineLocal: formatInZone(due.deadlineMs, state.timeZone),
    accused: state.accused,
  };
  notices.push(notice);
  deps.notifier.notice({
    event: 'deadline',
    data: JSON.stringify(notice),
    recipients: caseNoticeRecipients(state),
  });
}

/**
 * Checks every open case; returns the notices raised now. Each deadline is announced at most once: the
 * store keeps which were, across restarts (a notice claimed just before a crash is not sent again).
 * Notices are live and in-process: with several servers on one database, the one that claims a
 * deadline sends it to its own clients. `raised` spares the store the question for deadlines this
 * process has seen already.
 */
export async function checkDeadlines(
  deps: Pick<AppDeps, 'store' | 'clock' | 'notifier' | 'ledgerKey'>,
  raised: Set<string>,
): Promise<DeadlineNotice[]> {
  const now = deps.clock.now();
  const notices: DeadlineNotice[] = [];
  for (let after = 0; ;) {
    const page = await deps.store.cases.list({
      states: ['deliberating', 'voting', 'ruled', 'published'],
      afterSeq: after,
      limit: 200,
    });
    for (const { state } of page) {
      let current = state;
      let advanced = false;
      for (const due of deadlinesDue(state, now)) {
        const key = `${current.id}/${due.key}`;
        if (!raised.has(key)) {
          const first = await deps.store.cases.claimNotice(current.id, due.key, now);
          raised.add(key);
          if (first) announce(deps, current, due, notices);
        }
        // One step per check: the next step's own deadline starts when this one is taken.
        if (due.advancesEscalation && !advanced) {
          advanced = true;
          try {
            current = await recordCaseAction(
              deps,
              current,
              {
                type: 'advance-escalation',
                reason: `deadline ${due.key} passed unmet`,
                at: now,
                by: SYSTEM_ACTOR,
              },
              current.version,
            );
          } catch (error) {
            // Another check (another server) acted on the case first: the next check reads what it
            // did. The other cases are still checked now.
            if (!(error instanceof TrucelineError && error.code === 'E_STALE_VERSION')) throw error;
            break;
          }
        }
      }
    }
    if (page.length < 200) break;
    after = page.at(-1)?.seq ?? after;
  }
  return notices;
}
