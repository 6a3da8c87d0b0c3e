/**
 * @module The ledger in memory, with the semantics of the SQL stores (the contract suite checks it):
 * every write appends leaves whose records are the canonical records of the rows a SQL store would
 * write for the same values (the same column names and values, built from what the memory tables hold),
 * a change keeps the superseded record, and proofs, checkpoints, co-signatures and the audit work as
 * they do there. Writes are synchronous, so nothing comes between a write and its leaves.
 */
import { TrucelineError, validationError } from '../../core/errors.ts';
import {
  assembleProof,
  consistencyPlan,
  emptyRoot,
  EMPTY_FRONTIER,
  frontierRoot,
  inclusionPlan,
  type MerkleFrontier,
  type NodeId,
} from '../../core/ledger/merkle.ts';
import type {
  AuditOutcome,
  LedgerEntry,
  LedgerStore,
  OpenedEntry,
  StoredCheckpoint,
  TreeHead,
} from '../../core/ports/ledger-store.ts';
import type { AttachmentRecord } from '../../core/ports/action-log-store.ts';
import type { QuarantineEntry, StoredObservation } from '../../core/ports/observation-store.ts';
import type { Source } from '../../core/sources/source.ts';
import { organisationRow, policyRow, userRow } from '../common/access-rows.ts';
import { checkedSizes } from '../common/ledger-sizes.ts';
import { auditLedger, type AuditSource } from '../common/ledger-audit.ts';
import { grow, nodeKey, prepareLeaves, sha256, type LedgerItem } from '../common/ledger-leaves.ts';
import type { ActionLogTables } from '../common/action-log-rows.ts';
import {
  LEDGERED_TABLES,
  canonicalRecord,
  describeRow,
  keyValues,
  ledgeredTable,
  type LedgeredTable,
  type RawRow,
  type RowKey,
} from '../common/ledger-records.ts';
import { markingColumns } from '../common/marking-columns.ts';
import { recordKey } from '../common/plan-ingest.ts';
import type { MemoryActionRow, MemoryFusionRow, MemorySchema } from './memory-schema.ts';

/** One leaf as the memory ledger keeps it (what `ledger_entries` holds, and the leaf's hash). */
export interface MemoryLedgerEntry {
  readonly type: string;
  readonly id: Uint8Array;
  readonly commitment: Uint8Array;
  readonly salt: Uint8Array;
  readonly key: RowKey;
  readonly leafHash: Uint8Array;
}

/** A checkpoint as `ledger_checkpoints` holds it. */
export interface MemoryCheckpoint {
  readonly size: number;
  readonly rootHash: Uint8Array;
  readonly note: string;
  readonly signedAtMs: number;
}

/** The ledger's "tables". */
export interface MemoryLedgerTables {
  /** The leaves, by index. */
  readonly entries: MemoryLedgerEntry[];
  /** Complete subtrees above the leaves, by nodeKey(level, index). */
  readonly nodes: Map<number, Uint8Array>;
  frontier: MerkleFrontier;
  /** Superseded records, by the index of their leaf. */
  readonly history: Map<number, string>;
  /** The latest leaf of each row, by latestKey(type, key). */
  readonly latest: Map<string, number>;
  readonly checkpoints: Map<number, MemoryCheckpoint>;
  /** Co-signatures by checkpoint size, then by witness. */
  readonly cosignatures: Map<number, Map<string, { readonly line: string; readonly receivedAtMs: number }>>;
}

/** Empty ledger tables. */
export const emptyLedgerTables = (): MemoryLedgerTables => ({
  entries: [],
  nodes: new Map(),
  frontier: EMPTY_FRONTIER,
  history: new Map(),
  latest: new Map(),
  checkpoints: new Map(),
  cosignatures: new Map(),
});

/** A row type of the shared mappers (an interface) as the ledger reads rows: column name to value. */
const raw = (row: object): RawRow => row as RawRow;
const maybe = (row: object | undefined): RawRow | undefined => row && raw(row);

/** 42 and "42" are different keys, as they are in SQLite. */
const latestKey = (type: string, key: RowKey): string => `${type}\u0000${JSON.stringify(key)}`;

