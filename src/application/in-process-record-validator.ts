/** @module The default record validator: validates on the calling thread. */
import type { RecordInput } from '../core/observations/raw-record.ts';
import { validateRecords } from '../core/observations/validate-records.ts';
import type { Sha256Hex } from '../core/ports/hasher.ts';
import type { RecordValidator } from '../core/ports/record-validator.ts';

export function inProcessRecordValidator(sha256: Sha256Hex): RecordValidator {
  return {
    validate: (input: RecordInput, receivedAtMs: number, maxRecords?: number) => {
      try {
        return Promise.resolve(validateRecords(input, receivedAtMs, sha256, maxRecords));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    close: () => Promise.resolve(),
  };
}
