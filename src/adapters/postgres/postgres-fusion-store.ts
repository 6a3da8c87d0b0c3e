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
import { TrucelineError, validationError, type FieldIssue } from '../../core/errors.ts';
import type { FusedEvent, GaussianPoint } from '../../core/fusion/event.ts';
import type {
  EventQuery,
  FusionChange,
  FusionCommit,
  FusionStore,
  StoredEvent,
  StoredViolation,
  ViolationQuery,
} from '../../core/ports/fusion-store.ts';
import type { PotentialViolation } from '../../core/rules/potential-violation.ts';
import { checkedPage, checkedQuery } from '../common/checked-query.ts';
import type { PostgresSchema } from './postgres-schema.ts';

/** -0 becomes 0: SQLite cannot tell them apart, so no store does. */
const plain = (value: number): number => value + 0;

/** What a commit writes for one revision, before it has a sequence. */
interface Pending {
  readonly id: string;
  readonly revision: number;
  readonly type: string;
  readonly timeMs: number;
  readonly lat: number | null;
  readonly lon: number | null;
  /** Violations only (null for events). */
  readonly eventId: string | null;
  readonly party: string | null;
  readonly clause: string | null;
  readonly value: string;
}

const pointOf = (point: GaussianPoint | null): { lat: number | null; lon: number | null } =>
  point === null ? { lat: null, lon: null } : { lat: plain(point.lat), lon: plain(point.lon) };

const eventRow = (e: FusedEvent): Pending => ({
  id: e.id,
  revision: e.revision,
  type: e.type,
  timeMs: plain(e.timeMs),
  ...pointOf(e.location ?? e.origin),
  eventId: null,
  party: null,
  clause: null,
  value: JSON.stringify(e),
});

const violationRow = (v: PotentialViolation): Pending => ({
  id: v.id,
  revision: v.revision,
  type: v.eventType,
  timeMs: plain(v.timeMs),
  ...pointOf(v.location),
  eventId: v.eventId,
  party: v.party,
  clause: v.clause,
  value: JSON.stringify(v),
});

/** Throws `E_VALIDATION` naming each field a store could not keep or index faithfully. */
function checkCommit(input: FusionCommit): void {
  const issues: FieldIssue[] = [];
  if (!Number.isSafeInteger(input.cursorSeq) || input.cursorSeq < 0)
    issues.push({ path: 'cursorSeq', reason: 'must be a whole number, 0 or more' });
  if (!Number.isSafeInteger(input.committedAtMs))
    issues.push({ path: 'committedAtMs', reason: 'must be a whole number of milliseconds' });
  const each = (path: string, value: FusedEvent | PotentialViolation, point: GaussianPoint | null) => {
    if (typeof value.id !== 'string' || value.id === '')
      issues.push({ path: `${path}.id`, reason: 'must be a non-empty string' });
    if (!Number.isSafeInteger(value.revision) || value.revision < 1)
      issues.push({ path: `${path}.revision`, reason: 'must be a whole number, 1 or more' });
    if (!Number.isFinite(value.timeMs))
      issues.push({ path: `${path}.timeMs`, reason: 'must be a finite number' });
    if (point !== null && !(Number.isFinite(point.lat) && Number.isFinite(point.lon)))
      issues.push({ path: `${path}.location`, reason: 'lat and lon must be finite numbers' });
  };
  input.events.forEach((e, i) => each(`events[${i}]`, e, e.location ?? e.origin));
  input.violations.forEach((v, i) => each(`violations[${i}]`, v, v.location));
  if (issues.length > 0) throw validationError('the fusion commit is invalid', issues);
}

/** Throws `E_CONFLICT` when a revision is not after the latest one stored (or earlier in the commit). */
function checkRevisions(
  what: 'event' | 'potential violation',
  rows: readonly Pending[],
  latest: (id: string) => number,
): void {
  const seen = new Map<string, number>();
  for (const row of rows) {
    const before = seen.get(row.id) ?? latest(row.id);
    if (row.revision <= before)
      throw new TrucelineError(
        'E_CONFLICT',
        `${what} ${JSON.stringify(row.id)} revision ${row.revision} is not after its revision ${before}`,
        { details: { what, id: row.id, revision: row.revision, latest: before } },
      );
    seen.set(row.id, row.revision);
  }
}

interface RevisionRow {
  seq: number;
  committed_at: number;
  value: string;
}

const toEvent = (row: RevisionRow): StoredEvent => ({
  seq: row.seq,
  committedAtMs: row.committed_at,
  event: JSON.parse(row.value) as FusedEvent,
});

const toViolation = (row: RevisionRow): StoredViolation => ({
  seq: row.seq,
  committedAtMs: row.committed_at,
  violation: JSON.parse(row.value) as PotentialViolation,
});

/** The tables of one kind of output. */
const TABLES = {
  event: { revisions: 'event_revisions', heads: 'event_heads', type: 'type' },
  violation: { revisions: 'violation_revisions', heads: 'violation_heads', type: 'event_type' },
} as const;

