/**
 * @module Observations, their markings, signed submissions and the quarantine in PostgreSQL/PostGIS.
 * Ingest takes the store_state row lock first, so writers are serialized and seq order is commit order;
 * the rows go in with one `unnest` INSERT per chunk, a signed batch's submission in the same transaction.
 * Concurrent calls share one transaction (group commit). Reads go through Kysely; a
 * box query uses the GiST index (`geom && envelope`) and then compares the exact coordinates, so the
 * answer equals SQLite's to the edge.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type pg from 'pg';
import { TrucelineError } from '../../core/errors.ts';
import { systemClock, type Clock } from '../../core/ports/clock.ts';
import type { ObservationKind, SensorState } from '../../core/observations/kinds.ts';
import type {
  IngestBatch,
  IngestCommit,
  ObservationCommitTime,
  ObservationQuery,
  ObservationStore,
  QuarantineEntry,
  StoredObservation,
  StoredSubmission,
} from '../../core/ports/observation-store.ts';
import type { SensorStatus } from '../../core/sources/source.ts';
import { checkedPage, checkedQuery } from '../common/checked-query.ts';
import { readCommitTimes } from '../common/commit-times.ts';
import { GROUP_SIZE, GroupCommit } from '../common/group-commit.ts';
import {
  DEFAULT_MARKING_COLUMNS,
  markingColumns,
  markingOf,
  type MarkingColumns,
} from '../common/marking-columns.ts';
import { leafMadeFor } from '../common/observation-row.ts';
import { planIngest, recordKey, type ExistingRecord } from '../common/plan-ingest.ts';
import { quarantineRows, storableOrigin } from '../common/quarantine-row.ts';
import { heartbeatState, sensorStatusUpdate } from '../common/sensor-status-update.ts';
import {
  SUBMISSION_COLUMNS,
  batchIdsBySource,
  checkedFlag,
  flagged,
  encodedBatch,
  submissionValues,
  toStoredSubmission,
} from '../common/submission-rows.ts';
import type { LedgerItem, PrecomputedItem } from '../common/ledger-leaves.ts';
import { onClient, type PostgresLedgerWriter } from './postgres-ledger.ts';
import type {
  PostgresObservationsTable,
  PostgresQuarantineTable,
  PostgresSchema,
} from './postgres-schema.ts';

const COLUMNS = [
  'seq',
  'source_id',
  'record_id',
  'kind',
  'observed_at',
  'time_uncertainty_ms',
  'received_at',
  'lat',
  'lon',
  'ce_m',
  'weapon_class',
  'batch_id',
  'content_sha256',
  'content',
  'tlp',
  'releasable_to',
] as const;
type ObservationRow = Pick<PostgresObservationsTable, (typeof COLUMNS)[number]>;

const toStored = (row: ObservationRow): StoredObservation => ({
  seq: row.seq,
  sourceId: row.source_id,
  recordId: row.record_id,
  kind: row.kind as ObservationKind,
  observedAtMs: row.observed_at,
  timeUncertaintyMs: row.time_uncertainty_ms,
  receivedAtMs: row.received_at,
  lat: row.lat,
  lon: row.lon,
  ceM: row.ce_m,
  weaponClass: row.weapon_class,
  batchId: row.batch_id,
  contentSha256: row.content_sha256,
  content: row.content,
  marking: markingOf(row.tlp, row.releasable_to),
});

const toQuarantineEntry = (row: PostgresQuarantineTable): QuarantineEntry => ({
  id: row.id,
  receivedAtMs: row.received_at,
  origin: row.origin,
  position: row.position,
  sourceId: row.source_id,
  recordId: row.record_id,
  field: row.field,
  reason: row.reason,
  sha256: row.sha256,
  sizeBytes: row.size_bytes,
  head: new Uint8Array(row.head),
  headKept: row.head_kept,
});

const DEFAULT_MARKING = DEFAULT_MARKING_COLUMNS.observation;

/** What a batch changes in its records' rows: markings other than the default, the signed batch id. */
interface BatchDetails {
  /** By source id; undefined when every record has the default. */
  readonly markings: ReadonlyMap<string, MarkingColumns> | undefined;
  readonly signedBatchId: string | undefined;
}