/** The row the SQL stores write for an observation. */
export const observationRow = (o: StoredObservation): RawRow => {
  const marking = markingColumns(o.marking);
  return {
    seq: o.seq,
    source_id: o.sourceId,
    record_id: o.recordId,
    kind: o.kind,
    observed_at: o.observedAtMs,
    time_uncertainty_ms: o.timeUncertaintyMs,
    received_at: o.receivedAtMs,
    lat: o.lat,
    lon: o.lon,
    ce_m: o.ceM,
    weapon_class: o.weaponClass,
    batch_id: o.batchId,
    content_sha256: o.contentSha256,
    content: o.content,
    tlp: marking.tlp,
    releasable_to: marking.releasableTo,
  };
};

/** The row the SQL stores write for a quarantined record. */
export const quarantineRow = (q: QuarantineEntry): RawRow => ({
  id: q.id,
  received_at: q.receivedAtMs,
  origin: q.origin,
  position: q.position,
  source_id: q.sourceId,
  record_id: q.recordId,
  field: q.field,
  reason: q.reason,
  sha256: q.sha256,
  size_bytes: q.sizeBytes,
  head: q.head,
  head_kept: q.headKept,
});

/** The row the SQL stores write for a source (JSON columns as they write them). */
export const sourceRow = (s: Source): RawRow => {
  const marking = markingColumns(s.marking);
  return {
    id: s.id,
    kind: s.kind,
    organisation: s.organisation,
    name: s.name,
    lat: s.position?.lat ?? null,
    lon: s.position?.lon ?? null,
    altitude_m: s.position?.altitudeM ?? null,
    orientation_deg: s.orientationDeg,
    capabilities: JSON.stringify(s.capabilities),
    keys: JSON.stringify(s.keys),
    registered_at: s.registeredAtMs,
    tlp: marking.tlp,
    releasable_to: marking.releasableTo,
  };
};

/** The row the SQL stores write for an event revision. */
const eventRevisionRow = (r: MemoryFusionRow): RawRow => ({
  seq: r.seq,
  id: r.id,
  revision: r.revision,
  type: r.type,
  time_ms: r.timeMs,
  lat: r.lat,
  lon: r.lon,
  committed_at: r.committedAtMs,
  value: r.value,
  tlp: r.tlp,
  releasable_to: r.releasableTo,
});

/** The row the SQL stores write for a potential violation's revision. */
const violationRevisionRow = (r: MemoryFusionRow): RawRow => ({
  seq: r.seq,
  id: r.id,
  revision: r.revision,
  event_id: r.eventId,
  event_type: r.type,
  time_ms: r.timeMs,
  lat: r.lat,
  lon: r.lon,
  party: r.party,
  clause: r.clause,
  committed_at: r.committedAtMs,
  value: r.value,
  tlp: r.tlp,
  releasable_to: r.releasableTo,
});

/** The row the SQL stores write for a recorded action, in the action log of `tables`. */
export const actionRow =
  (tables: Pick<ActionLogTables, 'idColumn'>) =>
  (r: MemoryActionRow): RawRow => ({
    seq: r.seq,
    [tables.idColumn]: r.ownerId,
    version: r.version,
    type: r.type,
    at: r.at,
    by_user: r.byUser,
    action: r.action,
  });

/** The row the SQL stores write for an attachment's record. */
export const attachmentRow = (a: AttachmentRecord): RawRow => ({
  sha256: a.sha256,
  size_bytes: a.sizeBytes,
  media_type: a.mediaType,
  stored_at: a.storedAtMs,
  stored_by: a.storedBy,
  tlp: a.tlp,
  releasable_to: a.releasableTo,
});

/** The element of `rows` (in ascending order of `of`) whose value is `value`. */
function bySeq<T>(rows: readonly T[], of: (row: T) => number, value: unknown): T | undefined {
  if (typeof value !== 'number') return undefined;
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const row = rows[mid];
    if (row !== undefined && of(row) < value) lo = mid + 1;
    else hi = mid;
  }
  const found = rows[lo];
  return found !== undefined && of(found) === value ? found : undefined;
}

/**
 * How the ledger reads one memory table as the SQL table it stands for: a row by the values of its
 * key (in the table's key order), every row, and their count.
 */
export interface MemoryTableRows {
  row(key: readonly unknown[]): RawRow | undefined;
  all(): Iterable<RawRow>;
  count(): number;
}

