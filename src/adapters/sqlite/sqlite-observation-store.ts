/**
 * @module Observations, their markings, signed submissions and the quarantine in SQLite. Ingest is the
 * hot path: one IMMEDIATE transaction of prepared better-sqlite3 statements per group of concurrent
 * calls (group commit), a signed batch's submission in it with its records; reads go through Kysely.
 */
import type Database from 'better-sqlite3';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { TrucelineError } from '../../core/errors.ts';
import { systemClock, type Clock } from '../../core/ports/clock.ts';
import type { ObservationKind } from '../../core/observations/kinds.ts';
import type {
  IngestBatch,
  IngestCommit,
  ObservationCommitTime,
  ObservationQuery,
  ObservationStore,
  QuarantineEntry,
  RecordOutcome,
  StoredObservation,
  StoredSubmission,
} from '../../core/ports/observation-store.ts';
import type { SensorState } from '../../core/observations/kinds.ts';
import type { SensorStatus } from '../../core/sources/source.ts';
import { checkedPage, checkedQuery } from '../common/checked-query.ts';
import { readCommitTimes } from '../common/commit-times.ts';
import { GROUP_SIZE, GroupCommit } from '../common/group-commit.ts';
import { commitUnsynced, type WalSync } from './wal-sync.ts';
import { markingColumns, markingOf, type MarkingColumns } from '../common/marking-columns.ts';
import { quarantineRows, storableOrigin } from '../common/quarantine-row.ts';
import { heartbeatState, sensorStatusUpdate } from '../common/sensor-status-update.ts';
import { spatialGrid } from '../common/spatial-grid.ts';
import {
  SUBMISSION_COLUMNS,
  batchIdsBySource,
  checkedFlag,
  flagged,
  encodedBatch,
  submissionValues,
  toStoredSubmission,
  type SubmissionValues,
} from '../common/submission-rows.ts';
import {
  DEFAULT_OBSERVATION_MARKING,
  leafMadeFor,
  observationRecord,
  observationRow,
} from '../common/observation-row.ts';
import type { SqliteLedgerWriter } from './sqlite-ledger.ts';
import type { SqliteObservationsTable, SqliteQuarantineTable, SqliteSchema } from './sqlite-schema.ts';

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
type ObservationRow = Pick<SqliteObservationsTable, (typeof COLUMNS)[number]>;

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

const toQuarantineEntry = (row: SqliteQuarantineTable): QuarantineEntry => ({
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
  headKept: row.head_kept === 1,
});

/** What one seek of the grid index costs, in index entries read in sequence (a rough measure). */
const SEEK_COST = 5;

interface StateRow {
  last_seq: number;
  last_quarantine_id: number;
  quarantine_head_bytes: number;
  observation_count: number;
  first_observed_at: number | null;
  last_observed_at: number | null;
}

interface StatusRow {
  state: string;
  since_ms: number;
  last_heartbeat_ms: number;
}

