/**
 * @module Who took a step: the user, the organisation they acted for, and the role they held. Every
 * verification and Commission action carries one, so the record says who did what — and the four-eyes
 * rule, recusal and the party checks can be decided from the record alone.
 */
import type { Role } from '../access/organisations.ts';

/**
 * A role an action can be taken in: a user's role, or `system` for the steps Truceline takes by itself
 * (opening an item for a potential violation the rules found, advancing the escalation ladder when a
 * scheduler sees a deadline pass).
 */
export type ActorRole = Role | 'system';

/** The author of an action, as plain data (it is stored and committed to the ledger with the action). */
export interface Actor {
  readonly userId: string;
  readonly orgId: string;
  readonly role: ActorRole;
}

/**
 * The actor of automatic steps: it acts for the monitoring mission and holds no user role, so no
 * person can pass as it through the API (a user's role is never `system`).
 */
export const SYSTEM_ACTOR: Actor = { userId: 'system', orgId: 'mission', role: 'system' };
