/**
 * @module A Special Commission case: the state of one case as the fold of its recorded actions
 * (decide-case.ts). Plain, immutable, JSON-serialisable data; absent values are `null`.
 *
 * The case carries its own copy of the Commission's settings, the escalation ladder and the time zone,
 * taken from the terms in force when it was opened: an amendment adopted while a case runs does not
 * change its quorum, its decision rule, its reply window or its ladder half-way through (the parties
 * were notified under those rules). A case opened after the amendment gets the new ones.
 */
import type { CommissionSettings, EscalationStep } from '../agreement/schema.ts';
import type { Actor } from '../verification/actor.ts';
import type { FindingOutcome } from '../verification/kinds.ts';
import type { CaseState, RemedyKind, Responsibility, Severity, VoteChoice } from './kinds.ts';
import type { Tally } from './tally-votes.ts';

/**
 * A violation as the case knows it: the facts remedy matching compares, copied when the case opens or
 * reopens, so the case does not change if the violation is later revised.
 */
export interface CaseViolation {
  /** The potential violation's (or impediment violation's) id. */
  readonly id: string;
  /** The prohibited-conduct id. */
  readonly clause: string;
  /** The party it is attributed to, or null. */
  readonly party: string | null;
  readonly weaponClass: string | null;
  readonly zoneId: string | null;
  readonly timeMs: number;
  /** The approved verification outcome: a case opens, and reopens, only on `substantiated`. */
  readonly outcome: FindingOutcome;
}

/** The complaint a case was opened from. */
export interface CaseComplaint {
  readonly id: string;
  readonly complainant: string;
  readonly accused: string;
  /** The clause alleged, when the complaint names one. */
  readonly clause: string | null;
  readonly timeMs: number;
}

/** A deadline moved later, by whom, why. */
export interface Extension {
  readonly at: number;
  readonly by: Actor;
  readonly fromMs: number;
  readonly toMs: number;
  readonly reason: string;
}

/** An accused party's notification in one round, and its reply window. */
export interface Notification {
  /** 1 for the case as opened; each reopening starts the next round. */
  readonly round: number;
  readonly party: string;
  /** The recorded notification time: the reply window starts here. */
  readonly notifiedAt: number;
  readonly notifiedBy: Actor;
  /** The end of the reply window, ms UTC: `notifiedAt` + the reply window, or the latest extension. */
  readonly deadlineMs: number;
  readonly extensions: readonly Extension[];
}

/** An accused party's reply. A late reply is kept and marked, never refused. */
export interface Reply {
  /** The round of the party's latest notification when it replied. */
  readonly round: number;
  readonly party: string;
  readonly at: number;
  readonly by: Actor;
  readonly text: string;
  readonly evidence: readonly string[];
  /** The deadline in force when it came, and whether it came after it. */
  readonly deadlineMs: number;
  readonly late: boolean;
}

/** A member's contribution to the deliberation. */
export interface CaseComment {
  readonly at: number;
  readonly by: Actor;
  readonly member: string;
  readonly text: string;
}

/** Whom a ruling holds responsible. */
export interface ResponsibilityFinding {
  readonly kind: Responsibility;
  /** One party for `one-party`, two or more for `several-parties`, none for `undetermined`. */
  readonly parties: readonly string[];
}

/** A remedy as proposed. */
export interface RemedyDraft {
  readonly kind: RemedyKind;
  /** The weapon class to withdraw (required for `withdraw-weapon-class`). */
  readonly weaponClass: string | null;
  /** The zone to withdraw it from (required for `withdraw-weapon-class`). */
  readonly zoneId: string | null;
  /** The clause the remedy answers. */
  readonly clause: string | null;
  /** The party that must act: one of the parties held responsible. */
  readonly party: string;
  /** How long it has, from the ruling. */
  readonly withinHours: number;
  readonly description: string;
}

/**
 * A remedy as ruled: the draft with its id, its deadline fixed at the ruling, and what became of it.
 * `clause`, `weaponClass` and `zoneId` left out of the draft are filled in at the ruling from the
 * case's violations by that party when they all agree, so a later breach can be matched.
 */
export interface Remedy extends RemedyDraft {
  /** `<proposal id>.r<n>`, unique within the case. */
  readonly remedyId: string;
  /** Ruling time + `withinHours`, or the latest extension, ms UTC. */
  readonly deadlineMs: number;
  readonly extensions: readonly Extension[];
  readonly metAt: number | null;
  readonly metBy: Actor | null;
  readonly metNote: string | null;
  readonly metEvidence: readonly string[];
}