const agreementRow = (record: {
  id: string;
  revision: number;
  documentJson: string;
  contentSha256: string;
  registeredAtMs: number;
}): RawRow => ({
  id: record.id,
  revision: record.revision,
  document_json: record.documentJson,
  content_sha256: record.contentSha256,
  registered_at: record.registeredAtMs,
});

/** A table held as an array in key order (a single integer key). */
function sequence<T>(rows: readonly T[], of: (row: T) => number, toRow: (row: T) => RawRow): MemoryTableRows {
  return {
    row: ([first]) => {
      const found = bySeq(rows, of, first);
      return found && toRow(found);
    },
    *all() {
      for (const row of rows) yield toRow(row);
    },
    count: () => rows.length,
  };
}

/** A table held as a map by its single text key. */
function keyed<T>(rows: ReadonlyMap<string, T>, toRow: (row: T) => RawRow): MemoryTableRows {
  return {
    row: ([first]) => {
      const found = typeof first === 'string' ? rows.get(first) : undefined;
      return found && toRow(found);
    },
    *all() {
      for (const row of rows.values()) yield toRow(row);
    },
    count: () => rows.size,
  };
}

/** The memory tables read as the SQL tables the ledger covers, by table name. */
function ledgeredRowsOf(t: MemorySchema): Map<string, MemoryTableRows> {
  return new Map<string, MemoryTableRows>([
    ['observations', sequence(t.observations, (o) => o.seq, observationRow)],
    ['quarantine', sequence(t.quarantine, (q) => q.id, quarantineRow)],
    [
      'submissions',
      {
        row: ([sourceId, batchId]) =>
          typeof sourceId === 'string' && typeof batchId === 'string'
            ? maybe(t.submissions.get(recordKey(sourceId, batchId)))
            : undefined,
        *all() {
          for (const row of t.submissions.values()) yield raw(row);
        },
        count: () => t.submissions.size,
      },
    ],
    ['sources', keyed(t.sources, sourceRow)],
    [
      'agreements',
      {
        row: ([id, revision]) => {
          const found =
            typeof id === 'string' ? t.agreements.get(id)?.find((r) => r.revision === revision) : undefined;
          return found && agreementRow(found);
        },
        *all() {
          for (const revisions of t.agreements.values())
            for (const record of revisions) yield agreementRow(record);
        },
        count: () => {
          let n = 0;
          for (const revisions of t.agreements.values()) n += revisions.length;
          return n;
        },
      },
    ],
    ['event_revisions', sequence(t.eventRevisions, (r) => r.seq, eventRevisionRow)],
    ['violation_revisions', sequence(t.violationRevisions, (r) => r.seq, violationRevisionRow)],
    ['organisations', keyed(t.organisations, (org) => raw(organisationRow(org)))],
    [
      'access_policies',
      sequence(
        t.accessPolicies,
        (p) => p.version,
        (p) => raw(policyRow(p)),
      ),
    ],
    ['users', keyed(t.users, (user) => raw(userRow(user)))],
    [
      'verification_actions',
      sequence(t.verification.actions, (r) => r.seq, actionRow({ idColumn: 'item_id' })),
    ],
    ['case_actions', sequence(t.cases.actions, (r) => r.seq, actionRow({ idColumn: 'case_id' }))],
    ['attachments', keyed(t.attachments, attachmentRow)],
  ]);
}

/** The ledgered tables as the memory store holds them: every table the ledger covers has a reader. */
class LedgeredRows {
  readonly #readers: Map<string, MemoryTableRows>;

  constructor(tables: MemorySchema) {
    this.#readers = ledgeredRowsOf(tables);
    // A ledgered table the memory store does not keep would read as empty, and its leaves as missing
    // rows: refuse to open instead.
    const unread = LEDGERED_TABLES.filter((spec) => !this.#readers.has(spec.table)).map((spec) => spec.table);
    if (unread.length > 0) throw new Error(`the memory store keeps no ${unread.join(', ')}`);
  }

  #reader(spec: LedgeredTable): MemoryTableRows {
    const reader = this.#readers.get(spec.table);
    if (reader === undefined) throw new Error(`the memory store keeps no ${spec.table}`);
    return reader;
  }

