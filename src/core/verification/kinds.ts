/**
 * @module The enumerations of verification, as const tuples with derived unions and one validator
 * each: what an item verifies, the states it passes through, the assets a task goes to, the outcomes
 * a finding can reach, and the steps (actions) that move an item.
 */
import { IMPEDIMENTS } from '../observations/kinds.ts';

const member =
  <T extends string>(values: readonly T[]) =>
  (value: unknown): value is T =>
    typeof value === 'string' && (values as readonly string[]).includes(value);

/**
 * What a verification item is about: a potential violation the rules found, a party's complaint, or an
 * impediment to the monitors (itself a violation). Each gets its own item and the same workflow.
 */
export const SUBJECT_KINDS = ['potential-violation', 'complaint', 'impediment'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];
export const isSubjectKind = member(SUBJECT_KINDS);

/**
 * The outcomes a verification reaches (domain.md §5: substantiated / not substantiated / unable to
 * determine). "Unable to determine" is an answer, not a failure.
 */
export const FINDING_OUTCOMES = ['substantiated', 'not-substantiated', 'unable-to-determine'] as const;
export type FindingOutcome = (typeof FINDING_OUTCOMES)[number];
export const isFindingOutcome = member(FINDING_OUTCOMES);

/**
 * The states of a verification item: `new` until triaged; `dismissed` at triage (with a reason) or
 * `verifying`; `awaiting-approval` while a recorded finding waits for a second person; then the
 * approved finding's outcome. The three outcomes and `dismissed` are final until reopened.
 */
export const VERIFICATION_STATES = [
  'new',
  'dismissed',
  'verifying',
  'awaiting-approval',
  ...FINDING_OUTCOMES,
] as const;
export type VerificationState = (typeof VERIFICATION_STATES)[number];
export const isVerificationState = member(VERIFICATION_STATES);

/** Where a verification task goes: a patrol, a drone, a fixed camera, or satellite imagery. */
export const TASK_ASSETS = ['patrol', 'drone', 'camera', 'satellite'] as const;
export type TaskAsset = (typeof TASK_ASSETS)[number];
export const isTaskAsset = member(TASK_ASSETS);

/** How a task ended, as reported (`overdue` is not reported: it is read off the clock, see taskStatus). */
export const TASK_RESULTS = ['done', 'failed'] as const;
export type TaskResult = (typeof TASK_RESULTS)[number];
export const isTaskResult = member(TASK_RESULTS);

/** A task's status at a given time: still open, open past its deadline, or ended. */
export const TASK_STATUSES = ['open', 'overdue', 'done', 'failed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const isTaskStatus = member(TASK_STATUSES);

/**
 * The steps that move a verification item. Each accepted one is stored as an append-only row (and a
 * ledger leaf); the item is the fold of them.
 */
export const VERIFICATION_ACTION_TYPES = [
  'open',
  'dismiss',
  'verify',
  'task',
  'task-result',
  'record-finding',
  'approve-finding',
  'return-finding',
  'reopen',
] as const;
export type VerificationActionType = (typeof VERIFICATION_ACTION_TYPES)[number];
export const isVerificationActionType = member(VERIFICATION_ACTION_TYPES);

/**
 * The kinds of impediment to the monitors: the same list a patrol report uses (observations/kinds.ts),
 * so an impediment reported from the field and one recorded by an analyst speak the same words.
 */
export const IMPEDIMENT_KINDS = IMPEDIMENTS;
export type ImpedimentKind = (typeof IMPEDIMENT_KINDS)[number];
export const isImpedimentKind = member(IMPEDIMENT_KINDS);
