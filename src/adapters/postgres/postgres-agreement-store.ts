/** @module Agreement revisions in PostgreSQL. */
import { sql, type Kysely } from 'kysely';
import { notFound } from '../../core/errors.ts';
import type { AgreementRecord, AgreementStore } from '../../core/ports/agreement-store.ts';
import { onKysely, type PostgresLedgerWriter } from './postgres-ledger.ts';
import type { PostgresAgreementsTable, PostgresSchema } from './postgres-schema.ts';

const toRecord = (row: PostgresAgreementsTable): AgreementRecord => ({
  id: row.id,
  revision: row.revision,
  documentJson: row.document_json,
  contentSha256: row.content_sha256,
  registeredAtMs: row.registered_at,
});

export class PostgresAgreementStore implements AgreementStore {
  readonly #kysely: Kysely<PostgresSchema>;
  readonly #ledger: PostgresLedgerWriter;

  /** @param ledger appends every new revision to the ledger, in the transaction that writes it */
  constructor(kysely: Kysely<PostgresSchema>, ledger: PostgresLedgerWriter) {
    this.#kysely = kysely;
    this.#ledger = ledger;
  }

  async register(
    input: Omit<AgreementRecord, 'revision'>,
  ): Promise<{ outcome: 'created' | 'revised' | 'unchanged'; record: AgreementRecord }> {
    return this.#kysely.transaction().execute(async (trx) => {
      // Two registrations of one id wait for each other, so they cannot both take the next revision.
      await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`truceline:agreement:${input.id}`}, 0))`.execute(
        trx,
      );
      const latest = await trx
        .selectFrom('agreements')
        .selectAll()
        .where('id', '=', input.id)
        .orderBy('revision', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (latest !== undefined && latest.content_sha256 === input.contentSha256)
        return { outcome: 'unchanged' as const, record: toRecord(latest) };
      const record: AgreementRecord = { ...input, revision: latest === undefined ? 1 : latest.revision + 1 };
      await trx
        .insertInto('agreements')
        .values({
          id: record.id,
          revision: record.revision,
          document_json: record.documentJson,
          content_sha256: record.contentSha256,
          registered_at: record.registeredAtMs,
        })
        .execute();
      await this.#ledger.recordRows(onKysely(trx), 'agreement', [
        JSON.stringify([record.id, record.revision]),
      ]);
      return { outcome: latest === undefined ? ('created' as const) : ('revised' as const), record };
    });
  }

  async find(id: string): Promise<AgreementRecord | undefined> {
    const row = await this.#kysely
      .selectFrom('agreements')
      .selectAll()
      .where('id', '=', id)
      .orderBy('revision', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async latestRevision(id: string): Promise<Pick<AgreementRecord, 'revision' | 'contentSha256'> | undefined> {
    const row = await this.#kysely
      .selectFrom('agreements')
      .select(['revision', 'content_sha256'])
      .where('id', '=', id)
      .orderBy('revision', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && { revision: row.revision, contentSha256: row.content_sha256 };
  }

  async get(id: string): Promise<AgreementRecord> {
    const record = await this.find(id);
    if (record === undefined) throw notFound('agreement', id);
    return record;
  }

  async revisions(id: string): Promise<readonly AgreementRecord[]> {
    const rows = await this.#kysely
      .selectFrom('agreements')
      .selectAll()
      .where('id', '=', id)
      .orderBy('revision')
      .execute();
    return rows.map(toRecord);
  }

  async list(): Promise<readonly AgreementRecord[]> {
    const rows = await this.#kysely
      .selectFrom('agreements')
      .selectAll()
      .distinctOn('id')
      .orderBy('id')
      .orderBy('revision', 'desc')
      .execute();
    return rows.map(toRecord);
  }
}