function batchDetails(batch: IngestBatch): BatchDetails | undefined {
  const markings =
    batch.markings === undefined || batch.markings.size === 0
      ? undefined
      : new Map([...batch.markings].map(([sourceId, marking]) => [sourceId, markingColumns(marking)]));
  const signedBatchId = batch.submission?.batchId;
  return markings === undefined && signedBatchId === undefined ? undefined : { markings, signedBatchId };
}

/** -0 becomes 0: SQLite cannot tell them apart, so no store does. */
const plain = (value: number | null): number | null => (value === null ? null : value + 0);

/** Rows per INSERT statement: bounds the size of one statement's parameters. */
const CHUNK = 10_000;
/** Keys per lookup: small enough that the planner probes the unique index instead of scanning the table. */
const LOOKUP_CHUNK = 2_000;

interface StateRow {
  last_seq: number;
  last_quarantine_id: number;
  quarantine_head_bytes: number;
  observation_count: number;
}

export class PostgresObservationStore implements ObservationStore {
  readonly #pool: pg.Pool;
  readonly #kysely: Kysely<PostgresSchema>;
  readonly #maxQuarantineBytes: number;
  readonly #group: GroupCommit<IngestBatch, IngestCommit>;
  readonly #ledger: PostgresLedgerWriter;
  readonly #clock: Clock;

  /**
   * @param pool the pool ingest transactions take a client from (shared with `kysely`)
   * @param ledger appends what each transaction writes to the ledger, in that transaction
   * @param maxQuarantineBytes the quota of kept rejected bytes
   * @param clock when each commit was made
   */
  constructor(
    pool: pg.Pool,
    kysely: Kysely<PostgresSchema>,
    ledger: PostgresLedgerWriter,
    maxQuarantineBytes: number,
    clock: Clock = systemClock,
  ) {
    this.#clock = clock;
    this.#pool = pool;
    this.#kysely = kysely;
    this.#ledger = ledger;
    this.#maxQuarantineBytes = maxQuarantineBytes;
    // A submission's body is compressed before its batch joins a commit, off the commit's thread.
    this.#group = new GroupCommit((batches) => this.#commitGroup(batches), GROUP_SIZE, encodedBatch);
  }

  commitIngest(batch: IngestBatch): Promise<IngestCommit> {
    return this.#group.submit(batch);
  }

  /** Waits for queued commits and refuses new ones. */
  close(): Promise<void> {
    return this.#group.close();
  }

