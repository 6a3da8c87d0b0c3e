/**
 * @module Fusion's output in PostgreSQL. A commit is one transaction that first locks the store_state
 * row, as ingest does, so fusion and ingest writers are serialized and take their sequences from the
 * one counter in commit order; it appends the revisions, rewrites the heads and moves the cursor. Reads
 * filter the heads (a box through the GiST index, then the exact coordinates, as observations do) and
 * join each to its revision.
 * Values are kept as JSON text and come back deep-equal to what was committed, except that -0 comes
 * back as 0 (as everywhere in the stores) and members set to `undefined` are left out, as JSON does.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type pg from 'pg';
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
  type Pending,
  type RevisionRow,
  matchesNothing,
  readSetAside,
  leaseOfRow,
  leaseParams,
  type FusionLeaseRow,
} from '../common/fusion-rows.ts';
import { answerLeaseClaim, leaseLostError } from '../../core/fusion/lease.ts';
import { onClient, type PostgresLedgerWriter } from './postgres-ledger.ts';
import type { PostgresSchema } from './postgres-schema.ts';

const LEASE_SELECT =
  'SELECT holder, pid, host, purpose, claimed_at, expires_at FROM fusion_lease WHERE id = 1';

/** The last row of each id (a head is upserted once per statement). */
function lastOfEach<T extends { readonly id: string }>(rows: readonly T[]): T[] {
  return [...new Map(rows.map((row) => [row.id, row])).values()];
}

export class PostgresFusionStore implements FusionStore {
  readonly #pool: pg.Pool;
  readonly #kysely: Kysely<PostgresSchema>;
  readonly #ledger: PostgresLedgerWriter;

  /**
   * @param pool the pool commit transactions take a client from (shared with `kysely` and ingest)
   * @param ledger appends the revisions to the ledger, in the transaction that writes them
   */
  constructor(pool: pg.Pool, kysely: Kysely<PostgresSchema>, ledger: PostgresLedgerWriter) {
    this.#pool = pool;
    this.#kysely = kysely;
    this.#ledger = ledger;
  }

