/**
 * @module The Special Commission: cases opened from substantiated violations or complaints, the
 * accused party's notification and right of reply, deliberation and votes under the agreement's
 * decision rule, rulings with remedies and dissent, publication, remedy tracking and the escalation
 * ladder — as pure decisions over recorded actions.
 */
export {
  CASE_ACTION_TYPES,
  CASE_STATES,
  DEADLINE_KINDS,
  REMEDY_KINDS,
  RESPONSIBILITIES,
  SEVERITIES,
  VOTE_CHOICES,
  isCaseActionType,
  isCaseState,
  isDeadlineKind,
  isRemedyKind,
  isResponsibility,
  isSeverity,
  isVoteChoice,
  type CaseActionType,
  type CaseState,
  type DeadlineKind,
  type RemedyKind,
  type Responsibility,
  type Severity,
  type VoteChoice,
} from './kinds.ts';
export type {
  CaseComment,
  CaseComplaint,
  CaseReopening,
  CaseViolation,
  CommissionCase,
  Dissent,
  EscalationPosition,
  Extension,
  Notification,
  Proposal,
  Remedy,
  RemedyDraft,
  Reply,
  ResponsibilityFinding,
  Ruling,
  Vote,
} from './commission-case.ts';
export type {
  AdvanceEscalation,
  CaseAction,
  CaseStep,
  CloseCase,
  CommentOnCase,
  ExtendDeadline,
  NotifyParty,
  OpenCase,
  ProposeRuling,
  PublishRuling,
  RemedyMet,
  RemedyProposal,
  ReopenCase,
  ReplyToCase,
  RuleOnProposal,
  VoteOnProposal,
} from './case-action.ts';
export { CASE_PERMISSIONS, mayTakeCaseAction } from './case-permissions.ts';
export { CASE_TRANSITIONS } from './case-transitions.ts';
export { caseParties, recusedMembers } from './recusal.ts';
export { tallyVotes, type Tally } from './tally-votes.ts';
export { decideCase, openCase, replayCase } from './decide-case.ts';
export { deadlinesDue, type DueDeadline } from './deadlines-due.ts';
export { matchesRemedy, matchingRemedies } from './matches-remedy.ts';
export { formatInZone } from './format-in-zone.ts';
