/**
 * @module The enumerations of the Special Commission, as const tuples with derived unions and one
 * validator each: the states of a case, its actions, what a ruling can say (responsibility, severity,
 * remedies), how members vote, and the kinds of deadline a case runs.
 */

const member =
  <T extends string>(values: readonly T[]) =>
  (value: unknown): value is T =>
    typeof value === 'string' && (values as readonly string[]).includes(value);

/**
 * The states of a case: `open` until an accused party is notified; `deliberating` while replies come
 * in and members discuss; `voting` while a proposed ruling is before the members; `ruled` once one is
 * adopted; `published` once made public; `closed` when every remedy is met. A later breach of a remedy
 * reopens a ruled, published or closed case (back to `open`, for a new round of notification).
 */
export const CASE_STATES = ['open', 'deliberating', 'voting', 'ruled', 'published', 'closed'] as const;
export type CaseState = (typeof CASE_STATES)[number];
export const isCaseState = member(CASE_STATES);

/** The actions on a case. Each accepted one is stored as an append-only row and a ledger leaf. */
export const CASE_ACTION_TYPES = [
  'open',
  'notify',
  'reply',
  'extend',
  'comment',
  'propose-ruling',
  'vote',
  'rule',
  'publish',
  'remedy-met',
  'advance-escalation',
  'close',
  'reopen',
] as const;
export type CaseActionType = (typeof CASE_ACTION_TYPES)[number];
export const isCaseActionType = member(CASE_ACTION_TYPES);

/** Whom a ruling holds responsible: one party, several, or nobody it can determine (an answer too). */
export const RESPONSIBILITIES = ['one-party', 'several-parties', 'undetermined'] as const;
export type Responsibility = (typeof RESPONSIBILITIES)[number];
export const isResponsibility = member(RESPONSIBILITIES);

/**
 * How grave the Commission rules the breach. `armed-attack` is the finding the guarantees switch on
 * (the Paris text's binding commitments if the ceasefire is broken by a renewed attack).
 */
export const SEVERITIES = ['minor', 'serious', 'grave', 'armed-attack'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const isSeverity = member(SEVERITIES);

/**
 * What a remedy demands (domain.md §5, the July 2020 measures): withdraw a weapon class from a zone,
 * discipline those responsible and report it, compensate, or something else described in words.
 */
export const REMEDY_KINDS = [
  'withdraw-weapon-class',
  'discipline-and-report',
  'compensate',
  'other',
] as const;
export type RemedyKind = (typeof REMEDY_KINDS)[number];
export const isRemedyKind = member(REMEDY_KINDS);

/** A member's vote on a proposed ruling. Abstentions are always recorded. */
export const VOTE_CHOICES = ['for', 'against', 'abstain'] as const;
export type VoteChoice = (typeof VOTE_CHOICES)[number];
export const isVoteChoice = member(VOTE_CHOICES);

/** The deadlines a case runs: a party's reply window, a remedy, a step of the escalation ladder. */
export const DEADLINE_KINDS = ['reply', 'remedy', 'escalation-step'] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];
export const isDeadlineKind = member(DEADLINE_KINDS);
