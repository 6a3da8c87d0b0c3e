/**
 * @module The actions that move a verification item. Each is plain JSON-serialisable data with `at`
 * (ms UTC, from the caller's clock) and `by` (who took it): once accepted, the caller stores it as an
 * append-only row and commits it to the ledger, and the item is the fold of these rows.
 */
import type { FieldShape } from '../validation/known-fields.ts';
import type { Actor } from './actor.ts';
import type { FindingOutcome, TaskAsset, TaskResult } from './kinds.ts';
import type { VerificationSubject } from './verification-item.ts';

interface Base {
  /** When the step was taken, ms since the epoch (UTC). */
  readonly at: number;
  readonly by: Actor;
}

/** Opens an item for a subject; the item starts `new` at version 1. */
export interface OpenVerification extends Base {
  readonly type: 'open';
  readonly itemId: string;
  readonly subject: VerificationSubject;
}

/** Triage: not worth verifying (a duplicate, outside the terms, …) — the reason is required. */
export interface DismissItem extends Base {
  readonly type: 'dismiss';
  readonly reason: string;
}

/** Triage: to be verified. */
export interface VerifyItem extends Base {
  readonly type: 'verify';
  readonly note?: string;
}

/** Tasks an asset to go and look, by a deadline. */
export interface TaskItem extends Base {
  readonly type: 'task';
  readonly taskId: string;
  readonly asset: TaskAsset;
  readonly deadlineMs: number;
  readonly instructions: string;
}

/** Reports how a task ended; a failure caused by an impediment names the impediment recorded for it. */
export interface ReportTaskResult extends Base {
  readonly type: 'task-result';
  readonly taskId: string;
  readonly result: TaskResult;
  readonly note: string;
  readonly impedimentId?: string;
}

/** Records a finding; it waits for another person's approval. */
export interface RecordFinding extends Base {
  readonly type: 'record-finding';
  readonly outcome: FindingOutcome;
  readonly narrative: string;
  readonly evidence: readonly string[];
  readonly observationSeqs: readonly number[];
}

/** Approves the pending finding (four-eyes: not by whoever recorded it); the item takes its outcome. */
export interface ApproveFinding extends Base {
  readonly type: 'approve-finding';
}

/** Sends the pending finding back to verification, with the reason. */
export interface ReturnFinding extends Base {
  readonly type: 'return-finding';
  readonly reason: string;
}

/** Reopens a dismissed or concluded item, because of a later record or a reason given. */
export interface ReopenItem extends Base {
  readonly type: 'reopen';
  readonly reason: string;
  readonly cause?: {
    readonly kind: 'event' | 'complaint' | 'observation' | 'impediment';
    readonly id: string;
  };
}

/** Any verification action, told apart by `type`. */
export type VerificationAction =
  | OpenVerification
  | DismissItem
  | VerifyItem
  | TaskItem
  | ReportTaskResult
  | RecordFinding
  | ApproveFinding
  | ReturnFinding
  | ReopenItem;

/** An action on an existing item (every one but `open`). */
export type VerificationStep = Exclude<VerificationAction, OpenVerification>;

/** The fields a client gives each step (`at` and `by` are the server's): anything else is refused. */
export const STEP_FIELDS: Readonly<Record<Exclude<VerificationAction['type'], 'open'>, FieldShape>> = {
  dismiss: { type: true, reason: true },
  verify: { type: true, note: true },
  task: { type: true, taskId: true, asset: true, deadlineMs: true, instructions: true },
  'task-result': { type: true, taskId: true, result: true, note: true, impedimentId: true },
  'record-finding': { type: true, outcome: true, narrative: true, evidence: true, observationSeqs: true },
  'approve-finding': { type: true },
  'return-finding': { type: true, reason: true },
  reopen: { type: true, reason: true, cause: { kind: true, id: true } },
};
