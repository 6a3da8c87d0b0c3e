/** @module Evidence attachments' records in memory, ledgered when first recorded (as in the SQL stores). */
import { TrucelineError } from '../../core/errors.ts';
import type { AttachmentRecord, AttachmentStore } from '../../core/ports/action-log-store.ts';
import { canonicalRecord, ledgeredTable } from '../common/ledger-records.ts';
import { attachmentRow, type MemoryLedgerWriter } from './memory-ledger.ts';
import type { MemorySchema } from './memory-schema.ts';

export class MemoryAttachmentStore implements AttachmentStore {
  readonly #tables: MemorySchema;
  readonly #ledger: MemoryLedgerWriter;

  /** @param ledger appends each new record to the ledger, in the turn that stores it */
  constructor(tables: MemorySchema, ledger: MemoryLedgerWriter) {
    this.#tables = tables;
    this.#ledger = ledger;
  }

  record(attachment: AttachmentRecord): Promise<boolean> {
    return Promise.resolve().then(() => {
      const attachments = this.#tables.attachments;
      if (attachments.has(attachment.sha256)) return false;
      const stored: AttachmentRecord = Object.freeze({
        sha256: attachment.sha256,
        sizeBytes: attachment.sizeBytes,
        mediaType: attachment.mediaType,
        storedAtMs: attachment.storedAtMs,
        storedBy: attachment.storedBy,
        tlp: attachment.tlp,
        releasableTo: attachment.releasableTo,
      });
      let record: string;
      try {
        // Before the write: a row a SQL store would refuse is refused here, and nothing is kept.
        record = canonicalRecord(ledgeredTable('attachment'), attachmentRow(stored));
      } catch (error) {
        throw new TrucelineError('E_STORE', 'the attachment could not be recorded', { cause: error });
      }
      attachments.set(stored.sha256, stored);
      this.#ledger.append([{ type: 'attachment', key: stored.sha256, record }]);
      return true;
    });
  }

  find(sha256: string): Promise<AttachmentRecord | undefined> {
    return Promise.resolve(this.#tables.attachments.get(sha256));
  }
}
