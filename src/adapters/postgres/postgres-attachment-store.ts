/**
 * @module Evidence attachments' records in PostgreSQL, ledgered when first recorded: the insert and
 * its leaf in one transaction. Two uploads of the same bytes at once: the second insert waits for the
 * first to commit, then does nothing, and appends nothing.
 */
import type { Kysely } from 'kysely';
import type { AttachmentRecord, AttachmentStore } from '../../core/ports/action-log-store.ts';
import { onKysely, type PostgresLedgerWriter } from './postgres-ledger.ts';
import type { PostgresAttachmentsTable, PostgresSchema } from './postgres-schema.ts';

const toRecord = (row: PostgresAttachmentsTable): AttachmentRecord => ({
  sha256: row.sha256,
  sizeBytes: row.size_bytes,
  mediaType: row.media_type,
  storedAtMs: row.stored_at,
  storedBy: row.stored_by,
  tlp: row.tlp,
  releasableTo: row.releasable_to,
});

export class PostgresAttachmentStore implements AttachmentStore {
  readonly #kysely: Kysely<PostgresSchema>;
  readonly #ledger: PostgresLedgerWriter;

  /** @param ledger appends each new record to the ledger, in the transaction that inserts it */
  constructor(kysely: Kysely<PostgresSchema>, ledger: PostgresLedgerWriter) {
    this.#kysely = kysely;
    this.#ledger = ledger;
  }

  record(a: AttachmentRecord): Promise<boolean> {
    return this.#kysely.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('attachments')
        .values({
          sha256: a.sha256,
          size_bytes: a.sizeBytes,
          media_type: a.mediaType,
          stored_at: a.storedAtMs,
          stored_by: a.storedBy,
          tlp: a.tlp,
          releasable_to: a.releasableTo,
        })
        .onConflict((oc) => oc.column('sha256').doNothing())
        .returning('sha256')
        .executeTakeFirst();
      if (inserted === undefined) return false;
      await this.#ledger.recordRows(onKysely(trx), 'attachment', [a.sha256]);
      return true;
    });
  }

  async find(sha256: string): Promise<AttachmentRecord | undefined> {
    const row = await this.#kysely
      .selectFrom('attachments')
      .selectAll()
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    return row && toRecord(row);
  }
}