/** Prepared statements of the ingest transaction. */
function prepareIngest(db: Database.Database) {
  return {
    readState: db.prepare<[], StateRow>(
      `SELECT last_seq, last_quarantine_id, quarantine_head_bytes, observation_count, first_observed_at,
        last_observed_at FROM store_state WHERE id = 1`,
    ),
    writeState: db.prepare<[number, number, number, number, number | null, number | null]>(
      `UPDATE store_state SET last_seq = ?, last_quarantine_id = ?, quarantine_head_bytes = ?,
        observation_count = ?, first_observed_at = ?, last_observed_at = ? WHERE id = 1`,
    ),
    insert: db.prepare<
      [
        number,
        string,
        string,
        string,
        number,
        number,
        number,
        number | null,
        number | null,
        number | null,
        number | null,
        string | null,
        string | null,
        string,
        string,
        string,
        string,
      ]
    >(
      `INSERT INTO observations (seq, source_id, record_id, kind, observed_at, time_uncertainty_ms, received_at,
         lat, lon, ce_m, grid_key, weapon_class, batch_id, content_sha256, content, tlp, releasable_to)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (source_id, record_id) DO NOTHING`,
    ),
    // A second submission under the same source and batch id is not stored again, and never fails the
    // transaction (which other callers' batches share).
    insertSubmission: db.prepare<SubmissionValues>(
      `INSERT INTO submissions (${SUBMISSION_COLUMNS.join(', ')})
       VALUES (${SUBMISSION_COLUMNS.map(() => '?').join(', ')})
       ON CONFLICT (source_id, batch_id) DO NOTHING`,
    ),
    existing: db.prepare<[string, string], { seq: number; content_sha256: string }>(
      'SELECT seq, content_sha256 FROM observations WHERE source_id = ? AND record_id = ?',
    ),
    insertQuarantine: db.prepare<
      [
        number,
        number,
        string,
        number,
        string | null,
        string | null,
        string,
        string,
        string,
        number,
        Buffer,
        number,
      ]
    >(
      `INSERT INTO quarantine (id, received_at, origin, position, source_id, record_id, field, reason, sha256,
         size_bytes, head, head_kept) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    status: db.prepare<[string], StatusRow>(
      'SELECT state, since_ms, last_heartbeat_ms FROM sensor_status WHERE source_id = ?',
    ),
    insertCommitTime: db.prepare<[number, number]>(
      'INSERT INTO observation_commits (last_seq, committed_at) VALUES (?, ?)',
    ),
    writeStatus: db.prepare<[string, string, number, number]>(
      `INSERT INTO sensor_status (source_id, state, since_ms, last_heartbeat_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (source_id) DO UPDATE SET state = excluded.state, since_ms = excluded.since_ms,
         last_heartbeat_ms = excluded.last_heartbeat_ms`,
    ),
  };
}

export class SqliteObservationStore implements ObservationStore {
  readonly #kysely: Kysely<SqliteSchema>;
  readonly #wal: WalSync | undefined;
  readonly #group: GroupCommit<IngestBatch, IngestCommit>;
  readonly #flag: (keyId: string, fromMs: number, atMs: number, reason: string) => FlagOutcome;
  /** The ledger's size right after each commit was made (see {@link WalSync.noteDurable}). */
  readonly #ledgerSizeAfter = new WeakMap<IngestCommit, number>();

  /**
   * @param db the connection ingest writes through (shared with `kysely`)
   * @param maxQuarantineBytes the quota of kept rejected bytes
   * @param clock when each commit was made
   */
  constructor(
    db: Database.Database,
    kysely: Kysely<SqliteSchema>,
    ledger: SqliteLedgerWriter,
    maxQuarantineBytes: number,
    wal?: WalSync,
    clock: Clock = systemClock,
  ) {
    this.#kysely = kysely;
    this.#wal = wal;
    const statements = prepareIngest(db);
    // The commit's time is read inside the transaction, once BEGIN IMMEDIATE has the write lock: read
    // before it, a wait for another connection's commit would date the commit early.
    const transaction = db.transaction((batches: readonly IngestBatch[]) =>
      commitGroup(statements, ledger, batches, maxQuarantineBytes, clock.now()),
    );
    this.#group = new GroupCommit(
      (batches) => {
        try {
          const commits = commitUnsynced(db, wal, () => transaction.immediate(batches));
          // The ledger's size with the group's entries in the log: on disk with them once synced.
          if (wal !== undefined) {
            const ledgerSize = ledger.size();
            for (const commit of commits) this.#ledgerSizeAfter.set(commit, ledgerSize);
          }
          return commits;
        } catch (error) {
          throw new TrucelineError('E_STORE', 'the ingest could not be committed', { cause: error });
        }
        // A submission's body is compressed before its batch joins a commit, off the commit's thread.
      },
      GROUP_SIZE,
      encodedBatch,
      wal &&
        (() =>
          wal.afterCommit().catch((error: unknown) => {
            throw new TrucelineError('E_STORE', 'the ingest was committed but could not be synced to disk', {
              cause: error,
            });
          })),
    );
    const flagStatements = prepareFlag(db);
    const flag = db.transaction((keyId: string, fromMs: number, atMs: number, reason: string) =>
      flagBatches(flagStatements, ledger, keyId, fromMs, atMs, reason),
    );
    this.#flag = (keyId, fromMs, atMs, reason) => flag.immediate(keyId, fromMs, atMs, reason);
  }

  async commitIngest(batch: IngestBatch): Promise<IngestCommit> {
    const commit = await this.#group.submit(batch);
    // Answered once synced: the stream may send what it made without waiting for another sync.
    if (commit.lastSeq !== null) this.#wal?.noteDurable(commit.lastSeq, this.#ledgerSizeAfter.get(commit));
    return commit;
  }

  /** Waits for queued commits and refuses new ones. */
  close(): Promise<void> {
    return this.#group.close();
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
    // Filters the chosen index can decide alone (it holds key, time, lat, lon and seq), and the rest.
    const indexed: RawBuilder<unknown>[] = [];
    const other: RawBuilder<unknown>[] = [];
    const hasWindow = query.fromMs !== undefined || query.toMs !== undefined;
    // The planner is told which index to use: with ORDER BY seq LIMIT it would otherwise often walk the
    // whole table in seq order (docs/decisions/0004-spatial-index.md). The grid index is the only one
    // that holds times and places: a box is read as the keys that cover it, a window as the keys of
    // the days it spans (docs/decisions/0015-no-time-index.md).
    let index: 'observations_grid' | undefined;
    let total: number | undefined;
    const box = query.bbox;
    if (box !== undefined || hasWindow) {
      // The days to read: the window, narrowed to the days that hold observations.
      const span = await this.#kysely
        .selectFrom('store_state')
        .select([
          'observation_count as total',
          'first_observed_at as first',
          'last_observed_at as last',
          'last_seq as through',
        ])
        .executeTakeFirstOrThrow();
      if (span.first === null || span.last === null) return [];
      total = span.total;
      // The answer is as of the span. A commit landing between this read and the rows' (none can today:
      // commits start from setImmediate, and a query's reads follow each other in microtasks) could hold
      // times past the span's days; none of its rows is taken rather than some, which a client paging
      // by seq would otherwise skip for good. The next page has them all.
      indexed.push(sql`seq <= ${span.through}`);
      const from = Math.max(query.fromMs ?? span.first, span.first);
      const to = Math.min(query.toMs ?? span.last + 1, span.last + 1);
      if (to <= from) return [];
      const [fromDay, toDay] = [spatialGrid.dayOf(from), spatialGrid.dayOf(to - 1)];
      // A key costs one seek, worth a few index entries; reading whole days costs their entries
      // (estimated as if observations were spread evenly over time).
      const inDays = hasWindow
        ? Math.min(
            span.total,
            (span.total * (toDay + 1 - fromDay) * spatialGrid.dayMs) / (span.last + 1 - span.first),
          )
        : Infinity;
      const keys = box === undefined ? Infinity : spatialGrid.countCovering(box, fromDay, toDay);
      if (box !== undefined && keys <= spatialGrid.maxCoveringKeys && keys * SEEK_COST <= inDays) {
        index = 'observations_grid';
        const covering = JSON.stringify(spatialGrid.covering(box, fromDay, toDay));
        indexed.push(sql`grid_key IN (SELECT value FROM json_each(${covering}))`);
      } else if (hasWindow) {
        index = 'observations_grid';
        // Observations without a place have no key: with a box they cannot match; without one, they
        // are read from the front of the index, in time order.
        const [low, beyond] = spatialGrid.dayRange(fromDay, toDay);
        indexed.push(
          box === undefined
            ? sql`(grid_key IS NULL OR (grid_key >= ${low} AND grid_key < ${beyond}))`
            : sql`grid_key >= ${low} AND grid_key < ${beyond}`,
        );
      }
      if (box !== undefined)
        indexed.push(
          sql`lat >= ${box.south} AND lat <= ${box.north} AND lon >= ${box.west} AND lon <= ${box.east}`,
        );
    }
    if (query.fromMs !== undefined) indexed.push(sql`observed_at >= ${query.fromMs}`);
    if (query.toMs !== undefined) indexed.push(sql`observed_at < ${query.toMs}`);
    if (query.afterSeq !== undefined) indexed.push(sql`seq > ${query.afterSeq}`);
    if (query.throughSeq !== undefined) indexed.push(sql`seq <= ${query.throughSeq}`);
    if (query.kinds !== undefined) other.push(sql`kind IN (${sql.join(query.kinds)})`);
    if (query.sourceIds !== undefined) other.push(sql`source_id IN (${sql.join(query.sourceIds)})`);
    const columns = sql.join(COLUMNS.map((c) => sql.ref(c)));
    const all = [...indexed, ...other];
    const filter = all.length === 0 ? sql`1 = 1` : sql.join(all, sql` AND `);

    if (index !== undefined) {
      // The index pays while it yields few candidates. Past `cap` of them, walking the table in seq
      // order meets `limit` matches sooner (at the density seen, within about `cap` rows), so the index
      // is given up. Either way the work is bounded by about `cap` rows.
      const rows = total ?? (await this.count());
      const cap = Math.max(query.limit, Math.ceil(Math.sqrt(query.limit * rows)));
      const candidates = await sql<{
        seq: number;
      }>`SELECT seq FROM ${sql.raw(`observations INDEXED BY ${index}`)}
        WHERE ${sql.join(indexed, sql` AND `)} LIMIT ${cap + 1}`.execute(this.#kysely);
      if (candidates.rows.length <= cap) {
        // The candidates came from the index alone; their rows are read in seq order (faster than in
        // index order), the other filters applied, until `limit` rows match.
        let seqs = candidates.rows.map((row) => row.seq).sort((a, b) => a - b);
        if (other.length === 0) seqs = seqs.slice(0, query.limit);
        if (seqs.length === 0) return [];
        const inSeqs = sql`seq IN (SELECT value FROM json_each(${JSON.stringify(seqs)}))`;
        const result = await sql<ObservationRow>`SELECT ${columns} FROM observations
          WHERE ${sql.join([inSeqs, ...other], sql` AND `)} ORDER BY seq LIMIT ${query.limit}`.execute(
          this.#kysely,
        );
        return result.rows.map(toStored);
      }
    }
    const from = sql.raw(index === undefined ? 'observations' : 'observations NOT INDEXED');
    const result = await sql<ObservationRow>`SELECT ${columns} FROM ${from} WHERE ${filter}
      ORDER BY seq LIMIT ${query.limit}`.execute(this.#kysely);
    return result.rows.map(toStored);
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

  listCommitTimes(afterSeq: number, limit: number): Promise<readonly ObservationCommitTime[]> {
    return readCommitTimes(this.#kysely, afterSeq, limit);
  }

  async latestSeq(): Promise<number> {
    const row = await this.#kysely.selectFrom('store_state').select('last_seq').executeTakeFirstOrThrow();
    return row.last_seq;
  }

  /**
   * The latest as far as it is known to be on disk (decision 0019; see {@link WalSync.durable}): at
   * `NORMAL` a commit — this process's or another's — is visible before it is on disk.
   */
  async durableSeq(): Promise<number> {
    const latest = await this.latestSeq();
    return this.#wal === undefined ? latest : this.#wal.durable(latest);
  }

  async count(): Promise<number> {
    const row = await this.#kysely
      .selectFrom('store_state')
      .select('observation_count')
      .executeTakeFirstOrThrow();
    return row.observation_count;
  }

  /** Kept in store_state by every ingest commit (no index on the time: decision 0015). */
  async latestObservedAtMs(): Promise<number | undefined> {
    const row = await this.#kysely
      .selectFrom('store_state')
      .select('last_observed_at')
      .executeTakeFirstOrThrow();
    return row.last_observed_at ?? undefined;
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
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return row.n;
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

  flagSubmissions(
    keyId: string,
    fromMs: number,
    atMs: number,
    reason: string,
  ): Promise<{
    readonly batches: readonly { sourceId: string; batchId: string }[];
    readonly seqs: readonly number[];
  }> {
    return Promise.resolve().then(() => {
      const from = checkedFlag(keyId, fromMs, atMs);
      let outcome: FlagOutcome;
      try {
        // Synchronous and IMMEDIATE: two revocations cannot both flag one submission.
        outcome = this.#flag(keyId, from, atMs, reason);
      } catch (error) {
        throw new TrucelineError('E_STORE', 'the submissions could not be flagged', { cause: error });
      }
      return flagged(outcome.batches, outcome.seqs);
    });
  }
}

/** Statements of the flagging transaction. */
function prepareFlag(db: Database.Database) {
  return {
    toFlag: db.prepare<[string, number], { source_id: string; batch_id: string }>(
      `SELECT source_id, batch_id FROM submissions
       WHERE key_id = ? AND signed_at >= ? AND flagged_at IS NULL ORDER BY source_id, batch_id`,
    ),
    flag: db.prepare<[number, string, string, string]>(
      'UPDATE submissions SET flagged_at = ?, flag_reason = ? WHERE source_id = ? AND batch_id = ?',
    ),
    // Scans the source's rows through the (source_id, record_id) index: rare, and no index on batch
    // ids burdens ingest.
    seqs: db.prepare<[string, string], { seq: number }>(
      `SELECT seq FROM observations
       WHERE source_id = ? AND batch_id IN (SELECT value FROM json_each(?))`,
    ),
  };
}

interface FlagOutcome {
  readonly batches: { sourceId: string; batchId: string }[];
  readonly seqs: number[];
}

/** Flags the submissions and finds, one scan per source, the observations their batches brought. */
function flagBatches(
  statements: ReturnType<typeof prepareFlag>,
  ledger: SqliteLedgerWriter,
  keyId: string,
  fromMs: number,
  atMs: number,
  reason: string,
): FlagOutcome {
  const batches = statements.toFlag
    .all(keyId, fromMs)
    .map((row) => ({ sourceId: row.source_id, batchId: row.batch_id }));
  // Each flag changes a ledgered row: a new leaf for it, the old record kept in the history.
  for (const { sourceId, batchId } of batches)
    ledger.changeRow('submission', JSON.stringify([sourceId, batchId]), () =>
      statements.flag.run(atMs, reason, sourceId, batchId),
    );
  const seqs: number[] = [];
  for (const [sourceId, batchIds] of batchIdsBySource(batches))
    for (const row of statements.seqs.all(sourceId, JSON.stringify(batchIds))) seqs.push(row.seq);
  return { batches, seqs };
}

/** The column values of a batch's markings other than the default, by source id; undefined if none. */
function markingsOf(batch: IngestBatch): ReadonlyMap<string, MarkingColumns> | undefined {
  if (batch.markings === undefined || batch.markings.size === 0) return undefined;
  const columns = new Map<string, MarkingColumns>();
  for (const [sourceId, marking] of batch.markings) columns.set(sourceId, markingColumns(marking));
  return columns;
}

/** The body of the ingest transaction: every batch of the group, in order. */
function commitGroup(
  statements: ReturnType<typeof prepareIngest>,
  ledger: SqliteLedgerWriter,
  batches: readonly IngestBatch[],
  maxQuarantineBytes: number,
  nowMs: number,
): IngestCommit[] {
  const state = statements.readState.get();
  if (state === undefined) throw new Error('store_state row is missing');
  let seq = state.last_seq;
  let quarantineId = state.last_quarantine_id;
  let usedBytes = state.quarantine_head_bytes;
  let count = state.observation_count;
  let first = state.first_observed_at ?? Number.POSITIVE_INFINITY;
  let last = state.last_observed_at ?? Number.NEGATIVE_INFINITY;
  const statuses = new StatusChanges(statements);
  const commits: IngestCommit[] = [];
  // What the group writes is ledgered in the order written, each leaf as its row goes in.
  const ledgered = ledger.appender();
  for (const batch of batches) {
    const quarantinedIds: number[] = [];
    const outcomes: RecordOutcome[] = [];
    let lastSeq: number | null = null;
    const marked = markingsOf(batch);
    // A signed batch's records carry its batch id (the one its signature covers).
    const signedBatchId = batch.submission?.batchId;
    for (const o of batch.observations) {
      const next = seq + 1;
      const marking = marked?.get(o.sourceId) ?? DEFAULT_OBSERVATION_MARKING;
      const batchId = signedBatchId ?? o.batchId;
      // The row's values once, for the INSERT and for the ledger's record of the row (the same values
      // SQLite gives back: reading each row back would cost a query per observation).
      const row = observationRow(o, batch.receivedAtMs, batchId, marking);
      const key =
        row.lat === null || row.lon === null ? null : spatialGrid.keyOf(row.lat, row.lon, o.observedAtMs);
      const inserted = statements.insert.run(
        next,
        row.source_id,
        row.record_id,
        row.kind,
        row.observed_at,
        row.time_uncertainty_ms,
        row.received_at,
        row.lat,
        row.lon,
        row.ce_m,
        key,
        row.weapon_class,
        row.batch_id,
        row.content_sha256,
        row.content,
        row.tlp,
        row.releasable_to,
      );
      if (inserted.changes === 1) {
        seq = next;
        lastSeq = next;
        count += 1;
        if (o.observedAtMs < first) first = o.observedAtMs;
        if (o.observedAtMs > last) last = o.observedAtMs;
        // A leaf made on a validation thread holds when the row is the one it was made for.
        const ahead = leafMadeFor(o, batch.receivedAtMs, batchId, marking);
        ledgered.add(
          ahead !== undefined
            ? { type: 'observation', key: next, precomputed: ahead }
            : { type: 'observation', key: next, record: observationRecord(row) },
        );
        outcomes.push({ status: 'accepted', seq: next });
        const state = heartbeatState(o);
        if (state !== undefined) statuses.apply(o.sourceId, state, o.observedAtMs);
        continue;
      }
      const stored = statements.existing.get(o.sourceId, o.recordId);
      if (stored === undefined) throw new Error('a conflicting observation vanished inside its transaction');
      outcomes.push({
        status: stored.content_sha256 === o.contentSha256 ? 'duplicate' : 'conflict',
        seq: stored.seq,
      });
    }
    const origin = storableOrigin(batch.origin);
    const quarantined = quarantineRows(batch.rejects, usedBytes, maxQuarantineBytes);
    usedBytes = quarantined.usedBytes;
    for (const row of quarantined.rows) {
      quarantineId += 1;
      statements.insertQuarantine.run(
        quarantineId,
        batch.receivedAtMs,
        origin,
        row.position,
        row.sourceId,
        row.recordId,
        row.field,
        row.reason,
        row.sha256,
        row.sizeBytes,
        Buffer.from(row.head.buffer, row.head.byteOffset, row.head.byteLength),
        row.headKept ? 1 : 0,
      );
      quarantinedIds.push(quarantineId);
    }
    // In the same transaction as its records: a signed batch is never stored without its signature.
    const { submission } = batch;
    const submitted =
      submission !== undefined &&
      statements.insertSubmission.run(...submissionValues(submission)).changes === 1;
    for (const item of ledger.itemsOf('quarantine', quarantinedIds)) ledgered.add(item);
    if (submitted)
      for (const item of ledger.itemsOf('submission', [
        JSON.stringify([submission.sourceId, submission.batchId]),
      ]))
        ledgered.add(item);
    commits.push({ outcomes, lastSeq });
  }
  ledgered.finish();
  statuses.write();
  if (seq > state.last_seq) statements.insertCommitTime.run(seq, nowMs);
  statements.writeState.run(
    seq,
    quarantineId,
    usedBytes,
    count,
    Number.isFinite(first) ? first : null,
    Number.isFinite(last) ? last : null,
  );
  return commits;
}

/**
 * Sensor statuses as the transaction changes them: each sensor's row is read once and written once,
 * however many of its heartbeats the transaction holds.
 */
class StatusChanges {
  readonly #statements: ReturnType<typeof prepareIngest>;
  readonly #current = new Map<string, SensorStatus | undefined>();
  readonly #changed = new Set<string>();

  constructor(statements: ReturnType<typeof prepareIngest>) {
    this.#statements = statements;
  }

  apply(sourceId: string, state: SensorState, observedAtMs: number): void {
    if (!this.#current.has(sourceId)) {
      const row = this.#statements.status.get(sourceId);
      this.#current.set(
        sourceId,
        row && {
          sourceId,
          state: row.state as SensorState,
          sinceMs: row.since_ms,
          lastHeartbeatMs: row.last_heartbeat_ms,
        },
      );
    }
    const next = sensorStatusUpdate(this.#current.get(sourceId), { sourceId, state, observedAtMs });
    if (next === undefined) return;
    this.#current.set(sourceId, next);
    this.#changed.add(sourceId);
  }

  write(): void {
    for (const sourceId of this.#changed) {
      const status = this.#current.get(sourceId);
      if (status !== undefined)
        this.#statements.writeStatus.run(sourceId, status.state, status.sinceMs, status.lastHeartbeatMs);
    }
  }
}
