/**
 * @module Observations and the quarantine in memory, with the semantics of the SQL stores (the
 * contract suite checks it): group commit, commit sequence, idempotency, quota, heartbeats, markings,
 * signed submissions and their flags.
 */
import { systemClock, type Clock } from '../../core/ports/clock.ts';
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
import { checkedPage, checkedQuery } from '../common/checked-query.ts';
import { GROUP_SIZE, GroupCommit } from '../common/group-commit.ts';
import type { LedgerItem } from '../common/ledger-leaves.ts';
import { DEFAULT_STORED_MARKINGS, storedMarking } from '../common/marking-columns.ts';
import { planIngest, recordKey, type ExistingRecord } from '../common/plan-ingest.ts';
import { quarantineRows, storableOrigin } from '../common/quarantine-row.ts';
import { heartbeatState, sensorStatusUpdate } from '../common/sensor-status-update.ts';
import {
  SUBMISSION_COLUMNS,
  batchIdsBySource,
  checkedFlag,
  encodedBatch,
  flagged,
  submissionValues,
  toStoredSubmission,
  type SubmissionRow,
} from '../common/submission-rows.ts';
import { compareCodePoints } from '../common/compare-code-points.ts';
import type { MemoryLedgerWriter } from './memory-ledger.ts';
import type { MemorySchema } from './memory-schema.ts';

/** -0 becomes 0: SQLite cannot tell them apart, so no store does. */
const plain = (value: number | null): number | null => (value === null ? null : value + 0);