  /** The row of `spec` under `key`, or undefined. */
  row(spec: LedgeredTable, key: RowKey): RawRow | undefined {
    let values: readonly unknown[];
    try {
      values = keyValues(spec, key);
    } catch {
      return undefined;
    }
    if (!Array.isArray(values) || values.length !== spec.key.length) return undefined;
    return this.#reader(spec).row(values);
  }

  /** Every row of `spec`, in no particular order. */
  all(spec: LedgeredTable): Iterable<RawRow> {
    return this.#reader(spec).all();
  }

  count(spec: LedgeredTable): number {
    return this.#reader(spec).count();
  }
}

/** Appends to the memory ledger; the stores call it right after each write, in the same turn. */
export class MemoryLedgerWriter {
  readonly #ledger: MemoryLedgerTables;
  readonly #rows: LedgeredRows;

  constructor(tables: MemorySchema) {
    this.#ledger = tables.ledger;
    this.#rows = new LedgeredRows(tables);
  }

  /** Ledgers `items` in order. */
  append(items: readonly LedgerItem[]): void {
    if (items.length === 0) return;
    const l = this.#ledger;
    const leaves = prepareLeaves(items);
    const grown = grow(l.frontier, leaves);
    for (const leaf of leaves) {
      l.latest.set(latestKey(leaf.type, leaf.key), l.entries.length);
      l.entries.push(
        Object.freeze({
          type: leaf.type,
          id: Uint8Array.from(leaf.id),
          commitment: Uint8Array.from(leaf.commitment),
          salt: Uint8Array.from(leaf.salt),
          key: leaf.key,
          leafHash: leaf.leafHash,
        }),
      );
    }
    for (const node of grown.nodes) l.nodes.set(node.key, node.hash);
    l.frontier = grown.frontier;
  }

  /** The row of `type` under `key` as a SQL store would hold it, or `undefined`. */
  readRow(type: string, key: RowKey): RawRow | undefined {
    return this.#rows.row(ledgeredTable(type), key);
  }

  /** The ledger items of rows just written. */
  itemsOf(type: string, keys: readonly RowKey[]): LedgerItem[] {
    const spec = ledgeredTable(type);
    return keys.map((key) => {
      const row = this.#rows.row(spec, key);
      if (row === undefined) throw new Error(`${describeRow(spec, key)} was not written`);
      return { type, key, record: canonicalRecord(spec, row) };
    });
  }

  /** Ledgers rows just written. */
  recordRows(type: string, keys: readonly RowKey[]): void {
    this.append(this.itemsOf(type, keys));
  }

  /**
   * Runs `change` on the row of `type` under `key` and ledgers the row as it is afterwards (nothing if
   * it did not change); the record its last leaf committed to is kept in the history.
   */
  changeRow<T>(type: string, key: RowKey, change: () => T): T {
    const spec = ledgeredTable(type);
    const before = this.#rows.row(spec, key);
    const result = change();
    const after = this.#rows.row(spec, key);
    if (after === undefined) throw new Error(`${describeRow(spec, key)} vanished in its change`);
    const record = canonicalRecord(spec, after);
    if (before !== undefined) {
      const previous = canonicalRecord(spec, before);
      if (previous === record) return result;
      const latest = this.#ledger.latest.get(latestKey(type, key));
      if (latest !== undefined) this.#ledger.history.set(latest, previous);
    }
    this.append([{ type, key, record }]);
    return result;
  }

  /** What the audit and the opening of entries read: the memory tables as SQL rows. */
  get rows(): LedgeredRows {
    return this.#rows;
  }
}

const toEntry = (index: number, entry: MemoryLedgerEntry): LedgerEntry => ({
  index,
  type: entry.type,
  id: Uint8Array.from(entry.id),
  commitment: Uint8Array.from(entry.commitment),
});

/** The read side of the memory ledger. */
export class MemoryLedgerStore implements LedgerStore {
  readonly #ledger: MemoryLedgerTables;
  readonly #rows: LedgeredRows;

  constructor(tables: MemorySchema, writer: MemoryLedgerWriter) {
    this.#ledger = tables.ledger;
    this.#rows = writer.rows;
  }

