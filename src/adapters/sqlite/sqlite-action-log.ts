/**
 * @module Verification items' steps and Commission cases' actions in SQLite: each action an
 * append-only, ledgered row, unique per item and version; the state after the latest one in a heads
 * row. One IMMEDIATE transaction per append, on the connection every writer shares.
 */
import type Database from 'better-sqlite3';
import { TrucelineError } from '../../core/errors.ts';
import type {
  ActionLogStore,
  HeadColumns,
  ListQuery,
  RecordedAction,
} from '../../core/ports/action-log-store.ts';
import { actionLogErrors, checkedListQuery, type ActionLogTables } from '../common/action-log-rows.ts';
import type { SqliteLedgerWriter } from './sqlite-ledger.ts';

interface HeadRow {
  seq: number;
  version: number;
  value: string;
}

export class SqliteActionLog<
  S,
  A extends { readonly type: string; readonly at: number; readonly by: { readonly userId: string } },
> implements ActionLogStore<S, A> {
  readonly #db: Database.Database;
  readonly #tables: ActionLogTables;
  readonly #append: (input: Parameters<ActionLogStore<S, A>['append']>[0]) => void;
  readonly #claimNotice: Database.Statement<[string, string, number]>;

  constructor(db: Database.Database, ledger: SqliteLedgerWriter, tables: ActionLogTables) {
    this.#db = db;
    this.#tables = tables;
    const { actions, heads, idColumn, type } = tables;
    const version = db.prepare<[string], { version: number }>(`SELECT version FROM ${heads} WHERE id = ?`);
    const nextSeq = db.prepare<[], { seq: number | null }>(`SELECT max(seq) AS seq FROM ${actions}`);
    const insert = db.prepare<[number, string, number, string, number, string, string]>(
      `INSERT INTO ${actions} (seq, ${idColumn}, version, type, at, by_user, action) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const writeHead = db.prepare<
      [string, number, number, string, string | null, string | null, number, string]
    >(
      `INSERT INTO ${heads} (id, seq, version, state, subject_kind, subject_id, updated_at, value)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, version = excluded.version, state = excluded.state,
         subject_kind = excluded.subject_kind, subject_id = excluded.subject_id,
         updated_at = excluded.updated_at, value = excluded.value`,
    );
    const transaction = db.transaction((input: Parameters<ActionLogStore<S, A>['append']>[0]) => {
      const current = version.get(input.id)?.version ?? 0;
      if (current !== input.fromVersion) throw actionLogErrors.stale(tables.what, input.id, current);
      let seq = nextSeq.get()?.seq ?? 0;
      const written: number[] = [];
      input.actions.forEach((action, i) => {
        seq += 1;
        insert.run(
          seq,
          input.id,
          input.fromVersion + i + 1,
          action.type,
          action.at,
          action.by.userId,
          JSON.stringify(action),
        );
        written.push(seq);
      });
      const head: HeadColumns = input.head;
      writeHead.run(
        input.id,
        seq,
        input.fromVersion + input.actions.length,
        head.state,
        head.subjectKind,
        head.subjectId,
        head.updatedAtMs,
        JSON.stringify(input.state),
      );
      ledger.recordRows(type, written);
    });
    this.#append = (input) => transaction.immediate(input);
    this.#claimNotice = db.prepare<[string, string, number]>(
      `INSERT INTO ${tables.notices} (${idColumn}, notice_key, raised_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
    );
  }

  append(input: Parameters<ActionLogStore<S, A>['append']>[0]): Promise<void> {
    return Promise.resolve().then(() => {
      if (input.actions.length === 0) return;
      try {
        this.#append(input);
      } catch (error) {
        if (error instanceof TrucelineError) throw error;
        // Two writers took the same version (the unique index on id and version): the later one is stale.
        if (
          (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' &&
          String((error as { message?: string }).message).includes(`${this.#tables.actions}.version`)
        )
          throw actionLogErrors.stale(this.#tables.what, input.id, null);
        throw new TrucelineError('E_STORE', `the ${this.#tables.what} could not be recorded`, {
          cause: error,
        });
      }
    });
  }

  async find(id: string): Promise<{ state: S; actions: readonly RecordedAction<A>[] } | undefined> {
    const { actions, heads, idColumn } = this.#tables;
    const head = this.#db
      .prepare<[string], HeadRow>(`SELECT seq, version, value FROM ${heads} WHERE id = ?`)
      .get(id);
    if (head === undefined) return undefined;
    // Up to the head's version: another process may have recorded more since the head was read.
    const rows = this.#db
      .prepare<[string, number], { seq: number; version: number; action: string }>(
        `SELECT seq, version, action FROM ${actions} WHERE ${idColumn} = ? AND version <= ? ORDER BY version`,
      )
      .all(id, head.version);
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
    return this.#db
      .prepare<[string, string], HeadRow>(
        `SELECT seq, version, value FROM ${this.#tables.heads} WHERE subject_kind = ? AND subject_id = ? ORDER BY seq`,
      )
      .all(kind, id)
      .map((row) => JSON.parse(row.value) as S);
  }

  async claimNotice(id: string, key: string, atMs: number): Promise<boolean> {
    return this.#claimNotice.run(id, key, atMs).changes === 1;
  }

  async list(input: ListQuery): Promise<readonly { seq: number; state: S }[]> {
    const query = checkedListQuery(input);
    const where: string[] = ['seq > ?'];
    const params: (string | number)[] = [query.afterSeq ?? 0];
    if (query.states !== undefined) {
      if (query.states.length === 0) return [];
      where.push(`state IN (${query.states.map(() => '?').join(', ')})`);
      params.push(...query.states);
    }
    if (query.subjectKind !== undefined) {
      where.push('subject_kind = ?');
      params.push(query.subjectKind);
    }
    params.push(query.limit);
    return this.#db
      .prepare<(string | number)[], HeadRow>(
        `SELECT seq, version, value FROM ${this.#tables.heads} WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`,
      )
      .all(...params)
      .map((row) => ({ seq: row.seq, state: JSON.parse(row.value) as S }));
  }
}
