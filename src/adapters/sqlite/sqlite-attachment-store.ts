/** @module Evidence attachments' records in SQLite, ledgered when first recorded. */
import type Database from 'better-sqlite3';
import { TrucelineError } from '../../core/errors.ts';
import type { AttachmentRecord, AttachmentStore } from '../../core/ports/action-log-store.ts';
import type { SqliteLedgerWriter } from './sqlite-ledger.ts';

interface AttachmentRow {
  sha256: string;
  size_bytes: number;
  media_type: string;
  stored_at: number;
  stored_by: string;
  tlp: string;
  releasable_to: string;
}

export class SqliteAttachmentStore implements AttachmentStore {
  readonly #db: Database.Database;
  readonly #record: (attachment: AttachmentRecord) => boolean;

  constructor(db: Database.Database, ledger: SqliteLedgerWriter) {
    this.#db = db;
    const insert = db.prepare<[string, number, string, number, string, string, string]>(
      `INSERT INTO attachments (sha256, size_bytes, media_type, stored_at, stored_by, tlp, releasable_to)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
    );
    const transaction = db.transaction((a: AttachmentRecord) => {
      const created =
        insert.run(a.sha256, a.sizeBytes, a.mediaType, a.storedAtMs, a.storedBy, a.tlp, a.releasableTo)
          .changes === 1;
      if (created) ledger.recordRows('attachment', [a.sha256]);
      return created;
    });
    this.#record = (a) => transaction.immediate(a);
  }

  record(attachment: AttachmentRecord): Promise<boolean> {
    return Promise.resolve().then(() => {
      try {
        return this.#record(attachment);
      } catch (error) {
        throw new TrucelineError('E_STORE', `the attachment ${attachment.sha256} could not be recorded`, {
          cause: error,
        });
      }
    });
  }

  async find(sha256: string): Promise<AttachmentRecord | undefined> {
    const row = this.#db
      .prepare<[string], AttachmentRow>('SELECT * FROM attachments WHERE sha256 = ?')
      .get(sha256);
    return (
      row && {
        sha256: row.sha256,
        sizeBytes: row.size_bytes,
        mediaType: row.media_type,
        storedAtMs: row.stored_at,
        storedBy: row.stored_by,
        tlp: row.tlp,
        releasableTo: row.releasable_to,
      }
    );
  }
}
