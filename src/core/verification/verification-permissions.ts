/**
 * @module Who may take each verification step, as data: the API checks it before it calls the core
 * (403 `E_FORBIDDEN` before anything is read), and the core checks it again when it decides, so no
 * caller can skip it. The four-eyes rule is not here: it depends on the item (who recorded the pending
 * finding) and lives in decide-verification.ts.
 *
 * The mission does the verifying: monitors (patrols) report task results and record findings from the
 * field; analysts triage, task, record, and review each other's findings; verifiers (the mission's
 * senior reviewers) may do all an analyst may. Commission roles take no verification step: the
 * Commission rules on verified findings, it does not make them. A party's liaison only opens the item
 * of its own complaint. `system` opens items for what the rules and the complaint route produce, and
 * reopens when a later record calls for it.
 */
import type { ActorRole } from './actor.ts';
import type { SubjectKind, VerificationActionType } from './kinds.ts';

const TRIAGE: readonly ActorRole[] = ['analyst', 'verifier'];
const FIELD: readonly ActorRole[] = ['monitor', 'analyst', 'verifier'];

/** Per step, the roles that may take it (for `open`, see {@link OPEN_PERMISSIONS}). */
export const VERIFICATION_PERMISSIONS: Readonly<Record<VerificationActionType, readonly ActorRole[]>> = {
  open: ['system', 'monitor', 'analyst', 'verifier', 'party-liaison'],
  dismiss: TRIAGE,
  verify: TRIAGE,
  task: TRIAGE,
  'task-result': FIELD,
  'record-finding': FIELD,
  'approve-finding': TRIAGE,
  'return-finding': TRIAGE,
  reopen: ['system', 'analyst', 'verifier'],
};

/**
 * Per subject kind, the roles that may open its item: monitors record the impediments they meet, a
 * party's liaison lodges complaints; potential violations come from the rules.
 */
export const OPEN_PERMISSIONS: Readonly<Record<SubjectKind, readonly ActorRole[]>> = {
  'potential-violation': ['system', 'analyst', 'verifier'],
  complaint: ['system', 'analyst', 'verifier', 'party-liaison'],
  impediment: ['system', 'monitor', 'analyst', 'verifier'],
};

/** May `role` take the step `type` (opening an item about a `subject` kind, for `open`)? */
export function mayTakeVerificationStep(
  role: ActorRole,
  type: VerificationActionType,
  subject?: SubjectKind,
): boolean {
  if (!VERIFICATION_PERMISSIONS[type].includes(role)) return false;
  return type !== 'open' || subject === undefined || OPEN_PERMISSIONS[subject].includes(role);
}
