/**
 * @module Verification items' steps and Commission cases' actions in PostgreSQL, as in SQLite
 * (src/adapters/sqlite/sqlite-action-log.ts): each action an append-only, ledgered row, unique per item
 * and version; the state after the latest one in a heads row. One transaction per append, which takes
 * the log's advisory lock first — appends to one log wait for each other, so the next seq is safe to
 * take and seq order is commit order — then checks the item's version, writes the actions and the head,
 * and ledgers the actions last (the ledger_state lock comes after every other lock, as everywhere).
 * The unique (item, version) constraint stands behind the check: a violation of it is the same
 * `E_STALE_VERSION`.
 */
import type { Kysely } from 'kysely';
import { TrucelineError } from '../../core/errors.ts';
import type { ActionLogStore, ListQuery, RecordedAction } from '../../core/ports/action-log-store.ts';
import { actionLogErrors, checkedListQuery, type ActionLogTables } from '../common/action-log-rows.ts';
import { onKysely, type PgQueries, type PostgresLedgerWriter } from './postgres-ledger.ts';
import type { PostgresSchema } from './postgres-schema.ts';

type AppendInput<S, A> = Parameters<ActionLogStore<S, A>['append']>[0];

/** PostgreSQL's SQLSTATE of a unique violation. */
const UNIQUE_VIOLATION = '23505';

interface HeadRow {
  seq: number;
  version: number;
  value: string;
}

export class PostgresActionLog<
  S,
  A extends { readonly type: string; readonly at: number; readonly by: { readonly userId: string } },
> implements ActionLogStore<S, A> {
  readonly #kysely: Kysely<PostgresSchema>;
  readonly #db: PgQueries;
  readonly #ledger: PostgresLedgerWriter;
  readonly #tables: ActionLogTables;

  /** @param ledger appends every action to the ledger, in the transaction that records it */
  constructor(kysely: Kysely<PostgresSchema>, ledger: PostgresLedgerWriter, tables: ActionLogTables) {
    this.#kysely = kysely;
    this.#db = onKysely(kysely);
    this.#ledger = ledger;
    this.#tables = tables;
  }

  async append(input: AppendInput<S, A>): Promise<void> {
    if (input.actions.length === 0) return;
    const { what, actions, heads, idColumn, type } = this.#tables;
    try {
      await this.#kysely.transaction().execute(async (trx) => {
        const db = onKysely(trx);
        // Held to the end of the transaction; taken before any row lock, so the lock order is the same
        // in every append: this log's lock, the head row, ledger_state. Keyed by the schema too, so the
        // stores sharing a database (one schema each) do not wait for each other.
        await db.query(
          `SELECT pg_advisory_xact_lock(hashtextextended(coalesce(current_schema(), '') || $1, 0))`,
          [`:truceline:action-log:${actions}`],
        );
        const [head] = await db.query<{ version: number }>(
          `SELECT version FROM ${heads} WHERE id = $1 FOR UPDATE`,
          [input.id],
        );
        const current = head?.version ?? 0;
        if (current !== input.fromVersion) throw actionLogErrors.stale(what, input.id, current);
        const [last] = await db.query<{ seq: number }>(`SELECT coalesce(max(seq), 0) AS seq FROM ${actions}`);
        const first = (last?.seq ?? 0) + 1;
        const seqs = input.actions.map((_, i) => first + i);
        await db.query(
          `INSERT INTO ${actions} (seq, ${idColumn}, version, type, at, by_user, action)
           SELECT * FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::text[], $5::bigint[],
             $6::text[], $7::text[])`,
          [
            seqs,
            input.actions.map(() => input.id),
            input.actions.map((_, i) => input.fromVersion + i + 1),
            input.actions.map((action) => action.type),
            input.actions.map((action) => action.at),
            input.actions.map((action) => action.by.userId),
            input.actions.map((action) => JSON.stringify(action)),
          ],
        );
        await db.query(
          `INSERT INTO ${heads} (id, seq, version, state, subject_kind, subject_id, updated_at, value)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, version = EXCLUDED.version,
             state = EXCLUDED.state, subject_kind = EXCLUDED.subject_kind, subject_id = EXCLUDED.subject_id,
             updated_at = EXCLUDED.updated_at, value = EXCLUDED.value`,
          [
            input.id,
            seqs[seqs.length - 1],
            input.fromVersion + input.actions.length,
            input.head.state,
            input.head.subjectKind,
            input.head.subjectId,
            input.head.updatedAtMs,
            JSON.stringify(input.state),
          ],
        );
        await this.#ledger.recordRows(db, type, seqs);
      });
    } catch (error) {
      if (error instanceof TrucelineError) throw error;
      const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
      if (code === UNIQUE_VIOLATION && constraint === `${actions}_version`)
        throw actionLogErrors.stale(what, input.id, null);
      throw new TrucelineError('E_STORE', `the ${what} could not be recorded`, { cause: error });
    }
  }

  async find(id: string): Promise<{ state: S; actions: readonly RecordedAction<A>[] } | undefined> {
    const { actions, heads, idColumn } = this.#tables;
    const [head] = await this.#db.query<HeadRow>(`SELECT seq, version, value FROM ${heads} WHERE id = $1`, [
      id,
    ]);
    if (head === undefined) return undefined;
    // Actions are written with their head, in one transaction: those up to the head's version are
    // all there, and any recorded since are left for the next read (the state is the head's).
    const rows = await this.#db.query<{ seq: number; version: number; action: string }>(
      `SELECT seq, version, action FROM ${actions} WHERE ${idColumn} = $1 AND version <= $2 ORDER BY version`,
      [id, head.version],
    );
    return {
      state: JSON.parse(head.value) as S,
      actions: rows.map((row) => ({
        seq: row.seq,
        version: row.version,
        action: JSON.parse(row.action) as A,
      })),
    };
  }

  async findBySubject(kind: string, id: string): Promise<readonly S[]> {
    const rows = await this.#db.query<HeadRow>(
      `SELECT seq, version, value FROM ${this.#tables.heads} WHERE subject_kind = $1 AND subject_id = $2
       ORDER BY seq`,
      [kind, id],
    );
    return rows.map((row) => JSON.parse(row.value) as S);
  }

  async claimNotice(id: string, key: string, atMs: number): Promise<boolean> {
    const { notices, idColumn } = this.#tables;
    const claimed = await this.#db.query<{ claimed: number }>(
      `INSERT INTO ${notices} (${idColumn}, notice_key, raised_at) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING 1 AS claimed`,
      [id, key, atMs],
    );
    return claimed.length === 1;
  }

  async list(input: ListQuery): Promise<readonly { seq: number; state: S }[]> {
    const query = checkedListQuery(input);
    const where: string[] = ['seq > $1'];
    const params: unknown[] = [query.afterSeq ?? 0];
    if (query.states !== undefined) {
      if (query.states.length === 0) return [];
      params.push([...query.states]);
      where.push(`state = ANY($${params.length}::text[])`);
    }
    if (query.subjectKind !== undefined) {
      params.push(query.subjectKind);
      where.push(`subject_kind = $${params.length}`);
    }
    params.push(query.limit);
    const rows = await this.#db.query<HeadRow>(
      `SELECT seq, version, value FROM ${this.#tables.heads} WHERE ${where.join(' AND ')}
       ORDER BY seq LIMIT $${params.length}`,
      params,
    );
    return rows.map((row) => ({ seq: row.seq, state: JSON.parse(row.value) as S }));
  }
}