/** Index of the first observation with a seq above `afterSeq` (the array is in seq order). */
function firstAfter(rows: readonly StoredObservation[], afterSeq: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((rows[mid]?.seq ?? 0) <= afterSeq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const copyEntry = (entry: QuarantineEntry): QuarantineEntry => ({
  ...entry,
  head: Uint8Array.from(entry.head),
});

/** The row a SQL store writes for a submission (its body encoded as the group commit prepared it), frozen. */
function submissionRow(submission: IngestBatch['submission'] & object): SubmissionRow {
  const values = submissionValues(submission);
  const row: Record<string, unknown> = { flagged_at: null, flag_reason: null };
  SUBMISSION_COLUMNS.forEach((column, i) => {
    row[column] = values[i];
  });
  row.body = Uint8Array.from(values[11]);
  return Object.freeze(row) as unknown as SubmissionRow;
}

export class MemoryObservationStore implements ObservationStore {
  readonly #tables: MemorySchema;
  readonly #group: GroupCommit<IngestBatch, IngestCommit>;
  readonly #ledger: MemoryLedgerWriter;
  readonly #clock: Clock;

  /**
   * @param ledger appends what each commit writes to the ledger
   * @param clock when each commit was made
   */
  constructor(
    tables: MemorySchema,
    ledger: MemoryLedgerWriter,
    maxQuarantineBytes: number,
    clock: Clock = systemClock,
  ) {
    this.#tables = tables;
    this.#ledger = ledger;
    this.#clock = clock;
    // A submission's body is encoded as the SQL stores keep it, so the ledger commits to the same row.
    this.#group = new GroupCommit(
      (batches) => this.#commitGroup(batches, maxQuarantineBytes),
      GROUP_SIZE,
      encodedBatch,
    );
  }

  commitIngest(batch: IngestBatch): Promise<IngestCommit> {
    return this.#group.submit(batch);
  }

  /** Waits for queued commits and refuses new ones. */
  close(): Promise<void> {
    return this.#group.close();
  }

  /** Plans everything first, then applies it: nothing is half-applied if planning throws. */
  #commitGroup(batches: readonly IngestBatch[], maxQuarantineBytes: number): IngestCommit[] {
    const t = this.#tables;
    const existing = new Map<string, ExistingRecord>();
    for (const batch of batches)
      for (const o of batch.observations) {
        const key = recordKey(o.sourceId, o.recordId);
        const stored = t.observationsByRecord.get(key);
        if (stored !== undefined) existing.set(key, stored);
      }
    const committedAtMs = this.#clock.now();
    const plan = planIngest(batches, existing, t.state.lastSeq);
    let usedBytes = t.state.quarantineHeadBytes;
    let quarantineId = t.state.lastQuarantineId;
    const entries: QuarantineEntry[] = [];
    const quarantinedIds = new Map<IngestBatch, number[]>();
    for (const batch of batches) {
      const quarantined = quarantineRows(batch.rejects, usedBytes, maxQuarantineBytes);
      usedBytes = quarantined.usedBytes;
      const origin = storableOrigin(batch.origin);
      const ids: number[] = [];
      for (const row of quarantined.rows) {
        quarantineId += 1;
        ids.push(quarantineId);
        entries.push(Object.freeze({ ...row, id: quarantineId, receivedAtMs: batch.receivedAtMs, origin }));
      }
      quarantinedIds.set(batch, ids);
    }

    for (const { observation: o, seq, receivedAtMs, batch } of plan.inserts) {
      const marking = batch.markings?.get(o.sourceId);
      const stored: StoredObservation = Object.freeze({
        seq,
        sourceId: o.sourceId,
        recordId: o.recordId,
        kind: o.kind,
        observedAtMs: o.observedAtMs,
        timeUncertaintyMs: o.timeUncertaintyMs + 0,
        receivedAtMs,
        lat: plain(o.lat),
        lon: plain(o.lon),
        ceM: plain(o.ceM),
        weaponClass: o.weaponClass,
        // A signed batch's records carry its batch id (the one its signature covers).
        batchId: batch.submission?.batchId ?? o.batchId,
        contentSha256: o.contentSha256,
        content: o.content,
        marking: marking === undefined ? DEFAULT_STORED_MARKINGS.observation : storedMarking(marking),
      });
      t.observations.push(stored);
      t.observationsByRecord.set(recordKey(o.sourceId, o.recordId), stored);
      const state = heartbeatState(o);
      if (state !== undefined) {
        const next = sensorStatusUpdate(t.sensorStatus.get(o.sourceId), {
          sourceId: o.sourceId,
          state,
          observedAtMs: o.observedAtMs,
        });
        if (next !== undefined) t.sensorStatus.set(o.sourceId, Object.freeze(next));
      }
    }
    t.quarantine.push(...entries);
    const submitted = new Map<IngestBatch, string>();
    for (const batch of batches) {
      const submission = batch.submission;
      if (submission === undefined) continue;
      const key = recordKey(submission.sourceId, submission.batchId);
      // A second submission under the same source and batch id is not stored again.
      if (t.submissions.has(key)) continue;
      t.submissions.set(key, submissionRow(submission));
      submitted.set(batch, JSON.stringify([submission.sourceId, submission.batchId]));
    }
    // Ledgered as the SQL stores do: batch by batch, its accepted observations, its quarantined
    // records, then its submission if it was stored.
    const accepted = new Map<IngestBatch, number[]>();
    for (const { seq, batch } of plan.inserts) {
      const seqs = accepted.get(batch);
      if (seqs === undefined) accepted.set(batch, [seq]);
      else seqs.push(seq);
    }
    const ledgered: LedgerItem[] = [];
    for (const batch of batches) {
      ledgered.push(
        ...this.#ledger.itemsOf('observation', accepted.get(batch) ?? []),
        ...this.#ledger.itemsOf('quarantine', quarantinedIds.get(batch) ?? []),
      );
      const submission = submitted.get(batch);
      if (submission !== undefined) ledgered.push(...this.#ledger.itemsOf('submission', [submission]));
    }
    this.#ledger.append(ledgered);
    if (plan.lastSeq > t.state.lastSeq) t.observationCommits.push({ lastSeq: plan.lastSeq, committedAtMs });
    t.state.lastSeq = plan.lastSeq;
    t.state.lastQuarantineId = quarantineId;
    t.state.quarantineHeadBytes = usedBytes;
    return plan.outcomes.map((outcomes, i) => ({ outcomes, lastSeq: plan.lastSeqs[i] ?? null }));
  }

  listCommitTimes(afterSeq: number, limit: number): Promise<readonly ObservationCommitTime[]> {
    return Promise.resolve().then(() => {
      const page = checkedPage(afterSeq, limit);
      const commits = this.#tables.observationCommits;
      let lo = 0;
      for (let hi = commits.length; lo < hi;) {
        const mid = (lo + hi) >>> 1;
        if ((commits[mid]?.lastSeq ?? 0) <= page.after) lo = mid + 1;
        else hi = mid;
      }
      return commits.slice(lo, lo + page.limit);
    });
  }

  findBySeq(seq: number): Promise<StoredObservation | undefined> {
    const rows = this.#tables.observations;
    const found = rows[firstAfter(rows, seq - 1)];
    return Promise.resolve(found?.seq === seq ? found : undefined);
  }

  findByRecordId(sourceId: string, recordId: string): Promise<StoredObservation | undefined> {
    return Promise.resolve(this.#tables.observationsByRecord.get(recordKey(sourceId, recordId)));
  }

  query(input: ObservationQuery): Promise<readonly StoredObservation[]> {
    return Promise.resolve(input).then((checked) => this.#query(checkedQuery(checked)));
  }

  #query(q: ObservationQuery): StoredObservation[] {
    const kinds = q.kinds === undefined ? undefined : new Set<string>(q.kinds);
    const sources = q.sourceIds === undefined ? undefined : new Set(q.sourceIds);
    const box = q.bbox;
    const rows = this.#tables.observations;
    const found: StoredObservation[] = [];
    for (let i = firstAfter(rows, q.afterSeq ?? 0); i < rows.length && found.length < q.limit; i++) {
      const o = rows[i];
      if (o === undefined || (q.throughSeq !== undefined && o.seq > q.throughSeq)) break;
      if (box !== undefined) {
        if (o.lat === null || o.lon === null) continue;
        if (o.lat < box.south || o.lat > box.north || o.lon < box.west || o.lon > box.east) continue;
      }
      if (q.fromMs !== undefined && o.observedAtMs < q.fromMs) continue;
      if (q.toMs !== undefined && o.observedAtMs >= q.toMs) continue;
      if (kinds !== undefined && !kinds.has(o.kind)) continue;
      if (sources !== undefined && !sources.has(o.sourceId)) continue;
      found.push(o);
    }
    return found;
  }

  listAfter(afterSeq: number, limit: number): Promise<readonly StoredObservation[]> {
    return Promise.resolve().then(() => {
      const page = checkedPage(afterSeq, limit);
      const rows = this.#tables.observations;
      const start = firstAfter(rows, page.after);
      return rows.slice(start, start + page.limit);
    });
  }

  latestSeq(): Promise<number> {
    return Promise.resolve(this.#tables.state.lastSeq);
  }

  /** Nothing here is on disk, and nothing is kept back: the latest. */
  durableSeq(): Promise<number> {
    return this.latestSeq();
  }

  count(): Promise<number> {
    return Promise.resolve(this.#tables.observations.length);
  }

  latestObservedAtMs(): Promise<number | undefined> {
    let latest: number | undefined;
    for (const o of this.#tables.observations)
      if (latest === undefined || o.observedAtMs > latest) latest = o.observedAtMs;
    return Promise.resolve(latest);
  }

  listQuarantine(afterId: number, limit: number): Promise<readonly QuarantineEntry[]> {
    return Promise.resolve().then(() => {
      const page = checkedPage(afterId, limit);
      return this.#tables.quarantine
        .filter((entry) => entry.id > page.after)
        .slice(0, page.limit)
        .map(copyEntry);
    });
  }

  countQuarantine(): Promise<number> {
    return Promise.resolve(this.#tables.quarantine.length);
  }

  findSubmission(sourceId: string, batchId: string): Promise<StoredSubmission | undefined> {
    return Promise.resolve().then(() => {
      const found = this.#tables.submissions.get(recordKey(sourceId, batchId));
      return found && toStoredSubmission(found);
    });
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
      const t = this.#tables;
      const batches: { sourceId: string; batchId: string }[] = [];
      for (const row of t.submissions.values())
        if (row.key_id === keyId && row.signed_at >= from && row.flagged_at === null)
          batches.push({ sourceId: row.source_id, batchId: row.batch_id });
      // In the order the SQL stores flag them (by source, then batch id): each flag changes a ledgered
      // row, so it is a new leaf, the old record kept in the history.
      batches.sort(
        (a, b) => compareCodePoints(a.sourceId, b.sourceId) || compareCodePoints(a.batchId, b.batchId),
      );
      for (const { sourceId, batchId } of batches) {
        const key = recordKey(sourceId, batchId);
        this.#ledger.changeRow('submission', JSON.stringify([sourceId, batchId]), () => {
          const row = t.submissions.get(key);
          if (row !== undefined)
            t.submissions.set(key, Object.freeze({ ...row, flagged_at: atMs, flag_reason: reason }));
        });
      }
      const bySource = batchIdsBySource(batches);
      const seqs = t.observations
        .filter((o) => o.batchId !== null && bySource.get(o.sourceId)?.includes(o.batchId) === true)
        .map((o) => o.seq);
      return flagged(batches, seqs);
    });
  }
}
