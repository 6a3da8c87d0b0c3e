/**
 * @module Who may take each case action, as data: the API checks it before it calls the core, and the
 * core checks it again when it decides. Checks that depend on the case — that a voter's organisation
 * is a member, that a member is not recused, that a reply comes from an accused party — are made when
 * deciding (decide-case.ts), because only the case knows its parties.
 *
 * The chair runs the case (opens it, notifies, extends deadlines, counts the votes, publishes, records
 * remedies met, closes, reopens); members deliberate, propose rulings and vote, through their
 * commissioners (the chair's organisation votes as a member too); an accused party answers through its
 * liaison officer. `system` may advance the ladder and reopen, for a scheduler that acts on deadlines
 * and remedy matches by itself.
 */
import type { ActorRole } from '../verification/actor.ts';
import type { CaseActionType } from './kinds.ts';

const CHAIR: readonly ActorRole[] = ['chair'];
const MEMBERS: readonly ActorRole[] = ['commissioner', 'chair'];

/** Per action, the roles that may take it. */
export const CASE_PERMISSIONS: Readonly<Record<CaseActionType, readonly ActorRole[]>> = {
  open: CHAIR,
  notify: CHAIR,
  reply: ['party-liaison'],
  extend: CHAIR,
  comment: MEMBERS,
  'propose-ruling': MEMBERS,
  vote: MEMBERS,
  rule: CHAIR,
  publish: CHAIR,
  'remedy-met': CHAIR,
  'advance-escalation': ['chair', 'system'],
  close: CHAIR,
  reopen: ['chair', 'system'],
};

/** May `role` take the case action `type`? (The case's own checks still apply.) */
export const mayTakeCaseAction = (role: ActorRole, type: CaseActionType): boolean =>
  CASE_PERMISSIONS[type].includes(role);
