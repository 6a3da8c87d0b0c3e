/** @module Agreement revisions in SQLite. */
import type Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { notFound } from '../../core/errors.ts';
import type { AgreementRecord, AgreementStore } from '../../core/ports/agreement-store.ts';
import type { SqliteLedgerWriter } from './sqlite-ledger.ts';
import type { SqliteAgreementsTable, SqliteSchema } from './sqlite-schema.ts';

const toRecord = (row: SqliteAgreementsTable): AgreementRecord => ({
  id: row.id,
  revision: row.revision,
  documentJson: row.document_json,
  contentSha256: row.content_sha256,
  registeredAtMs: row.registered_at,
});

export class SqliteAgreementStore implements AgreementStore {
  readonly #db: Database.Database;
  readonly #kysely: Kysely<SqliteSchema>;
  readonly #ledger: SqliteLedgerWriter;

  constructor(db: Database.Database, kysely: Kysely<SqliteSchema>, ledger: SqliteLedgerWriter) {
    this.#db = db;
    this.#kysely = kysely;
    this.#ledger = ledger;
  }

  register(
    input: Omit<AgreementRecord, 'revision'>,
  ): Promise<{ outcome: 'created' | 'revised' | 'unchanged'; record: AgreementRecord }> {
    const latest = this.#kysely
      .selectFrom('agreements')
      .selectAll()
      .where('id', '=', input.id)
      .orderBy('revision', 'desc')
      .limit(1)
      .compile();
    // Synchronous, in one IMMEDIATE transaction: two registrations cannot both take the next revision.
    const result = this.#db
      .transaction(() => {
        const row = this.#db.prepare<unknown[], SqliteAgreementsTable>(latest.sql).get(...latest.parameters);
        if (row !== undefined && row.content_sha256 === input.contentSha256)
          return { outcome: 'unchanged' as const, record: toRecord(row) };
        const record: AgreementRecord = { ...input, revision: row === undefined ? 1 : row.revision + 1 };
        const insert = this.#kysely
          .insertInto('agreements')
          .values({
            id: record.id,
            revision: record.revision,
            document_json: record.documentJson,
            content_sha256: record.contentSha256,
            registered_at: record.registeredAtMs,
          })
          .compile();
        this.#db.prepare(insert.sql).run(...insert.parameters);
        this.#ledger.recordRows('agreement', [JSON.stringify([record.id, record.revision])]);
        return { outcome: row === undefined ? ('created' as const) : ('revised' as const), record };
      })
      .immediate();
    return Promise.resolve(result);
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
      .selectFrom('agreements as a')
      .selectAll()
      .where((eb) =>
        eb(
          'a.revision',
          '=',
          eb
            .selectFrom('agreements as b')
            .select(({ fn }) => fn.max('b.revision').as('latest'))
            .whereRef('b.id', '=', 'a.id'),
        ),
      )
      .orderBy('a.id')
      .execute();
    return rows.map(toRecord);
  }
}
