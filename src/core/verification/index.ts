/**
 * @module Verification: the workflow that turns a potential violation, a complaint or an impediment
 * into an approved finding (triage, tasking, finding, four-eyes approval), as pure decisions over
 * recorded actions; impediments evaluated as violations; complaints validated and linked to events.
 */
export { SYSTEM_ACTOR, type Actor, type ActorRole } from './actor.ts';
export { decisionErrors } from './decision-errors.ts';
export { ACTION_LIMITS, FieldChecks, SHA256_HEX } from './field-checks.ts';
export {
  FINDING_OUTCOMES,
  IMPEDIMENT_KINDS,
  SUBJECT_KINDS,
  TASK_ASSETS,
  TASK_RESULTS,
  TASK_STATUSES,
  VERIFICATION_ACTION_TYPES,
  VERIFICATION_STATES,
  isFindingOutcome,
  isImpedimentKind,
  isSubjectKind,
  isTaskAsset,
  isTaskResult,
  isTaskStatus,
  isVerificationActionType,
  isVerificationState,
  type FindingOutcome,
  type ImpedimentKind,
  type SubjectKind,
  type TaskAsset,
  type TaskResult,
  type TaskStatus,
  type VerificationActionType,
  type VerificationState,
} from './kinds.ts';
export type {
  FindingRecord,
  Reopening,
  VerificationItem,
  VerificationSubject,
  VerificationTask,
} from './verification-item.ts';
export type {
  ApproveFinding,
  DismissItem,
  OpenVerification,
  RecordFinding,
  ReopenItem,
  ReportTaskResult,
  ReturnFinding,
  TaskItem,
  VerificationAction,
  VerificationStep,
  VerifyItem,
} from './verification-action.ts';
export {
  OPEN_PERMISSIONS,
  VERIFICATION_PERMISSIONS,
  mayTakeVerificationStep,
} from './verification-permissions.ts';
export { VERIFICATION_TRANSITIONS } from './verification-transitions.ts';
export { decideVerification, openVerification, replayVerification } from './decide-verification.ts';
export { taskStatus } from './task-status.ts';
export { validateImpediment, type Impediment, type ImpedimentValidation, type LatLon } from './impediment.ts';
export { IMPEDIMENT_CLAUSE, impedimentViolation, type ImpedimentViolation } from './impediment-violation.ts';
export {
  validateComplaint,
  type Complaint,
  type ComplaintContext,
  type ComplaintValidation,
} from './complaint.ts';
export {
  COMPLAINT_LINK_DISTANCE_KM,
  COMPLAINT_LINK_WINDOW_MS,
  linkComplaint,
  type ComplaintLink,
  type LinkCandidate,
  type LinkOptions,
} from './link-complaint.ts';
