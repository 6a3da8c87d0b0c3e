/**
 * @module Fusion's output in SQLite. A commit is one IMMEDIATE transaction of prepared better-sqlite3
 * statements, like ingest's: it takes its sequences from store_state.last_seq, appends the revisions,
 * rewrites the heads and moves the cursor, so events, violations and observations share one commit
 * order. Reads go through Kysely: heads joined to their revision, filtered on the heads' columns.
 * Values are kept as JSON text and come back deep-equal to what was committed, except that -0 comes
 * back as 0 (as everywhere in the stores) and members set to `undefined` are left out, as JSON does.
 */
import type Database from 'better-sqlite3';
import { commitUnsynced, type WalSync } from './wal-sync.ts';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { TrucelineError } from '../../core/errors.ts';
import type {
  EventQuery,
  FusionChange,
  FusionCommit,
  FusionLeaseAnswer,
  FusionStore,
  SetAsideSummary,
  StoredEvent,
  StoredViolation,
  ViolationQuery,
} from '../../core/ports/fusion-store.ts';
import { checkedPage, checkedQuery, checkedThrough } from '../common/checked-query.ts';
import {
  TABLES,
  checkCommit,
  checkRevisions,
  eventRow,
  toEvent,
  toViolation,
  violationRow,
  type RevisionRow,
  matchesNothing,
  readSetAside,
  leaseOfRow,
  leaseParams,
  type FusionLeaseRow,
} from '../common/fusion-rows.ts';
import { answerLeaseClaim, leaseLostError } from '../../core/fusion/lease.ts';
import type { SqliteLedgerWriter } from './sqlite-ledger.ts';
import type { SqliteSchema } from './sqlite-schema.ts';

type RowParams = [number, string, number, string, number, number | null, number | null];

