/**
 * @module An observation as the stores write it: the column values of its row, built in one place so
 * that the row a store inserts and the record its ledger leaf commits to — made in the store, or ahead of
 * it on a validation thread — come from the same values. Also the leaves made ahead of the commit.
 */
import { randomFillSync } from 'node:crypto';
import { PRECOMPUTED_LEAF_BYTES, type PrecomputedLeaf } from '../../core/ledger/leaf.ts';
import type { ValidObservation } from '../../core/observations/validate-observation.ts';
import { completeLeaf } from './ledger-leaves.ts';
import { canonicalRecord, ledgeredTable } from './ledger-records.ts';
import { DEFAULT_MARKING_COLUMNS, type MarkingColumns } from './marking-columns.ts';

/** -0 becomes 0: SQLite cannot tell them apart, so no store does. */
export const plain = (value: number | null): number | null => (value === null ? null : value + 0);

/**
 * An observation row's values, by column name, without its key (`seq`) and index key (`grid_key`). A
 * type, not an interface, so that it is a record of column values as `canonicalRecord` takes them.
 */
export type ObservationRow = {
  readonly source_id: string;
  readonly record_id: string;
  readonly kind: string;
  readonly observed_at: number;
  readonly time_uncertainty_ms: number;
  readonly received_at: number;
  readonly lat: number | null;
  readonly lon: number | null;
  readonly ce_m: number | null;
  readonly weapon_class: string | null;
  readonly batch_id: string | null;
  readonly content_sha256: string;
  readonly content: string;
  readonly tlp: string;
  readonly releasable_to: string;
};

/** The observation marking nearly every row carries (a mission source's). */
export const DEFAULT_OBSERVATION_MARKING = DEFAULT_MARKING_COLUMNS.observation;

/**
 * The row of `o` received at `receivedAtMs` under `batchId` (a signed batch's id, else the record's
 * own) and `marking`.
 */
export function observationRow(
  o: ValidObservation,
  receivedAtMs: number,
  batchId: string | null,
  marking: MarkingColumns,
): ObservationRow {
  return {
    source_id: o.sourceId,
    record_id: o.recordId,
    kind: o.kind,
    observed_at: o.observedAtMs,
    time_uncertainty_ms: o.timeUncertaintyMs + 0,
    received_at: receivedAtMs,
    lat: plain(o.lat),
    lon: plain(o.lon),
    ce_m: plain(o.ceM),
    weapon_class: o.weaponClass,
    batch_id: batchId,
    content_sha256: o.contentSha256,
    content: o.content,
    tlp: marking.tlp,
    releasable_to: marking.releasableTo,
  };
}

const OBSERVATIONS = ledgeredTable('observation');

/** The canonical record of an observation row: what its leaf commits to. */
export const observationRecord = (row: ObservationRow): string => canonicalRecord(OBSERVATIONS, row);

const text = (value: string | null): string => (value === null ? 'null' : JSON.stringify(value));
const real = (value: number | null): string => {
  if (value === null) return 'null';
  if (!Number.isFinite(value)) throw new Error(`observations: ${value} is not a real`);
  return JSON.stringify(value);
};
const int = (value: number): string => {
  if (!Number.isSafeInteger(value)) throw new Error(`observations: ${value} is not an integer`);
  return String(value);
};

/**
 * `observationRecord(observationRow(o, receivedAtMs, batchId, marking))`, written straight from the
 * observation: one template, no row, for the validation threads that make a leaf for every record.
 * The columns are in the record's order (sorted by name); a test holds it to the general encoder.
 */
export function observationRecordOf(
  o: ValidObservation,
  receivedAtMs: number,
  batchId: string | null,
  marking: MarkingColumns,
): string {
  return (
    `{"batch_id":${text(batchId)},"ce_m":${real(o.ceM)},"content":${JSON.stringify(o.content)},` +
    `"content_sha256":${JSON.stringify(o.contentSha256)},"kind":${JSON.stringify(o.kind)},` +
    `"lat":${real(o.lat)},"lon":${real(o.lon)},"observed_at":${int(o.observedAtMs)},` +
    `"received_at":${int(receivedAtMs)},"record_id":${JSON.stringify(o.recordId)},` +
    `"releasable_to":${JSON.stringify(marking.releasableTo)},"source_id":${JSON.stringify(o.sourceId)},` +
    `"time_uncertainty_ms":${real(o.timeUncertaintyMs)},"tlp":${JSON.stringify(marking.tlp)},` +
    `"weapon_class":${text(o.weaponClass)}}`
  );
}

/** Leaves a slab holds: each slab is one buffer, one CSPRNG call and one transfer between threads. */
const SLAB_LEAVES = 1024;

/**
 * Makes observations' leaves ahead of the commit, for the rows they become when received at
 * `receivedAtMs` under their own batch ids and the default marking — as almost all are. The leaves
 * live in slabs of their own (`buffers`), to transfer to the committing thread with the observations.
 */
export class ObservationLeafMaker {
  readonly #receivedAtMs: number;
  readonly #batchId: string | undefined;
  readonly #buffers: ArrayBuffer[] = [];
  #slab = new Uint8Array(0);
  #used = 0;

  /** `batchId`: the id the rows carry in place of each record's own (a signed batch's), if any. */
  constructor(receivedAtMs: number, batchId?: string) {
    this.#receivedAtMs = receivedAtMs;
    this.#batchId = batchId;
  }

  /** `o`, just made by validation, given its leaf. */
  readonly withLeaf = (o: ValidObservation): ValidObservation => {
    if (this.#used === this.#slab.length) {
      this.#slab = new Uint8Array(SLAB_LEAVES * PRECOMPUTED_LEAF_BYTES);
      // Ids and salts in one CSPRNG call (the hashes' places too, which completeLeaf overwrites).
      randomFillSync(this.#slab);
      this.#buffers.push(this.#slab.buffer);
      this.#used = 0;
    }
    const bytes = this.#slab.subarray(this.#used, this.#used + PRECOMPUTED_LEAF_BYTES);
    this.#used += PRECOMPUTED_LEAF_BYTES;
    const batchId = this.#batchId ?? o.batchId;
    const record = observationRecordOf(o, this.#receivedAtMs, batchId, DEFAULT_OBSERVATION_MARKING);
    completeLeaf('observation', record, bytes);
    // Set on the observation itself: validation made it a moment ago and nothing else holds it yet,
    // and a copy of each would cost this thread about a tenth of its time (measured).
    (o as { precomputedLeaf?: PrecomputedLeaf }).precomputedLeaf = {
      receivedAtMs: this.#receivedAtMs,
      batchId,
      bytes,
    };
    return o;
  };

  /** The buffers that hold the leaves made so far. */
  get buffers(): readonly ArrayBuffer[] {
    return this.#buffers;
  }
}

/**
 * The leaf made ahead for `o` (on a validation thread), if the row it becomes — received at
 * `receivedAtMs`, under `batchId`, with `marking` — is the row the leaf was made for; otherwise the
 * store commits to the row itself.
 */
export function leafMadeFor(
  o: ValidObservation,
  receivedAtMs: number,
  batchId: string | null,
  marking: MarkingColumns,
): Uint8Array | undefined {
  const ahead = o.precomputedLeaf;
  return ahead !== undefined &&
    ahead.receivedAtMs === receivedAtMs &&
    ahead.batchId === batchId &&
    marking === DEFAULT_OBSERVATION_MARKING
    ? ahead.bytes
    : undefined;
}
