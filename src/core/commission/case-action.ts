/**
 * @module The actions on a Special Commission case. Each is plain JSON-serialisable data with `at`
 * (ms UTC, from the caller's clock) and `by` (who took it): once accepted, the caller stores it as an
 * append-only row and commits it to the ledger, and the case is the fold of these rows.
 */
import type { FieldShape } from '../validation/known-fields.ts';
import type { CommissionSettings, EscalationStep } from '../agreement/schema.ts';
import type { Actor } from '../verification/actor.ts';
import type { CaseComplaint, CaseViolation } from './commission-case.ts';
import type { RemedyKind, Responsibility, Severity, VoteChoice } from './kinds.ts';

interface Base {
  /** When the step was taken, ms since the epoch (UTC). */
  readonly at: number;
  readonly by: Actor;
}

/**
 * Opens a case from one or more substantiated violations, or from a complaint (exactly one of the
 * two), against the accused parties, under the terms in force: their Commission settings, ladder and
 * time zone are copied into the case.
 */
export interface OpenCase extends Base {
  readonly type: 'open';
  readonly caseId: string;
  readonly violations?: readonly CaseViolation[];
  readonly complaint?: CaseComplaint;
  readonly accused: readonly string[];
  readonly agreementVersion: string;
  readonly timeZone: string;
  readonly settings: CommissionSettings;
  readonly ladder: readonly EscalationStep[];
}

/** Records that an accused party was notified; its reply window starts now. */
export interface NotifyParty extends Base {
  readonly type: 'notify';
  readonly party: string;
}

/** An accused party's reply (late replies are accepted and marked late). */
export interface ReplyToCase extends Base {
  readonly type: 'reply';
  readonly text: string;
  readonly evidence: readonly string[];
}

/** Moves a reply window or a remedy's deadline later. */
export interface ExtendDeadline extends Base {
  readonly type: 'extend';
  readonly target:
    | { readonly kind: 'reply'; readonly party: string }
    | { readonly kind: 'remedy'; readonly remedyId: string };
  readonly deadlineMs: number;
  readonly reason: string;
}

/** A member's comment in deliberation. */
export interface CommentOnCase extends Base {
  readonly type: 'comment';
  readonly text: string;
}

/** A remedy as a member proposes it (`weaponClass`, `zoneId`, `clause` optional). */
export interface RemedyProposal {
  readonly kind: RemedyKind;
  readonly weaponClass?: string;
  readonly zoneId?: string;
  readonly clause?: string;
  readonly party: string;
  readonly withinHours: number;
  readonly description: string;
}

/** Puts a ruling before the members; it supersedes one already before them. */
export interface ProposeRuling extends Base {
  readonly type: 'propose-ruling';
  readonly responsibility: { readonly kind: Responsibility; readonly parties: readonly string[] };
  readonly severity: Severity;
  readonly remedies: readonly RemedyProposal[];
  readonly reasoning: string;
}

/** A member's vote on the proposal before the members. */
export interface VoteOnProposal extends Base {
  readonly type: 'vote';
  readonly proposalId: string;
  readonly choice: VoteChoice;
  /** A dissenting opinion: only with `against`. */
  readonly dissent?: string;
}

/** Counts the votes on the proposal under the case's decision rule: adopted, or rejected. */
export interface RuleOnProposal extends Base {
  readonly type: 'rule';
  readonly proposalId: string;
}

/** Makes the ruling public. */
export interface PublishRuling extends Base {
  readonly type: 'publish';
}

/** Records that a remedy was met (the mission verified it). */
export interface RemedyMet extends Base {
  readonly type: 'remedy-met';
  readonly remedyId: string;
  readonly note: string;
  readonly evidence: readonly string[];
}

/** Moves the case to the next step of its escalation ladder, once a deadline has passed unmet. */
export interface AdvanceEscalation extends Base {
  readonly type: 'advance-escalation';
  readonly reason?: string;
}

/** Closes a published case whose remedies are all met ("corrected"). */
export interface CloseCase extends Base {
  readonly type: 'close';
  readonly reason: string;
}

/** Reopens a ruled case on a later substantiated breach of one of its remedies (see matchesRemedy). */
export interface ReopenCase extends Base {
  readonly type: 'reopen';
  readonly violation: CaseViolation;
  readonly reason: string;
}

/** Any case action, told apart by `type`. */
export type CaseAction =
  | OpenCase
  | NotifyParty
  | ReplyToCase
  | ExtendDeadline
  | CommentOnCase
  | ProposeRuling
  | VoteOnProposal
  | RuleOnProposal
  | PublishRuling
  | RemedyMet
  | AdvanceEscalation
  | CloseCase
  | ReopenCase;

/** An action on an existing case (every one but `open`). */
export type CaseStep = Exclude<CaseAction, OpenCase>;

const REMEDY_FIELDS = {
  kind: true,
  weaponClass: true,
  zoneId: true,
  clause: true,
  party: true,
  withinHours: true,
  description: true,
} as const;

/** The fields a client gives each action (`at` and `by` are the server's): anything else is refused. */
export const CASE_ACTION_FIELDS: Readonly<
  Record<Exclude<CaseAction['type'], 'open' | 'reopen'>, FieldShape>
> = {
  notify: { type: true, party: true },
  reply: { type: true, text: true, evidence: true },
  extend: { type: true, target: { kind: true, party: true, remedyId: true }, deadlineMs: true, reason: true },
  comment: { type: true, text: true },
  'propose-ruling': {
    type: true,
    responsibility: { kind: true, parties: true },
    severity: true,
    remedies: [REMEDY_FIELDS],
    reasoning: true,
  },
  vote: { type: true, proposalId: true, choice: true, dissent: true },
  rule: { type: true, proposalId: true },
  publish: { type: true },
  'remedy-met': { type: true, remedyId: true, note: true, evidence: true },
  'advance-escalation': { type: true, reason: true },
  close: { type: true, reason: true },
};
