/**
 * @module Port: where batches are validated. In-process by default; the composition root may pass a
 * pool of worker threads, so parsing and validation run beside the commits instead of before them.
 */
import type { RecordInput } from '../observations/raw-record.ts';
import type { ValidatedRecords } from '../observations/validate-records.ts';

export interface RecordValidator {
  /**
   * Splits, parses and validates every record of `input` (see `validateRecords`); `receivedAtMs` is the
   * receipt time the future-time check uses. Rejects with `E_BAD_REQUEST` when a JSON body is not JSON,
   * and with `E_PAYLOAD_TOO_LARGE` past `maxRecords` records (before validating any). `batchId` is the
   * batch id the stored rows will carry in place of each record's own (a signed batch's): a validator
   * that makes ledger leaves ahead makes them for those rows.
   */
  validate(
    input: RecordInput,
    receivedAtMs: number,
    maxRecords?: number,
    batchId?: string,
  ): Promise<ValidatedRecords>;
  /** Stops any threads; pending validations finish first. */
  close(): Promise<void>;
}
