/** @module What the main thread and a validation worker say to each other. */
import type { ErrorCode, FieldIssue } from '../../core/errors.ts';
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

/** An Ed25519 signature to check (a signed batch's), off the thread that serves HTTP. */
export interface VerificationTask {
  readonly id: number;
  readonly verify: {
    readonly publicKeySpkiB64: string;
    readonly data: Uint8Array;
    readonly signature: Uint8Array;
  };
}

export type ValidationReply =
  | { readonly id: number; readonly result: ValidatedRecords }
  | { readonly id: number; readonly verified: boolean }
  | {
      readonly id: number;
      readonly error: {
        readonly code: ErrorCode;
        readonly message: string;
        readonly issues?: readonly FieldIssue[];
        readonly details?: Record<string, unknown>;
      };
    };
