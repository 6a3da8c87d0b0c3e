/**
 * @module The errors a refused step raises, built in one place so that verification and the Commission
 * word them alike and always name what the API must show: the current version for a stale request, the
 * state for an illegal step, the rule that refused it otherwise.
 */
import type { FieldIssue } from '../errors.ts';
import { TrucelineError } from '../errors.ts';
import type { Actor } from './actor.ts';

/** The refusals of a decision function, each a {@link TrucelineError} with a stable code. */
export const decisionErrors = {
  /** The caller decided on an older version: nothing changes; it must read again (`E_STALE_VERSION`). */
  stale: (what: string, id: string, expected: number, current: number): TrucelineError =>
    new TrucelineError(
      'E_STALE_VERSION',
      `${what} ${JSON.stringify(id)} is at version ${current}, not ${expected}; read it again`,
      { details: { id, expectedVersion: expected, currentVersion: current } },
    ),

  /**
   * The step is not allowed in the item's state (`E_INVALID_TRANSITION`); `details.state` names the
   * state, `details.reason` the guard that refused it when the state alone would allow the step.
   */
  transition: (
    what: string,
    state: string,
    action: string,
    reason?: string,
    extra: Record<string, unknown> = {},
  ): TrucelineError =>
    new TrucelineError(
      'E_INVALID_TRANSITION',
      reason === undefined
        ? `${what} in state ${state} does not allow ${action}`
        : `${what} in state ${state} does not allow ${action}: ${reason}`,
      { details: { ...extra, state, action, ...(reason === undefined ? {} : { reason }) } },
    ),

  /** The actor's role or organisation may not take this step (`E_FORBIDDEN`). */
  forbidden: (action: string, by: Actor, why: string): TrucelineError =>
    new TrucelineError('E_FORBIDDEN', `${by.role} ${by.userId} of ${by.orgId} may not ${action}: ${why}`, {
      details: { action, role: by.role, orgId: by.orgId },
    }),

  /** Whoever recorded the thing cannot also approve it (`E_FOUR_EYES`). */
  fourEyes: (what: string, by: Actor): TrucelineError =>
    new TrucelineError('E_FOUR_EYES', `${by.userId} recorded this ${what} and cannot also approve it`, {
      details: { userId: by.userId },
    }),

  /** A member that represents a party to the case may not take part in deciding it (`E_RECUSED`). */
  recused: (action: string, member: string, party: string): TrucelineError =>
    new TrucelineError(
      'E_RECUSED',
      `member ${member} represents ${party}, a party to this case, and may not ${action}`,
      { details: { action, member, party } },
    ),

  /** The action's content is invalid (`E_VALIDATION`), every problem with its field path. */
  invalid: (action: string, issues: readonly FieldIssue[]): TrucelineError =>
    new TrucelineError(
      'E_VALIDATION',
      `${action}: ${issues.map((issue) => `${issue.path} ${issue.reason}`).join('; ')}`,
      { issues },
    ),
} as const;