/** One member's vote. */
export interface Vote {
  readonly member: string;
  readonly choice: VoteChoice;
  /** The dissenting opinion, for an `against` vote that gives one. */
  readonly dissent: string | null;
  readonly at: number;
  readonly by: Actor;
}

/** A proposed ruling and the votes on it. */
export interface Proposal {
  /** `p<n>`, numbered within the case. */
  readonly proposalId: string;
  readonly round: number;
  readonly proposedAt: number;
  readonly proposedBy: Actor;
  readonly responsibility: ResponsibilityFinding;
  readonly severity: Severity;
  readonly remedies: readonly RemedyDraft[];
  readonly reasoning: string;
  /** The latest vote of each member (a member who votes again replaces its vote). */
  readonly votes: readonly Vote[];
  /** `open` while before the members; `superseded` by a later proposal; then `adopted` or `rejected`. */
  readonly status: 'open' | 'adopted' | 'rejected' | 'superseded';
  /** The count that decided it, once ruled on. */
  readonly tally: Tally | null;
}

/** A dissenting opinion, from a member that voted against the adopted ruling. */
export interface Dissent {
  readonly member: string;
  readonly text: string;
}

/** An adopted ruling. */
export interface Ruling {
  readonly proposalId: string;
  readonly round: number;
  readonly ruledAt: number;
  readonly ruledBy: Actor;
  readonly responsibility: ResponsibilityFinding;
  readonly severity: Severity;
  readonly reasoning: string;
  readonly remedies: readonly Remedy[];
  readonly dissents: readonly Dissent[];
  readonly tally: Tally;
  readonly publishedAt: number | null;
  readonly publishedBy: Actor | null;
}

/** A step of the escalation ladder the case stands on. */
export interface EscalationPosition {
  /** Index into the case's ladder, 0 for the first step. */
  readonly stepIndex: number;
  readonly stepId: string;
  readonly startedAt: number;
  /** `startedAt` + the step's `deadlineHours`: when the next step becomes due if remedies stay unmet. */
  readonly deadlineMs: number;
  readonly by: Actor;
  readonly reason: string | null;
}

/** A reopening: the later breach that matched a remedy. */
export interface CaseReopening {
  readonly at: number;
  readonly by: Actor;
  readonly reason: string;
  readonly violationId: string;
  /** The remedies it breached. */
  readonly remedyIds: readonly string[];
  /** The state the case was reopened from. */
  readonly from: CaseState;
}

/** The state of one case. */
export interface CommissionCase {
  readonly id: string;
  readonly state: CaseState;
  /** 1 when opened; each accepted action adds one. Requests name it (If-Match) to act on it. */
  readonly version: number;
  readonly openedAt: number;
  readonly openedBy: Actor;
  /** The time of the last accepted action; actions may not go back before it. */
  readonly updatedAt: number;
  /** The version of the terms the case was opened under, `id@n`. */
  readonly agreementVersion: string;
  /** The agreement's IANA time zone: deadlines are stored in UTC and shown in it (formatInZone). */
  readonly timeZone: string;
  /** Copied at opening (see the module comment). */
  readonly settings: CommissionSettings;
  /** Copied at opening (see the module comment). */
  readonly ladder: readonly EscalationStep[];
  /** The violations before the Commission: those it was opened from, then those that reopened it. */
  readonly violations: readonly CaseViolation[];
  /** The complaint it was opened from, or null. */
  readonly complaint: CaseComplaint | null;
  readonly accused: readonly string[];
  /** The complaining party, for a case opened from a complaint. */
  readonly complainant: string | null;
  /** The round of notification and reply: 1, then one more per reopening. */
  readonly round: number;
  readonly notifications: readonly Notification[];
  readonly replies: readonly Reply[];
  readonly comments: readonly CaseComment[];
  readonly proposals: readonly Proposal[];
  /** Every adopted ruling, oldest first; the last one is in force and its remedies are tracked. */
  readonly rulings: readonly Ruling[];
  /** The steps of the ladder taken, oldest first; the last one is where the case stands. */
  readonly escalations: readonly EscalationPosition[];
  readonly reopenings: readonly CaseReopening[];
  readonly closedAt: number | null;
  readonly closeReason: string | null;
}
