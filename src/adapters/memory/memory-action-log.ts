/**
 * @module Verification items' steps and Commission cases' actions in memory, with the semantics of the
 * SQL stores (the contract suite checks it): each action an append-only row with the next seq of its
 * log, unique per item and version, ledgered with the record a SQL store commits to; the state after
 * the latest one in a head. An append checks, writes and ledgers in one synchronous turn, so two
 * appends from one version get one success and one `E_STALE_VERSION`, and a refused append writes
 * nothing.
 */
import { TrucelineError } from '../../core/errors.ts';
import type { ActionLogStore, ListQuery, RecordedAction } from '../../core/ports/action-log-store.ts';
import { actionLogErrors, checkedListQuery, type ActionLogTables } from '../common/action-log-rows.ts';
import type { LedgerItem } from '../common/ledger-leaves.ts';
import { canonicalRecord, ledgeredTable } from '../common/ledger-records.ts';
import { actionRow, type MemoryLedgerWriter } from './memory-ledger.ts';
import type { MemoryActionHead, MemoryActionLogTables, MemoryActionRow } from './memory-schema.ts';

type AppendInput<S, A> = Parameters<ActionLogStore<S, A>['append']>[0];

export class MemoryActionLog<
  S,
  A extends { readonly type: string; readonly at: number; readonly by: { readonly userId: string } },
> implements ActionLogStore<S, A> {
  readonly #log: MemoryActionLogTables;
  readonly #ledger: MemoryLedgerWriter;
  readonly #tables: ActionLogTables;

  /**
   * @param log the two tables of this log (the memory schema's `verification` or `cases`)
   * @param ledger appends every action to the ledger, in the turn that records it
   */
  constructor(log: MemoryActionLogTables, ledger: MemoryLedgerWriter, tables: ActionLogTables) {
    this.#log = log;
    this.#ledger = ledger;
    this.#tables = tables;
  }

  append(input: AppendInput<S, A>): Promise<void> {
    return Promise.resolve().then(() => {
      if (input.actions.length === 0) return;
      try {
        this.#append(input);
      } catch (error) {
        if (error instanceof TrucelineError) throw error;
        throw new TrucelineError('E_STORE', `the ${this.#tables.what} could not be recorded`, {
          cause: error,
        });
      }
    });
  }

  /** Synchronous: nothing runs between the check of the version and the write. */
  #append(input: AppendInput<S, A>): void {
    const log = this.#log;
    const current = log.heads.get(input.id)?.version ?? 0;
    if (current !== input.fromVersion) throw actionLogErrors.stale(this.#tables.what, input.id, current);
    const lastSeq = log.actions.at(-1)?.seq ?? 0;
    const rows = input.actions.map((action, i): MemoryActionRow =>
      Object.freeze({
        seq: lastSeq + i + 1,
        ownerId: input.id,
        version: input.fromVersion + i + 1,
        type: action.type,
        at: action.at,
        byUser: action.by.userId,
        action: JSON.stringify(action),
      }),
    );
    const last = rows[rows.length - 1];
    if (last === undefined) return;
    const head: MemoryActionHead = Object.freeze({
      seq: last.seq,
      version: last.version,
      state: input.head.state,
      subjectKind: input.head.subjectKind,
      subjectId: input.head.subjectId,
      updatedAtMs: input.head.updatedAtMs,
      value: JSON.stringify(input.state),
    });
    // The records first: a row a SQL store would refuse (a time that is not a whole number, …) throws
    // here, before anything is written — as a SQL store's transaction rolls back.
    const spec = ledgeredTable(this.#tables.type);
    const toRow = actionRow(this.#tables);
    const items: LedgerItem[] = rows.map((row) => ({
      type: this.#tables.type,
      key: row.seq,
      record: canonicalRecord(spec, toRow(row)),
    }));
    log.actions.push(...rows);
    const owned = log.byOwner.get(input.id);
    if (owned === undefined) log.byOwner.set(input.id, rows);
    else owned.push(...rows);
    // Deleted and set again, so the map stays in the order of the heads' seqs.
    log.heads.delete(input.id);
    log.heads.set(input.id, head);
    this.#ledger.append(items);
  }

  find(id: string): Promise<{ state: S; actions: readonly RecordedAction<A>[] } | undefined> {
    return Promise.resolve().then(() => {
      const head = this.#log.heads.get(id);
      if (head === undefined) return undefined;
      return {
        state: JSON.parse(head.value) as S,
        actions: (this.#log.byOwner.get(id) ?? []).map((row) => ({
          seq: row.seq,
          version: row.version,
          action: JSON.parse(row.action) as A,
        })),
      };
    });
  }

  findBySubject(kind: string, id: string): Promise<readonly S[]> {
    return Promise.resolve().then(() =>
      [...this.#log.heads.values()]
        .filter((head) => head.subjectKind === kind && head.subjectId === id)
        .map((head) => JSON.parse(head.value) as S),
    );
  }

  claimNotice(id: string, key: string, atMs: number): Promise<boolean> {
    return Promise.resolve().then(() => {
      let raised = this.#log.notices.get(id);
      if (raised === undefined) this.#log.notices.set(id, (raised = new Map<string, number>()));
      if (raised.has(key)) return false;
      raised.set(key, atMs);
      return true;
    });
  }

  list(input: ListQuery): Promise<readonly { seq: number; state: S }[]> {
    return Promise.resolve().then(() => {
      const query = checkedListQuery(input);
      const afterSeq = query.afterSeq ?? 0;
      const states = query.states === undefined ? undefined : new Set(query.states);
      const page: { seq: number; state: S }[] = [];
      if (query.limit === 0) return page;
      for (const head of this.#log.heads.values()) {
        if (head.seq <= afterSeq) continue;
        if (states !== undefined && !states.has(head.state)) continue;
        if (query.subjectKind !== undefined && head.subjectKind !== query.subjectKind) continue;
        page.push({ seq: head.seq, state: JSON.parse(head.value) as S });
        if (page.length >= query.limit) break;
      }
      return page;
    });
  }
}