  head(): Promise<TreeHead> {
    const frontier = this.#ledger.frontier;
    return Promise.resolve({ size: frontier.size, rootHash: frontierRoot(sha256, frontier) });
  }

  #lookup(node: NodeId): Uint8Array | undefined {
    if (node.level === 0) return this.#ledger.entries[node.index]?.leafHash;
    return this.#ledger.nodes.get(nodeKey(node.level, node.index));
  }

  rootAt(size: number): Promise<Uint8Array> {
    return Promise.resolve().then(() => {
      checkedSizes(['size'], [size], this.#ledger.entries.length);
      if (size === 0) return emptyRoot(sha256);
      const plan = [{ start: 0, end: size }];
      const [root] = assembleProof(sha256, plan, (node) => this.#lookup(node));
      if (root === undefined) throw new Error('no root');
      return root;
    });
  }

  inclusionProof(index: number, size: number): Promise<readonly Uint8Array[]> {
    return Promise.resolve().then(() => {
      checkedSizes(['index', 'size'], [index, size], this.#ledger.entries.length);
      if (index >= size)
        throw validationError('the proof request is invalid', [
          { path: 'index', reason: `must be less than size (${size})` },
        ]);
      const plan = inclusionPlan(index, size);
      return assembleProof(sha256, plan, (node) => this.#lookup(node));
    });
  }

  consistencyProof(size1: number, size2: number): Promise<readonly Uint8Array[]> {
    return Promise.resolve().then(() => {
      checkedSizes(['from', 'to'], [size1, size2], this.#ledger.entries.length);
      return assembleProof(sha256, consistencyPlan(size1, size2), (node) => this.#lookup(node));
    });
  }

  #open(index: number): OpenedEntry | undefined {
    const entry = this.#ledger.entries[index];
    if (entry === undefined) return undefined;
    const spec = ledgeredTable(entry.type);
    const history = this.#ledger.history.get(index);
    let record = history;
    if (record === undefined) {
      const row = this.#rows.row(spec, entry.key);
      if (row === undefined)
        throw new TrucelineError(
          'E_LEDGER_AUDIT',
          `entry ${index}: ${describeRow(spec, entry.key)} is missing`,
          {
            details: { index, table: spec.table, key: entry.key },
          },
        );
      record = canonicalRecord(spec, row);
    }
    return {
      ...toEntry(index, entry),
      record,
      salt: Uint8Array.from(entry.salt),
      table: spec.table,
      key: entry.key,
      superseded: history !== undefined,
    };
  }

  entries(fromIndex: number, limit: number): Promise<readonly OpenedEntry[]> {
    return Promise.resolve().then(() => {
      const opened: OpenedEntry[] = [];
      const start = Math.max(0, Math.ceil(fromIndex));
      const end = Math.min(this.#ledger.entries.length, start + Math.max(0, limit));
      for (let i = start; i < end; i += 1) {
        const entry = this.#open(i);
        if (entry !== undefined) opened.push(entry);
      }
      return opened;
    });
  }

  entry(index: number): Promise<OpenedEntry | undefined> {
    return Promise.resolve().then(() => (Number.isSafeInteger(index) ? this.#open(index) : undefined));
  }

  findEntry(type: string, key: number | string): Promise<LedgerEntry | undefined> {
    const index = this.#ledger.latest.get(latestKey(type, key));
    const entry = index === undefined ? undefined : this.#ledger.entries[index];
    return Promise.resolve(index === undefined || entry === undefined ? undefined : toEntry(index, entry));
  }

  async saveCheckpoint(checkpoint: Omit<StoredCheckpoint, 'cosignatures'>): Promise<void> {
    const root = await this.rootAt(checkpoint.size);
    if (Buffer.compare(Buffer.from(root), Buffer.from(checkpoint.rootHash)) !== 0)
      throw new TrucelineError(
        'E_CONFLICT',
        `the checkpoint's root is not the tree's root at size ${checkpoint.size}`,
      );
    if (this.#ledger.checkpoints.has(checkpoint.size)) return;
    this.#ledger.checkpoints.set(
      checkpoint.size,
      Object.freeze({
        size: checkpoint.size,
        rootHash: Uint8Array.from(checkpoint.rootHash),
        note: checkpoint.note,
        signedAtMs: checkpoint.signedAtMs,
      }),
    );
  }

  #checkpoint(stored: MemoryCheckpoint | undefined): StoredCheckpoint | undefined {
    if (stored === undefined) return undefined;
    const cosignatures = [...(this.#ledger.cosignatures.get(stored.size)?.entries() ?? [])]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([witness, { line }]) => ({ witness, line }));
    return {
      size: stored.size,
      rootHash: Uint8Array.from(stored.rootHash),
      note: stored.note,
      signedAtMs: stored.signedAtMs,
      cosignatures,
    };
  }

  #latest(): MemoryCheckpoint | undefined {
    let latest: MemoryCheckpoint | undefined;
    for (const checkpoint of this.#ledger.checkpoints.values())
      if (latest === undefined || checkpoint.size > latest.size) latest = checkpoint;
    return latest;
  }

  latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return Promise.resolve(this.#checkpoint(this.#latest()));
  }

  listCheckpoints(): Promise<readonly StoredCheckpoint[]> {
    return Promise.resolve(
      [...this.#ledger.checkpoints.values()]
        .sort((a, b) => a.size - b.size)
        .flatMap((checkpoint) => this.#checkpoint(checkpoint) ?? []),
    );
  }

  findCheckpoint(size: number): Promise<StoredCheckpoint | undefined> {
    return Promise.resolve(this.#checkpoint(this.#ledger.checkpoints.get(size)));
  }

  addCosignature(size: number, witness: string, line: string, atMs: number): Promise<void> {
    return Promise.resolve().then(() => {
      if (!this.#ledger.checkpoints.has(size))
        throw new TrucelineError('E_NOT_FOUND', `there is no checkpoint of size ${size}`);
      let byWitness = this.#ledger.cosignatures.get(size);
      if (byWitness === undefined) {
        byWitness = new Map();
        this.#ledger.cosignatures.set(size, byWitness);
      }
      byWitness.set(witness, Object.freeze({ line, receivedAtMs: atMs }));
    });
  }

  audit(onProgress?: (checked: number, total: number) => void): Promise<AuditOutcome> {
    const l = this.#ledger;
    const rows = this.#rows;
    // Each table's rows listed once per audit, for its pages (the cursor is an offset into the list).
    const listed = new Map<string, RawRow[]>();
    const source: AuditSource = {
      size: () => Promise.resolve(l.entries.length),
      entryPage: (fromIndex, limit) =>
        Promise.resolve(
          l.entries.slice(fromIndex, fromIndex + limit).map((entry, i) => ({
            idx: fromIndex + i,
            type: entry.type,
            id: entry.id,
            commitment: entry.commitment,
            salt: entry.salt,
            row_key: entry.key,
          })),
        ),
      history: (indexes) => {
        const found = new Map<number, string>();
        for (const index of indexes) {
          const record = l.history.get(index);
          if (record !== undefined) found.set(index, record);
        }
        return Promise.resolve(found);
      },
      rows: (spec, keys) => {
        const found = new Map<string, RawRow>();
        for (const key of keys) {
          const row = rows.row(spec, key);
          if (row !== undefined) found.set(String(key), row);
        }
        return Promise.resolve(found);
      },
      rowPage: (spec, after, limit) => {
        let all = listed.get(spec.table);
        if (all === undefined) {
          all = [...rows.all(spec)];
          listed.set(spec.table, all);
        }
        const start = typeof after === 'number' ? after : 0;
        return Promise.resolve({ rows: all.slice(start, start + limit), next: start + limit });
      },
      count: (spec) => Promise.resolve(rows.count(spec)),
      nodes: (keys) => {
        const found = new Map<number, Uint8Array>();
        for (const key of keys) {
          const hash = l.nodes.get(key);
          if (hash !== undefined) found.set(key, hash);
        }
        return Promise.resolve(found);
      },
      entryCount: () => Promise.resolve(l.entries.length),
      nodeCount: () => Promise.resolve(l.nodes.size),
      frontier: () => Promise.resolve(l.frontier),
      checkpoint: () => {
        const latest = this.#latest();
        return Promise.resolve(latest && { size: latest.size, rootHash: latest.rootHash });
      },
    };
    return auditLedger(source, onProgress);
  }
}