/** The last row of each id (a head is upserted once per statement). */
function lastOfEach<T extends { readonly id: string }>(rows: readonly T[]): T[] {
  return [...new Map(rows.map((row) => [row.id, row])).values()];
}

export class PostgresFusionStore implements FusionStore {
  readonly #pool: pg.Pool;
  readonly #kysely: Kysely<PostgresSchema>;

  /** @param pool the pool commit transactions take a client from (shared with `kysely` and ingest) */
  constructor(pool: pg.Pool, kysely: Kysely<PostgresSchema>) {
    this.#pool = pool;
    this.#kysely = kysely;
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

  async #write(client: pg.PoolClient, input: FusionCommit): Promise<number | null> {
    // The row lock every writer takes first: no other commit takes a sequence until ours commits.
    const state = (
      await client.query<{ last_seq: number; fusion_cursor: number }>(
        'SELECT last_seq, fusion_cursor FROM store_state WHERE id = 1 FOR UPDATE',
      )
    ).rows[0];
    if (state === undefined) throw new Error('store_state row is missing');
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
        `INSERT INTO event_revisions (seq, id, revision, type, time_ms, lat, lon, value, committed_at)
         SELECT *, $9::bigint FROM unnest(${commonTypes}, $8::text[])`,
        [...common(eventRows), eventRows.map((r) => r.value), input.committedAtMs],
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
           event_id, value, committed_at)
         SELECT *, $12::bigint FROM unnest(${commonTypes}, $8::text[], $9::text[], $10::text[], $11::text[])`,
        [
          ...common(violationRows),
          violationRows.map((r) => r.party),
          violationRows.map((r) => r.clause),
          violationRows.map((r) => r.eventId),
          violationRows.map((r) => r.value),
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

  async listEvents(query: EventQuery): Promise<readonly StoredEvent[]> {
    return (await this.#heads('event', query)).map(toEvent);
  }

  async eventRevisions(id: string): Promise<readonly StoredEvent[]> {
    return (await this.#revisions('event', id)).map(toEvent);
  }

  async listViolations(query: ViolationQuery): Promise<readonly StoredViolation[]> {
    return (await this.#heads('violation', query)).map(toViolation);
  }

  async violationRevisions(id: string): Promise<readonly StoredViolation[]> {
    return (await this.#revisions('violation', id)).map(toViolation);
  }

  async changesAfter(afterSeq: number, limit: number): Promise<readonly FusionChange[]> {
    const page = checkedPage(afterSeq, limit);
    if (page.limit === 0) return [];
    // Each side takes at most `limit` rows from its primary key, then the two are merged.
    const result = await sql<RevisionRow & { kind: 'event' | 'violation' }>`
      SELECT kind, seq, committed_at, value FROM (
        SELECT * FROM (SELECT 'event'::text AS kind, seq, committed_at, value FROM event_revisions
          WHERE seq > ${page.after} ORDER BY seq LIMIT ${page.limit}) AS e
        UNION ALL
        SELECT * FROM (SELECT 'violation'::text AS kind, seq, committed_at, value FROM violation_revisions
          WHERE seq > ${page.after} ORDER BY seq LIMIT ${page.limit}) AS v
      ) AS c ORDER BY seq LIMIT ${page.limit}`.execute(this.#kysely);
    return result.rows.map((row) =>
      row.kind === 'event'
        ? { type: 'event', seq: row.seq, stored: toEvent(row) }
        : { type: 'violation', seq: row.seq, stored: toViolation(row) },
    );
  }

  async #revisions(kind: keyof typeof TABLES, id: string): Promise<RevisionRow[]> {
    const result = await sql<RevisionRow>`SELECT seq, committed_at, value
      FROM ${sql.table(TABLES[kind].revisions)} WHERE id = ${id} ORDER BY seq`.execute(this.#kysely);
    return result.rows;
  }

  /** The heads matching `input`, in seq order, with their revisions' values. */
  async #heads(kind: keyof typeof TABLES, input: ViolationQuery): Promise<RevisionRow[]> {
    const checked = checkedQuery(input);
    const { types, parties, clauses } = input;
    if (checked.limit === 0 || types?.length === 0 || parties?.length === 0 || clauses?.length === 0)
      return [];
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
    if (types !== undefined) where.push(sql`h.${sql.ref(tables.type)} IN (${sql.join(types)})`);
    if (parties !== undefined) where.push(sql`h.party IN (${sql.join(parties)})`);
    if (clauses !== undefined) where.push(sql`h.clause IN (${sql.join(clauses)})`);
    const filter = where.length === 0 ? sql`TRUE` : sql.join(where, sql` AND `);
    const result = await sql<RevisionRow>`SELECT r.seq, r.committed_at, r.value
      FROM ${sql.table(tables.heads)} AS h JOIN ${sql.table(tables.revisions)} AS r ON r.seq = h.seq
      WHERE ${filter} ORDER BY h.seq LIMIT ${checked.limit}`.execute(this.#kysely);
    return result.rows;
  }
}
