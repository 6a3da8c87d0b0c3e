/**
 * @module A verification item: the state of verifying one potential violation, complaint or
 * impediment, as the fold of its recorded actions (decide-verification.ts). Plain, immutable,
 * JSON-serialisable data: absent values are `null`, never `undefined`, so the stored and the
 * recomputed item compare equal.
 */
import type { Actor } from './actor.ts';
import type { FindingOutcome, SubjectKind, TaskAsset, TaskResult, VerificationState } from './kinds.ts';

/** What the item verifies: the kind and the id of the potential violation, complaint or impediment. */
export interface VerificationSubject {
  readonly kind: SubjectKind;
  readonly id: string;
}

/** A verification task: who or what should go and look, by when, and how it ended. */
export interface VerificationTask {
  /** Given by the caller, unique within the item. */
  readonly taskId: string;
  readonly asset: TaskAsset;
  /** When the task must be done, ms UTC; past it an open task is overdue (taskStatus). */
  readonly deadlineMs: number;
  readonly instructions: string;
  readonly taskedAt: number;
  readonly taskedBy: Actor;
  /** How it ended, or null while open. */
  readonly result: TaskResult | null;
  readonly resultAt: number | null;
  readonly resultBy: Actor | null;
  readonly resultNote: string | null;
  /** The impediment recorded when the task failed because access was denied, delayed or fired upon. */
  readonly impedimentId: string | null;
}

/** One finding as recorded, and what became of it under review. */
export interface FindingRecord {
  readonly outcome: FindingOutcome;
  readonly narrative: string;
  /** SHA-256 digests of the attachments it rests on. */
  readonly evidence: readonly string[];
  /** Commit sequences of the observations it rests on. */
  readonly observationSeqs: readonly number[];
  readonly recordedAt: number;
  readonly recordedBy: Actor;
  /** `pending` while awaiting approval; `approved` or `returned` once reviewed. */
  readonly status: 'pending' | 'approved' | 'returned';
  readonly reviewedAt: number | null;
  readonly reviewedBy: Actor | null;
  /** Why it was returned; null otherwise. */
  readonly returnReason: string | null;
}

/** A reopening of a closed item: when, by whom, why, and what later record prompted it. */
export interface Reopening {
  readonly at: number;
  readonly by: Actor;
  readonly reason: string;
  /** The later event, complaint, observation or impediment that prompted it, if any. */
  readonly cause: { readonly kind: string; readonly id: string } | null;
  /** The state it was reopened from. */
  readonly from: VerificationState;
}

/** The state of one verification item. */
export interface VerificationItem {
  readonly id: string;
  readonly subject: VerificationSubject;
  readonly state: VerificationState;
  /** 1 when opened; each accepted action adds one. Requests name it (If-Match) to act on it. */
  readonly version: number;
  readonly openedAt: number;
  readonly openedBy: Actor;
  /** The time of the last accepted action; actions may not go back before it. */
  readonly updatedAt: number;
  /** The triage decision (`verify` or `dismiss`), once taken; a reopening keeps the first one. */
  readonly triage: {
    readonly decision: 'verify' | 'dismiss';
    readonly at: number;
    readonly by: Actor;
    /** Required for a dismissal; an optional note for `verify`. */
    readonly reason: string | null;
  } | null;
  readonly tasks: readonly VerificationTask[];
  /** Every finding recorded, oldest first; at most one is `pending`, and only in `awaiting-approval`. */
  readonly findings: readonly FindingRecord[];
  readonly reopenings: readonly Reopening[];
}