/** Prepared statements of the commit transaction. */
function prepareCommit(db: Database.Database) {
  return {
    readState: db.prepare<[], { last_seq: number; fusion_cursor: number }>(
      'SELECT last_seq, fusion_cursor FROM store_state WHERE id = 1',
    ),
    writeState: db.prepare<[number, number]>(
      'UPDATE store_state SET last_seq = ?, fusion_cursor = max(fusion_cursor, ?) WHERE id = 1',
    ),
    eventHead: db.prepare<[string], { revision: number }>('SELECT revision FROM event_heads WHERE id = ?'),
    insertEvent: db.prepare<[...RowParams, number, string, string, string]>(
      `INSERT INTO event_revisions (seq, id, revision, type, time_ms, lat, lon, committed_at, value, tlp,
         releasable_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    writeEventHead: db.prepare<RowParams>(
      `INSERT INTO event_heads (seq, id, revision, type, time_ms, lat, lon) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, revision = excluded.revision, type = excluded.type,
         time_ms = excluded.time_ms, lat = excluded.lat, lon = excluded.lon`,
    ),
    violationHead: db.prepare<[string], { revision: number }>(
      'SELECT revision FROM violation_heads WHERE id = ?',
    ),
    insertViolation: db.prepare<
      [...RowParams, string | null, string, number, string, string, string, string]
    >(
      `INSERT INTO violation_revisions (seq, id, revision, event_type, time_ms, lat, lon, party, clause,
         committed_at, value, event_id, tlp, releasable_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    writeViolationHead: db.prepare<[...RowParams, string | null, string]>(
      `INSERT INTO violation_heads (seq, id, revision, event_type, time_ms, lat, lon, party, clause)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, revision = excluded.revision,
         event_type = excluded.event_type, time_ms = excluded.time_ms, lat = excluded.lat, lon = excluded.lon,
         party = excluded.party, clause = excluded.clause`,
    ),
    setAside: db.prepare<[number, string, number, string]>(
      `INSERT INTO fusion_set_aside (seq, source_id, observed_at, reason) VALUES (?, ?, ?, ?)
       ON CONFLICT (seq) DO NOTHING`,
    ),
    lease: db.prepare<[], FusionLeaseRow>(
      'SELECT holder, pid, host, purpose, claimed_at, expires_at FROM fusion_lease WHERE id = 1',
    ),
    countSetAside: db.prepare<[string, string, number, number]>(
      `INSERT INTO fusion_set_aside_sources (source_id, reason, arrivals, first_ms, last_ms)
       VALUES (?, ?, 1, ?, ?)
       ON CONFLICT (source_id, reason) DO UPDATE SET arrivals = arrivals + 1,
         first_ms = min(first_ms, excluded.first_ms), last_ms = max(last_ms, excluded.last_ms)`,
    ),
  };
}

export class SqliteFusionStore implements FusionStore {
  readonly #kysely: Kysely<SqliteSchema>;
  readonly #commit: (input: FusionCommit) => number | null;
  readonly #wal: WalSync | undefined;
  readonly #ledger: SqliteLedgerWriter;
  readonly #claim: (...args: Parameters<FusionStore['claimLease']>) => FusionLeaseAnswer;
  readonly #release: Database.Statement<[string]>;

  /** @param db the connection commits write through (shared with `kysely` and with ingest) */
  constructor(
    db: Database.Database,
    kysely: Kysely<SqliteSchema>,
    ledger: SqliteLedgerWriter,
    wal?: WalSync,
  ) {
    this.#kysely = kysely;
    this.#wal = wal;
    this.#ledger = ledger;
    const statements = prepareCommit(db);
    const transaction = db.transaction((input: FusionCommit) => commitFusion(statements, ledger, input));
    this.#commit = (input) => commitUnsynced(db, wal, () => transaction.immediate(input));
    const write = db.prepare<ReturnType<typeof leaseParams>>(
      `INSERT OR REPLACE INTO fusion_lease (id, holder, pid, host, purpose, claimed_at, expires_at)
       VALUES (1, ?, ?, ?, ?, ?, ?)`,
    );
    const claim = db.transaction((...args: Parameters<FusionStore['claimLease']>) => {
      const row = statements.lease.get();
      const answer = answerLeaseClaim(row === undefined ? undefined : leaseOfRow(row), ...args);
      if (answer.granted) write.run(...leaseParams(answer.lease));
      return answer;
    });
    this.#claim = (...args) => claim.immediate(...args);
    this.#release = db.prepare('DELETE FROM fusion_lease WHERE holder = ?');
  }

  claimLease(...args: Parameters<FusionStore['claimLease']>): Promise<FusionLeaseAnswer> {
    return Promise.resolve().then(() => {
      try {
        return this.#claim(...args);
      } catch (error) {
        if (error instanceof TrucelineError) throw error;
        throw new TrucelineError('E_STORE', 'fusion’s lease could not be claimed', { cause: error });
      }
    });
  }

  releaseLease(holder: string): Promise<void> {
    return Promise.resolve().then(() => {
      this.#release.run(holder);
    });
  }

  async commit(input: FusionCommit): Promise<number | null> {
    await Promise.resolve();
    checkCommit(input);
    let committed: number | null;
    let ledgerSize: number | undefined;
    try {
      // Synchronous on the connection ingest uses: no other commit of this process can run inside it,
      // and IMMEDIATE makes another process's writer wait (busy timeout).
      committed = this.#commit(input);
      ledgerSize = this.#wal && this.#ledger.size();
    } catch (error) {
      if (error instanceof TrucelineError) throw error;
      throw new TrucelineError('E_STORE', 'the fusion output could not be committed', { cause: error });
    }
    // Nothing is published from a commit before it is on disk.
    try {
      await this.#wal?.afterCommit();
      if (committed !== null) this.#wal?.noteDurable(committed, ledgerSize);
    } catch (error) {
      throw new TrucelineError('E_STORE', 'the fusion output was committed but could not be synced to disk', {
        cause: error,
      });
    }
    return committed;
  }

  async cursor(): Promise<number> {
    const row = await this.#kysely
      .selectFrom('store_state')
      .select('fusion_cursor')
      .executeTakeFirstOrThrow();
    return row.fusion_cursor;
  }

  setAside(sourceIds?: readonly string[]): Promise<readonly SetAsideSummary[]> {
    return readSetAside(this.#kysely, sourceIds);
  }

  async listEvents(query: EventQuery): Promise<readonly StoredEvent[]> {
    return (await this.#heads('event', query)).map(toEvent);
  }

  async eventRevisions(id: string, throughSeq?: number): Promise<readonly StoredEvent[]> {
    return (await this.#revisions('event', id, throughSeq)).map(toEvent);
  }

  async listViolations(query: ViolationQuery): Promise<readonly StoredViolation[]> {
    return (await this.#heads('violation', query)).map(toViolation);
  }

  async violationRevisions(id: string, throughSeq?: number): Promise<readonly StoredViolation[]> {
    return (await this.#revisions('violation', id, throughSeq)).map(toViolation);
  }

  async changesAfter(afterSeq: number, limit: number): Promise<readonly FusionChange[]> {
    const page = checkedPage(afterSeq, limit);
    if (page.limit === 0) return [];
    // Each side takes at most `limit` rows from its primary key, then the two are merged.
    const result = await sql<RevisionRow & { kind: 'event' | 'violation' }>`
      SELECT kind, seq, committed_at, value, tlp, releasable_to FROM (
        SELECT * FROM (SELECT 'event' AS kind, seq, committed_at, value, tlp, releasable_to FROM event_revisions
          WHERE seq > ${page.after} ORDER BY seq LIMIT ${page.limit}) AS e
        UNION ALL
        SELECT * FROM (SELECT 'violation' AS kind, seq, committed_at, value, tlp, releasable_to FROM violation_revisions
          WHERE seq > ${page.after} ORDER BY seq LIMIT ${page.limit}) AS v
      ) AS c ORDER BY seq LIMIT ${page.limit}`.execute(this.#kysely);
    return result.rows.map((row) =>
      row.kind === 'event'
        ? { type: 'event', seq: row.seq, stored: toEvent(row) }
        : { type: 'violation', seq: row.seq, stored: toViolation(row) },
    );
  }

  async #revisions(kind: keyof typeof TABLES, id: string, throughSeq?: number): Promise<RevisionRow[]> {
    const through = checkedThrough(throughSeq);
    const bound = through === undefined ? sql`` : sql` AND seq <= ${through}`;
    const result = await sql<RevisionRow>`SELECT seq, committed_at, value, tlp, releasable_to
      FROM ${sql.table(TABLES[kind].revisions)} WHERE id = ${id}${bound} ORDER BY seq`.execute(this.#kysely);
    return result.rows;
  }

  /** The heads matching `input`, in seq order, with their revisions' values. */
  async #heads(kind: keyof typeof TABLES, input: ViolationQuery): Promise<RevisionRow[]> {
    const checked = checkedQuery(input);
    if (matchesNothing(checked.limit, input)) return [];
    const { types, parties, clauses, statuses } = input;
    const tables = TABLES[kind];
    const where: RawBuilder<unknown>[] = [];
    const box = input.bbox;
    if (box !== undefined)
      where.push(
        sql`h.lat >= ${box.south} AND h.lat <= ${box.north} AND h.lon >= ${box.west} AND h.lon <= ${box.east}`,
      );
    // The window as given (times may be fractional: an emission time is estimated, not reported).
    if (input.fromMs !== undefined) where.push(sql`h.time_ms >= ${input.fromMs}`);
    if (input.toMs !== undefined) where.push(sql`h.time_ms < ${input.toMs}`);
    if (checked.afterSeq !== undefined) where.push(sql`h.seq > ${checked.afterSeq}`);
    if (checked.throughSeq !== undefined) where.push(sql`h.seq <= ${checked.throughSeq}`);
    if (types !== undefined) where.push(sql`h.${sql.ref(tables.type)} IN (${sql.join(types)})`);
    if (parties !== undefined) where.push(sql`h.party IN (${sql.join(parties)})`);
    if (clauses !== undefined) where.push(sql`h.clause IN (${sql.join(clauses)})`);
    // The status is read from the head's value (a violation that stands has none): no index, so it
    // narrows what the other filters found.
    if (statuses !== undefined)
      where.push(sql`COALESCE(json_extract(r.value, '$.status'), 'active') IN (${sql.join(statuses)})`);
    const filter = where.length === 0 ? sql`1 = 1` : sql.join(where, sql` AND `);
    const result = await sql<RevisionRow>`SELECT r.seq, r.committed_at, r.value, r.tlp, r.releasable_to
      FROM ${sql.table(tables.heads)} AS h JOIN ${sql.table(tables.revisions)} AS r ON r.seq = h.seq
      WHERE ${filter} ORDER BY h.seq LIMIT ${checked.limit}`.execute(this.#kysely);
    return result.rows;
  }
}

/** The body of the commit transaction: events first, then violations, each the next sequence. */
function commitFusion(
  statements: ReturnType<typeof prepareCommit>,
  ledger: SqliteLedgerWriter,
  input: FusionCommit,
): number | null {
  const state = statements.readState.get();
  if (state === undefined) throw new Error('store_state row is missing');
  if (input.leaseHolder !== undefined) {
    const lease = statements.lease.get();
    if (lease?.holder !== input.leaseHolder)
      throw leaseLostError(lease === undefined ? undefined : leaseOfRow(lease));
  }
  const events = input.events.map(eventRow);
  const violations = input.violations.map(violationRow);
  checkRevisions('event', events, (id) => statements.eventHead.get(id)?.revision ?? 0);
  checkRevisions('potential violation', violations, (id) => statements.violationHead.get(id)?.revision ?? 0);
  let seq = state.last_seq;
  const eventSeqs: number[] = [];
  const violationSeqs: number[] = [];
  for (const row of events) {
    seq += 1;
    const params: RowParams = [seq, row.id, row.revision, row.type, row.timeMs, row.lat, row.lon];
    statements.insertEvent.run(...params, input.committedAtMs, row.value, row.tlp, row.releasableTo);
    statements.writeEventHead.run(...params);
    eventSeqs.push(seq);
  }
  for (const row of violations) {
    seq += 1;
    const params: RowParams = [seq, row.id, row.revision, row.type, row.timeMs, row.lat, row.lon];
    const [eventId, party, clause] = [row.eventId ?? '', row.party, row.clause ?? ''];
    statements.insertViolation.run(
      ...params,
      party,
      clause,
      input.committedAtMs,
      row.value,
      eventId,
      row.tlp,
      row.releasableTo,
    );
    statements.writeViolationHead.run(...params, party, clause);
    violationSeqs.push(seq);
  }
  for (const a of input.setAside ?? [])
    if (statements.setAside.run(a.seq, a.sourceId, a.timeMs, a.reason).changes === 1)
      statements.countSetAside.run(a.sourceId, a.reason, a.timeMs, a.timeMs);
  ledger.recordRows('event-revision', eventSeqs);
  ledger.recordRows('violation-revision', violationSeqs);
  statements.writeState.run(seq, input.cursorSeq);
  return seq === state.last_seq ? null : seq;
}
