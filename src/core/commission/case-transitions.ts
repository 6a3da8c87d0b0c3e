/**
 * @module Which actions each case state allows, as data: the decision function refuses every other
 * action with `E_INVALID_TRANSITION` naming the state. Guards inside a state (the reply window still
 * open, the quorum not met, a remedy deadline not yet passed) refuse with the same code and a reason.
 *
 * ```
 * open ─open─▶ open ──notify──▶ deliberating ◀───────────────rule (rejected)──┐
 *                               │ notify, reply, extend (reply), comment       │
 *                               └─propose-ruling (every accused notified,      │
 *                                 replied or past its window)──▶ voting ───────┤
 *                                            propose-ruling (supersedes), vote,│
 *                                            comment, reply                    │
 *                                                       └──rule (adopted)──▶ ruled
 *   ruled ──publish──▶ published ──close (remedies met)──▶ closed
 *   ruled, published: remedy-met, extend (remedy), advance-escalation (a deadline passed unmet), reply
 *   ruled, published, closed ──reopen (a later breach matches a remedy)──▶ open (next round)
 * ```
 * A reply is accepted in every state once its party was notified: late is marked, never refused.
 */
import type { CaseActionType, CaseState } from './kinds.ts';

/** Per state, the actions it allows (`open` creates a case and is allowed in none). */
export const CASE_TRANSITIONS: Readonly<Record<CaseState, readonly CaseActionType[]>> = {
  open: ['notify', 'reply', 'comment'],
  deliberating: ['notify', 'reply', 'extend', 'comment', 'propose-ruling'],
  voting: ['reply', 'comment', 'propose-ruling', 'vote', 'rule'],
  ruled: ['reply', 'extend', 'publish', 'remedy-met', 'advance-escalation', 'reopen'],
  published: ['reply', 'extend', 'remedy-met', 'advance-escalation', 'close', 'reopen'],
  closed: ['reply', 'reopen'],
};