  async #commitGroup(batches: readonly IngestBatch[]): Promise<IngestCommit[]> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const commits = await this.#write(client, batches);
      await client.query('COMMIT');
      return commits;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new TrucelineError('E_STORE', 'the ingest could not be committed', { cause: error });
    } finally {
      client.release();
    }
  }

  async #write(client: pg.PoolClient, batches: readonly IngestBatch[]): Promise<IngestCommit[]> {
    // The row lock: every writer takes it first, so no other writer inserts between our lookup and our
    // inserts, and commit order is seq order.
    const state = (
      await client.query<StateRow>(
        `SELECT last_seq, last_quarantine_id, quarantine_head_bytes, observation_count
           FROM store_state WHERE id = 1 FOR UPDATE`,
      )
    ).rows[0];
    if (state === undefined) throw new Error('store_state row is missing');
    const committedAtMs = this.#clock.now();

    const sourceIds: string[] = [];
    const recordIds: string[] = [];
    for (const batch of batches)
      for (const o of batch.observations) {
        sourceIds.push(o.sourceId);
        recordIds.push(o.recordId);
      }
    const existing = new Map<string, ExistingRecord>();
    for (let i = 0; i < sourceIds.length; i += LOOKUP_CHUNK) {
      const found = await client.query<{
        source_id: string;
        record_id: string;
        seq: number;
        content_sha256: string;
      }>(
        `SELECT o.source_id, o.record_id, o.seq, o.content_sha256
           FROM unnest($1::text[], $2::text[]) AS k(source_id, record_id)
           JOIN observations o ON o.source_id = k.source_id AND o.record_id = k.record_id`,
        [sourceIds.slice(i, i + LOOKUP_CHUNK), recordIds.slice(i, i + LOOKUP_CHUNK)],
      );
      for (const row of found.rows)
        existing.set(recordKey(row.source_id, row.record_id), {
          seq: row.seq,
          contentSha256: row.content_sha256,
        });
    }

    const plan = planIngest(batches, existing, state.last_seq);
    // Per batch: its records' markings and, when signed, its batch id.
    const byBatch = new Map(batches.map((batch) => [batch, batchDetails(batch)]));
    const details = plan.inserts.map((p) => byBatch.get(p.batch));
    for (let i = 0; i < plan.inserts.length; i += CHUNK) {
      const chunk = plan.inserts.slice(i, i + CHUNK);
      const chunkDetails = details.slice(i, i + CHUNK);
      // Records with the default marking (nearly all) cost two constant parameters per statement; only
      // a chunk holding a marked record sends the markings row by row.
      const markedChunk = chunkDetails.some((d) => d?.markings !== undefined);
      const markingsOfChunk = markedChunk
        ? chunk.map((p, j) => chunkDetails[j]?.markings?.get(p.observation.sourceId) ?? DEFAULT_MARKING)
        : undefined;
      const [select, marked] = markedChunk
        ? ['*', ', $15::text[], $16::text[]']
        : ['o.*, $15::text, $16::text', ''];
      await client.query(
        `INSERT INTO observations (seq, source_id, record_id, kind, observed_at, time_uncertainty_ms, received_at,
           lat, lon, ce_m, weapon_class, batch_id, content_sha256, content, tlp, releasable_to)
         SELECT ${select} FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::float8[],
           $7::bigint[], $8::float8[], $9::float8[], $10::float8[], $11::text[], $12::text[], $13::text[],
           $14::text[]${marked}) AS o`,
        [
          chunk.map((p) => p.seq),
          chunk.map((p) => p.observation.sourceId),
          chunk.map((p) => p.observation.recordId),
          chunk.map((p) => p.observation.kind),
          chunk.map((p) => p.observation.observedAtMs),
          chunk.map((p) => p.observation.timeUncertaintyMs + 0),
          chunk.map((p) => p.receivedAtMs),
          chunk.map((p) => plain(p.observation.lat)),
          chunk.map((p) => plain(p.observation.lon)),
          chunk.map((p) => plain(p.observation.ceM)),
          chunk.map((p) => p.observation.weaponClass),
          chunk.map((p, j) => chunkDetails[j]?.signedBatchId ?? p.observation.batchId),
          chunk.map((p) => p.observation.contentSha256),
          chunk.map((p) => p.observation.content),
          ...(markingsOfChunk === undefined
            ? [DEFAULT_MARKING.tlp, DEFAULT_MARKING.releasableTo]
            : [markingsOfChunk.map((m) => m.tlp), markingsOfChunk.map((m) => m.releasableTo)]),
        ],
      );
    }

    // The submissions each batch stored (a repeat is not stored again), for the ledger.
    const submitted = new Map<IngestBatch, string>();
    for (const batch of batches) {
      if (batch.submission === undefined) continue;
      // A second submission under the same source and batch id is not stored again, and never fails
      // the transaction (which other callers' batches share).
      const inserted = await client.query(
        `INSERT INTO submissions (${SUBMISSION_COLUMNS.join(', ')})
         VALUES (${SUBMISSION_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
         ON CONFLICT (source_id, batch_id) DO NOTHING`,
        submissionValues(batch.submission),
      );
      if (inserted.rowCount === 1)
        submitted.set(batch, JSON.stringify([batch.submission.sourceId, batch.submission.batchId]));
    }

    await this.#recordHeartbeats(client, plan.inserts);

    let quarantineId = state.last_quarantine_id;
    let usedBytes = state.quarantine_head_bytes;
    const quarantinedIds = new Map<IngestBatch, number[]>();
    for (const batch of batches) {
      if (batch.rejects.length === 0) continue;
      const quarantined = quarantineRows(batch.rejects, usedBytes, this.#maxQuarantineBytes);
      usedBytes = quarantined.usedBytes;
      const rows = quarantined.rows;
      const firstId = quarantineId + 1;
      quarantineId += rows.length;
      quarantinedIds.set(
        batch,
        rows.map((_, j) => firstId + j),
      );
      // Small chunks: each row may carry 64 KiB.
      for (let i = 0; i < rows.length; i += 200) {
        const chunk = rows.slice(i, i + 200);
        await client.query(
          `INSERT INTO quarantine (id, received_at, origin, position, source_id, record_id, field, reason, sha256,
             size_bytes, head, head_kept)
           SELECT k.id, $2, $3, k.position, k.source_id, k.record_id, k.field, k.reason, k.sha256, k.size_bytes,
             k.head, k.head_kept
           FROM unnest($1::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
             $10::bigint[], $11::bytea[], $12::boolean[])
             AS k(id, position, source_id, record_id, field, reason, sha256, size_bytes, head, head_kept)`,
          [
            chunk.map((_, j) => firstId + i + j),
            batch.receivedAtMs,
            storableOrigin(batch.origin),
            chunk.map((r) => r.position),
            chunk.map((r) => r.sourceId),
            chunk.map((r) => r.recordId),
            chunk.map((r) => r.field),
            chunk.map((r) => r.reason),
            chunk.map((r) => r.sha256),
            chunk.map((r) => r.sizeBytes),
            chunk.map((r) => Buffer.from(r.head.buffer, r.head.byteOffset, r.head.byteLength)),
            chunk.map((r) => r.headKept),
          ],
        );
      }
    }

    await this.#ledgerGroup(client, batches, byBatch, plan.inserts, quarantinedIds, submitted);

    if (plan.lastSeq > state.last_seq)
      await client.query('INSERT INTO observation_commits (last_seq, committed_at) VALUES ($1, $2)', [
        plan.lastSeq,
        committedAtMs,
      ]);
    await client.query(
      `UPDATE store_state SET last_seq = $1, last_quarantine_id = $2, quarantine_head_bytes = $3,
         observation_count = $4 WHERE id = 1`,
      [plan.lastSeq, quarantineId, usedBytes, state.observation_count + plan.inserts.length],
    );
    return plan.outcomes.map((outcomes, i) => ({ outcomes, lastSeq: plan.lastSeqs[i] ?? null }));
  }

  /**
   * Ledgers what the group wrote, as SQLite does: batch by batch, its accepted observations, then its
   * quarantined records, then its submission if it was stored. An observation whose leaf was made
   * ahead for exactly the row it became takes that leaf; every other record is read back from its row.
   * Runs after the store_state lock, and takes the ledger_state lock last.
   */
  async #ledgerGroup(
    client: pg.PoolClient,
    batches: readonly IngestBatch[],
    details: ReadonlyMap<IngestBatch, BatchDetails | undefined>,
    inserts: ReturnType<typeof planIngest>['inserts'],
    quarantinedIds: ReadonlyMap<IngestBatch, readonly number[]>,
    submitted: ReadonlyMap<IngestBatch, string>,
  ): Promise<void> {
    const db = onClient(client);
    // Per batch, in order: each accepted observation's leaf made ahead, or its seq to read back.
    const accepted = new Map<IngestBatch, (PrecomputedItem | number)[]>();
    const readBack: number[] = [];
    for (const { batch, seq, observation: o, receivedAtMs } of inserts) {
      const d = details.get(batch);
      const marking = d?.markings?.get(o.sourceId) ?? DEFAULT_MARKING;
      const leaf = leafMadeFor(o, receivedAtMs, d?.signedBatchId ?? o.batchId, marking);
      if (leaf === undefined) readBack.push(seq);
      const entry = leaf === undefined ? seq : { type: 'observation', key: seq, precomputed: leaf };
      const list = accepted.get(batch);
      if (list === undefined) accepted.set(batch, [entry]);
      else list.push(entry);
    }
    const items = {
      observation: await this.#ledger.itemsOf(db, 'observation', readBack),
      quarantine: await this.#ledger.itemsOf(db, 'quarantine', [...quarantinedIds.values()].flat()),
      submission: await this.#ledger.itemsOf(db, 'submission', [...submitted.values()]),
    };
    const byKey = (list: readonly LedgerItem[]) => new Map(list.map((item) => [String(item.key), item]));
    const observations = byKey(items.observation);
    const quarantined = byKey(items.quarantine);
    const submissions = byKey(items.submission);
    const take = (found: ReadonlyMap<string, LedgerItem>, key: number | string): LedgerItem => {
      const item = found.get(String(key));
      if (item === undefined) throw new Error(`no ledger item for ${String(key)}`);
      return item;
    };
    const ledgered: (LedgerItem | PrecomputedItem)[] = [];
    for (const batch of batches) {
      for (const entry of accepted.get(batch) ?? [])
        ledgered.push(typeof entry === 'number' ? take(observations, entry) : entry);
      for (const id of quarantinedIds.get(batch) ?? []) ledgered.push(take(quarantined, id));
      const submission = submitted.get(batch);
      if (submission !== undefined) ledgered.push(take(submissions, submission));
    }
    await this.#ledger.append(db, ledgered);
  }

  /** Applies the accepted heartbeats, in commit order, to the statuses of their sensors. */
  async #recordHeartbeats(
    client: pg.PoolClient,
    inserts: ReturnType<typeof planIngest>['inserts'],
  ): Promise<void> {
    const beats = inserts.flatMap(({ observation }) => {
      const state = heartbeatState(observation);
      return state === undefined
        ? []
        : [{ sourceId: observation.sourceId, state, observedAtMs: observation.observedAtMs }];
    });
    if (beats.length === 0) return;
    const current = new Map<string, SensorStatus>();
    const found = await client.query<{
      source_id: string;
      state: string;
      since_ms: number;
      last_heartbeat_ms: number;
    }>(
      'SELECT source_id, state, since_ms, last_heartbeat_ms FROM sensor_status WHERE source_id = ANY($1::text[])',
      [[...new Set(beats.map((b) => b.sourceId))]],
    );
    for (const row of found.rows)
      current.set(row.source_id, {
        sourceId: row.source_id,
        state: row.state as SensorState,
        sinceMs: row.since_ms,
        lastHeartbeatMs: row.last_heartbeat_ms,
      });
    const changed = new Map<string, SensorStatus>();
    for (const beat of beats) {
      const next = sensorStatusUpdate(current.get(beat.sourceId), beat);
      if (next === undefined) continue;
      current.set(beat.sourceId, next);
      changed.set(beat.sourceId, next);
    }
    const rows = [...changed.values()];
    await client.query(
      `INSERT INTO sensor_status (source_id, state, since_ms, last_heartbeat_ms)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[])
       ON CONFLICT (source_id) DO UPDATE SET state = EXCLUDED.state, since_ms = EXCLUDED.since_ms,
         last_heartbeat_ms = EXCLUDED.last_heartbeat_ms`,
      [
        rows.map((r) => r.sourceId),
        rows.map((r) => r.state),
        rows.map((r) => r.sinceMs),
        rows.map((r) => r.lastHeartbeatMs),
      ],
    );
  }

  async findBySeq(seq: number): Promise<StoredObservation | undefined> {
    if (!Number.isSafeInteger(seq)) return undefined;
    const row = await this.#kysely
      .selectFrom('observations')
      .select(COLUMNS)
      .where('seq', '=', seq)
      .executeTakeFirst();
    return row && toStored(row);
  }

  async findByRecordId(sourceId: string, recordId: string): Promise<StoredObservation | undefined> {
    const row = await this.#kysely
      .selectFrom('observations')
      .select(COLUMNS)
      .where('source_id', '=', sourceId)
      .where('record_id', '=', recordId)
      .executeTakeFirst();
    return row && toStored(row);
  }

  async query(input: ObservationQuery): Promise<readonly StoredObservation[]> {
    const query = checkedQuery(input);
    if (query.limit === 0 || query.kinds?.length === 0 || query.sourceIds?.length === 0) return [];
    let select = this.#kysely.selectFrom('observations').select(COLUMNS);
    const box = query.bbox;
    if (box !== undefined) {
      // `&&` compares float4 boxes rounded outwards (a superset); the exact comparisons decide.
      select = select
        .where(
          sql<boolean>`geom && ST_MakeEnvelope(${box.west}::float8, ${box.south}::float8, ${box.east}::float8, ${box.north}::float8, 4326)`,
        )
        .where('lat', '>=', box.south)
        .where('lat', '<=', box.north)
        .where('lon', '>=', box.west)
        .where('lon', '<=', box.east);
    }
    if (query.fromMs !== undefined) select = select.where('observed_at', '>=', query.fromMs);
    if (query.toMs !== undefined) select = select.where('observed_at', '<', query.toMs);
    if (query.kinds !== undefined) select = select.where('kind', 'in', query.kinds);
    if (query.sourceIds !== undefined) select = select.where('source_id', 'in', query.sourceIds);
    if (query.afterSeq !== undefined) select = select.where('seq', '>', query.afterSeq);
    if (query.throughSeq !== undefined) select = select.where('seq', '<=', query.throughSeq);
    const rows = await select.orderBy('seq').limit(query.limit).execute();
    return rows.map(toStored);
  }

  listCommitTimes(afterSeq: number, limit: number): Promise<readonly ObservationCommitTime[]> {
    return readCommitTimes(this.#kysely, afterSeq, limit);
  }

  async listAfter(afterSeq: number, limit: number): Promise<readonly StoredObservation[]> {
    const page = checkedPage(afterSeq, limit);
    const rows = await this.#kysely
      .selectFrom('observations')
      .select(COLUMNS)
      .where('seq', '>', page.after)
      .orderBy('seq')
      .limit(page.limit)
      .execute();
    return rows.map(toStored);
  }

  async latestSeq(): Promise<number> {
    const row = await this.#kysely.selectFrom('store_state').select('last_seq').executeTakeFirstOrThrow();
    return row.last_seq;
  }

  /** PostgreSQL makes a commit visible once it is durable: the latest. */
  durableSeq(): Promise<number> {
    return this.latestSeq();
  }

  async count(): Promise<number> {
    const row = await this.#kysely
      .selectFrom('store_state')
      .select('observation_count')
      .executeTakeFirstOrThrow();
    return row.observation_count;
  }

  /** From the index on the observation time. */
  async latestObservedAtMs(): Promise<number | undefined> {
    const row = await this.#kysely
      .selectFrom('observations')
      .select((eb) => eb.fn.max('observed_at').as('latest'))
      .executeTakeFirst();
    return row?.latest ?? undefined;
  }

  async listQuarantine(afterId: number, limit: number): Promise<readonly QuarantineEntry[]> {
    const page = checkedPage(afterId, limit);
    const rows = await this.#kysely
      .selectFrom('quarantine')
      .selectAll()
      .where('id', '>', page.after)
      .orderBy('id')
      .limit(page.limit)
      .execute();
    return rows.map(toQuarantineEntry);
  }

  async countQuarantine(): Promise<number> {
    const row = await this.#kysely
      .selectFrom('quarantine')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    // count(*) is a bigint, which the pool parses to a number (see open-postgres-store.ts).
    return Number(row.n);
  }

  async findSubmission(sourceId: string, batchId: string): Promise<StoredSubmission | undefined> {
    const row = await this.#kysely
      .selectFrom('submissions')
      .selectAll()
      .where('source_id', '=', sourceId)
      .where('batch_id', '=', batchId)
      .executeTakeFirst();
    return row && toStoredSubmission(row);
  }

  async flagSubmissions(
    keyId: string,
    fromMs: number,
    atMs: number,
    reason: string,
  ): Promise<{
    readonly batches: readonly { sourceId: string; batchId: string }[];
    readonly seqs: readonly number[];
  }> {
    const from = checkedFlag(keyId, fromMs, atMs);
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      // FOR UPDATE locks the rows to flag; a concurrent flagging waits, then finds them flagged.
      const rows = await client.query<{ source_id: string; batch_id: string }>(
        `SELECT source_id, batch_id FROM submissions
         WHERE key_id = $1 AND signed_at >= $2 AND flagged_at IS NULL
         ORDER BY source_id, batch_id FOR UPDATE`,
        [keyId, from],
      );
      const batches = rows.rows.map((row) => ({ sourceId: row.source_id, batchId: row.batch_id }));
      // Each flag changes a ledgered row: a new leaf for it, the old record kept in the history; in
      // the order SQLite ledgers them (by source, then batch id).
      await this.#ledger.changeRows(
        onClient(client),
        'submission',
        batches.map(({ sourceId, batchId }) => JSON.stringify([sourceId, batchId])),
        () =>
          client.query(
            `UPDATE submissions AS s SET flagged_at = $1, flag_reason = $2
             FROM unnest($3::text[], $4::text[]) AS k(source_id, batch_id)
             WHERE s.source_id = k.source_id AND s.batch_id = k.batch_id`,
            [atMs, reason, batches.map((b) => b.sourceId), batches.map((b) => b.batchId)],
          ),
      );
      const seqs: number[] = [];
      // One scan per source through the (source_id, record_id) index: rare, and no index on batch ids
      // burdens ingest.
      for (const [sourceId, batchIds] of batchIdsBySource(batches)) {
        const found = await client.query<{ seq: number }>(
          'SELECT seq FROM observations WHERE source_id = $1 AND batch_id = ANY($2::text[])',
          [sourceId, batchIds],
        );
        for (const row of found.rows) seqs.push(row.seq);
      }
      await client.query('COMMIT');
      return flagged(batches, seqs);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new TrucelineError('E_STORE', 'the submissions could not be flagged', { cause: error });
    } finally {
      client.release();
    }
  }
}