  async commit(input: FusionCommit): Promise<number | null> {
    checkCommit(input);
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const written = await this.#write(client, input);
      await client.query('COMMIT');
      return written;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (error instanceof TrucelineError) throw error;
      throw new TrucelineError('E_STORE', 'the fusion output could not be committed', { cause: error });
    } finally {
      client.release();
    }
  }

  async claimLease(...args: Parameters<FusionStore['claimLease']>): Promise<FusionLeaseAnswer> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      // Claims wait for each other (the mode conflicts with itself), not for readers; the row's update
      // waits for a commit that holds the row FOR SHARE, so no commit lands under a lease just taken.
      await client.query('LOCK TABLE fusion_lease IN SHARE ROW EXCLUSIVE MODE');
      const row = (await client.query<FusionLeaseRow>(LEASE_SELECT)).rows[0];
      const answer = answerLeaseClaim(row === undefined ? undefined : leaseOfRow(row), ...args);
      if (answer.granted)
        await client.query(
          `INSERT INTO fusion_lease (id, holder, pid, host, purpose, claimed_at, expires_at)
           VALUES (1, $1, $2, $3, $4, $5, $6)
           ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, pid = excluded.pid, host = excluded.host,
             purpose = excluded.purpose, claimed_at = excluded.claimed_at, expires_at = excluded.expires_at`,
          leaseParams(answer.lease),
        );
      await client.query('COMMIT');
      return answer;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (error instanceof TrucelineError) throw error;
      throw new TrucelineError('E_STORE', 'fusion’s lease could not be claimed', { cause: error });
    } finally {
      client.release();
    }
  }

  async releaseLease(holder: string): Promise<void> {
    await this.#pool.query('DELETE FROM fusion_lease WHERE holder = $1', [holder]);
  }

  async #write(client: pg.PoolClient, input: FusionCommit): Promise<number | null> {
    // The row lock every writer takes first: no other commit takes a sequence until ours commits.
    const state = (
      await client.query<{ last_seq: number; fusion_cursor: number }>(
        'SELECT last_seq, fusion_cursor FROM store_state WHERE id = 1 FOR UPDATE',
      )
    ).rows[0];
    if (state === undefined) throw new Error('store_state row is missing');
    if (input.leaseHolder !== undefined) {
      // Held until this commit ends: a claim taking the lease meanwhile waits for it.
      const lease = (await client.query<FusionLeaseRow>(`${LEASE_SELECT} FOR SHARE`)).rows[0];
      if (lease?.holder !== input.leaseHolder)
        throw leaseLostError(lease === undefined ? undefined : leaseOfRow(lease));
    }
    const events = input.events.map(eventRow);
    const violations = input.violations.map(violationRow);
    const latest = async (heads: string, rows: readonly Pending[]) => {
      if (rows.length === 0) return () => 0;
      const found = await client.query<{ id: string; revision: number }>(
        `SELECT id, revision FROM ${heads} WHERE id = ANY($1::text[])`,
        [[...new Set(rows.map((row) => row.id))]],
      );
      const revisions = new Map(found.rows.map((row) => [row.id, row.revision]));
      return (id: string) => revisions.get(id) ?? 0;
    };
    checkRevisions('event', events, await latest('event_heads', events));
    checkRevisions('potential violation', violations, await latest('violation_heads', violations));

    let seq = state.last_seq;
    const numbered = (rows: readonly Pending[]) => rows.map((row) => ({ ...row, seq: (seq += 1) }));
    const eventRows = numbered(events);
    const violationRows = numbered(violations);
    const common = (rows: readonly (Pending & { seq: number })[]) => [
      rows.map((r) => r.seq),
      rows.map((r) => r.id),
      rows.map((r) => r.revision),
      rows.map((r) => r.type),
      rows.map((r) => r.timeMs),
      rows.map((r) => r.lat),
      rows.map((r) => r.lon),
    ];
    const commonTypes =
      '$1::bigint[], $2::text[], $3::integer[], $4::text[], $5::float8[], $6::float8[], $7::float8[]';
    if (eventRows.length > 0) {
      await client.query(
        `INSERT INTO event_revisions (seq, id, revision, type, time_ms, lat, lon, value, tlp, releasable_to,
           committed_at)
         SELECT *, $11::bigint FROM unnest(${commonTypes}, $8::text[], $9::text[], $10::text[])`,
        [
          ...common(eventRows),
          eventRows.map((r) => r.value),
          eventRows.map((r) => r.tlp),
          eventRows.map((r) => r.releasableTo),
          input.committedAtMs,
        ],
      );
      await client.query(
        `INSERT INTO event_heads (seq, id, revision, type, time_ms, lat, lon)
         SELECT * FROM unnest(${commonTypes})
         ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, revision = EXCLUDED.revision, type = EXCLUDED.type,
           time_ms = EXCLUDED.time_ms, lat = EXCLUDED.lat, lon = EXCLUDED.lon`,
        common(lastOfEach(eventRows)),
      );
    }
    if (violationRows.length > 0) {
      const heads = lastOfEach(violationRows);
      await client.query(
        `INSERT INTO violation_revisions (seq, id, revision, event_type, time_ms, lat, lon, party, clause,
           event_id, value, tlp, releasable_to, committed_at)
         SELECT *, $14::bigint FROM unnest(${commonTypes}, $8::text[], $9::text[], $10::text[], $11::text[],
           $12::text[], $13::text[])`,
        [
          ...common(violationRows),
          violationRows.map((r) => r.party),
          violationRows.map((r) => r.clause),
          violationRows.map((r) => r.eventId),
          violationRows.map((r) => r.value),
          violationRows.map((r) => r.tlp),
          violationRows.map((r) => r.releasableTo),
          input.committedAtMs,
        ],
      );
      await client.query(
        `INSERT INTO violation_heads (seq, id, revision, event_type, time_ms, lat, lon, party, clause)
         SELECT * FROM unnest(${commonTypes}, $8::text[], $9::text[])
         ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, revision = EXCLUDED.revision,
           event_type = EXCLUDED.event_type, time_ms = EXCLUDED.time_ms, lat = EXCLUDED.lat, lon = EXCLUDED.lon,
           party = EXCLUDED.party, clause = EXCLUDED.clause`,
        [...common(heads), heads.map((r) => r.party), heads.map((r) => r.clause)],
      );
    }
    const setAside = input.setAside ?? [];
    if (setAside.length > 0)
      await client.query(
        `WITH kept AS (
           INSERT INTO fusion_set_aside (seq, source_id, observed_at, reason)
           SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[])
           ON CONFLICT (seq) DO NOTHING
           RETURNING source_id, reason, observed_at)
         INSERT INTO fusion_set_aside_sources (source_id, reason, arrivals, first_ms, last_ms)
         SELECT source_id, reason, count(*), min(observed_at), max(observed_at) FROM kept GROUP BY source_id, reason
         ON CONFLICT (source_id, reason) DO UPDATE SET
           arrivals = fusion_set_aside_sources.arrivals + EXCLUDED.arrivals,
           first_ms = LEAST(fusion_set_aside_sources.first_ms, EXCLUDED.first_ms),
           last_ms = GREATEST(fusion_set_aside_sources.last_ms, EXCLUDED.last_ms)`,
        [
          setAside.map((a) => a.seq),
          setAside.map((a) => a.sourceId),
          setAside.map((a) => a.timeMs),
          setAside.map((a) => a.reason),
        ],
      );
    // Events, then violations, each read back; the ledger_state lock is taken after store_state's.
    const db = onClient(client);
    await this.#ledger.append(db, [
      ...(await this.#ledger.itemsOf(
        db,
        'event-revision',
        eventRows.map((row) => row.seq),
      )),
      ...(await this.#ledger.itemsOf(
        db,
        'violation-revision',
        violationRows.map((row) => row.seq),
      )),
    ]);
    await client.query(
      'UPDATE store_state SET last_seq = $1, fusion_cursor = GREATEST(fusion_cursor, $2) WHERE id = 1',
      [seq, input.cursorSeq],
    );
    return seq === state.last_seq ? null : seq;
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
        SELECT * FROM (SELECT 'event'::text AS kind, seq, committed_at, value, tlp, releasable_to FROM event_revisions
          WHERE seq > ${page.after} ORDER BY seq LIMIT ${page.limit}) AS e
        UNION ALL
        SELECT * FROM (SELECT 'violation'::text AS kind, seq, committed_at, value, tlp, releasable_to FROM violation_revisions
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
      // `&&` compares float4 boxes rounded outwards (a superset); the exact comparisons decide.
      where.push(
        sql`h.geom && ST_MakeEnvelope(${box.west}::float8, ${box.south}::float8, ${box.east}::float8, ${box.north}::float8, 4326)`,
        sql`h.lat >= ${box.south} AND h.lat <= ${box.north} AND h.lon >= ${box.west} AND h.lon <= ${box.east}`,
      );
    // The window as given (times may be fractional: an emission time is estimated, not reported).
    if (input.fromMs !== undefined) where.push(sql`h.time_ms >= ${input.fromMs}::float8`);
    if (input.toMs !== undefined) where.push(sql`h.time_ms < ${input.toMs}::float8`);
    if (checked.afterSeq !== undefined) where.push(sql`h.seq > ${checked.afterSeq}`);
    if (checked.throughSeq !== undefined) where.push(sql`h.seq <= ${checked.throughSeq}`);
    if (types !== undefined) where.push(sql`h.${sql.ref(tables.type)} IN (${sql.join(types)})`);
    if (parties !== undefined) where.push(sql`h.party IN (${sql.join(parties)})`);
    if (clauses !== undefined) where.push(sql`h.clause IN (${sql.join(clauses)})`);
    // The status is read from the head's value (a violation that stands has none): no index, so it
    // narrows what the other filters found. Read from the text, not through json or jsonb: either
    // fails the whole query on a value holding \u0000 anywhere (an explanation quoting an agreement's
    // label). `status` is a key of the top-level object only, and inside a JSON string its quotes
    // would be escaped, so the pattern matches that member alone.
    if (statuses !== undefined)
      where.push(
        sql`(CASE WHEN r.value LIKE '%"status":"withdrawn"%' THEN 'withdrawn' ELSE 'active' END) IN (${sql.join(statuses)})`,
      );
    const filter = where.length === 0 ? sql`TRUE` : sql.join(where, sql` AND `);
    const result = await sql<RevisionRow>`SELECT r.seq, r.committed_at, r.value, r.tlp, r.releasable_to
      FROM ${sql.table(tables.heads)} AS h JOIN ${sql.table(tables.revisions)} AS r ON r.seq = h.seq
      WHERE ${filter} ORDER BY h.seq LIMIT ${checked.limit}`.execute(this.#kysely);
    return result.rows;
  }
}
