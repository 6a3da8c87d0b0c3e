/** @module What the main thread and a validation worker say to each other. */
import type { ErrorCode } from '../../core/errors.ts';
import type { RecordInput } from '../../core/observations/raw-record.ts';
import type { ValidatedRecords } from '../../core/observations/validate-records.ts';

export interface ValidationTask {
  readonly id: number;
  readonly input: RecordInput;
  readonly receivedAtMs: number;
  readonly maxRecords: number | undefined;
  /** The batch id the rows will carry in place of each record's own (a signed batch's). */
  readonly batchId: string | undefined;
}

export type ValidationReply =
  | { readonly id: number; readonly result: ValidatedRecords }
  | { readonly id: number; readonly error: { readonly code: ErrorCode; readonly message: string } };
