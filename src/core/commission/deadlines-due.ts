/**
 * @module The deadlines of a case that have passed unmet, for a scheduler: it raises a `deadline`
 * message on the stream for each one it has not raised before (by `key`), and advances the escalation
 * ladder where `advancesEscalation` says so. Pure: the clock is an argument, and nothing here acts.
 */
import type { CommissionCase } from './commission-case.ts';
import type { DeadlineKind } from './kinds.ts';

/** One deadline passed unmet. */
export interface DueDeadline {
  /**
   * Stable while the deadline stands, new when it moves: `reply:<round>:<party>@<ms>`,
   * `remedy:<remedy id>@<ms>`, `escalation:<step index>@<ms>`. A scheduler raises each key once.
   */
  readonly key: string;
  readonly kind: DeadlineKind;
  readonly deadlineMs: number;
  /** The accused party (reply) or the party that owes the remedy; null for an escalation step. */
  readonly party: string | null;
  readonly remedyId: string | null;
  readonly stepId: string | null;
  /** True when `advance-escalation` would now be accepted because of this deadline. */
  readonly advancesEscalation: boolean;
}

/**
 * Every deadline of the case passed by `nowMs` and unmet, earliest first:
 *
 * - reply windows of the current round without a reply, until the Commission rules (a late reply is
 *   still accepted; the message tells the Commission it may proceed);
 * - remedies of the ruling in force not met, while the case is ruled or published — the first one
 *   puts the case on the first step of the ladder;
 * - the current escalation step's deadline, while a remedy is still unmet — it moves the case one step
 *   up, unless it stands on the last.
 *
 * A deadline is due from its instant on (`deadlineMs <= nowMs`).
 */
export function deadlinesDue(commissionCase: CommissionCase, nowMs: number): readonly DueDeadline[] {
  const due: DueDeadline[] = [];
  const { state } = commissionCase;

  if (state === 'open' || state === 'deliberating' || state === 'voting') {
    for (const notice of commissionCase.notifications) {
      if (notice.round !== commissionCase.round || notice.deadlineMs > nowMs) continue;
      const replied = commissionCase.replies.some(
        (reply) => reply.round === notice.round && reply.party === notice.party,
      );
      if (!replied)
        due.push({
          key: `reply:${notice.round}:${notice.party}@${notice.deadlineMs}`,
          kind: 'reply',
          deadlineMs: notice.deadlineMs,
          party: notice.party,
          remedyId: null,
          stepId: null,
          advancesEscalation: false,
        });
    }
  }

  const ruling = commissionCase.rulings.at(-1);
  if ((state === 'ruled' || state === 'published') && ruling !== undefined) {
    const unmet = ruling.remedies.filter((remedy) => remedy.metAt === null);
    const current = commissionCase.escalations.at(-1);
    for (const remedy of unmet) {
      if (remedy.deadlineMs > nowMs) continue;
      due.push({
        key: `remedy:${remedy.remedyId}@${remedy.deadlineMs}`,
        kind: 'remedy',
        deadlineMs: remedy.deadlineMs,
        party: remedy.party,
        remedyId: remedy.remedyId,
        stepId: null,
        advancesEscalation: current === undefined && commissionCase.ladder.length > 0,
      });
    }
    if (current !== undefined && unmet.length > 0 && current.deadlineMs <= nowMs)
      due.push({
        key: `escalation:${current.stepIndex}@${current.deadlineMs}`,
        kind: 'escalation-step',
        deadlineMs: current.deadlineMs,
        party: null,
        remedyId: null,
        stepId: current.stepId,
        advancesEscalation: current.stepIndex + 1 < commissionCase.ladder.length,
      });
  }

  return due.sort((a, b) => a.deadlineMs - b.deadlineMs || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
