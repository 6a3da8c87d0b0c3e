/**
 * @module Which steps each verification state allows, as data: the decision function refuses every
 * other step with `E_INVALID_TRANSITION` naming the state, and the API can show the steps open to a
 * reader without asking the core step by step.
 *
 * ```
 *   open ─▶ new ──dismiss──▶ dismissed ─────────────────────────┐
 *            │                                                   │ reopen
 *            └──verify──▶ verifying ◀──return-finding──┐          ▼
 *                          │ task, task-result         │      verifying
 *                          └──record-finding──▶ awaiting-approval
 *                                                │ (task-result)
 *                                                └──approve-finding (another person)──▶
 *                                                   substantiated | not-substantiated | unable-to-determine
 *                                                                     └──reopen──▶ verifying
 * ```
 */
import type { VerificationActionType, VerificationState } from './kinds.ts';

const FINAL: readonly VerificationActionType[] = ['reopen'];

/** Per state, the steps it allows (`open` creates an item and is allowed in none). */
export const VERIFICATION_TRANSITIONS: Readonly<
  Record<VerificationState, readonly VerificationActionType[]>
> = {
  new: ['dismiss', 'verify'],
  verifying: ['task', 'task-result', 'record-finding'],
  'awaiting-approval': ['task-result', 'approve-finding', 'return-finding'],
  dismissed: FINAL,
  substantiated: FINAL,
  'not-substantiated': FINAL,
  'unable-to-determine': FINAL,
};
