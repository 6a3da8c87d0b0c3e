/**
 * @module The ledger's append rate on SQLite, beside its two floors measured in the same process:
 * the hash floor (the same 3n−1 SHA-256 computations — n commitments over record ‖ salt, n leaves,
 * n−1 interior nodes — over the same bytes, one thread, `crypto.hash`, data in memory) and raw
 * inserts of the same rows (entries, subtree hashes and the head, precomputed, in the same batches).
 * The records are observation-sized canonical texts. With `exportFile`, the same entries are also
 * written as a ledger export for everyone (the verify and proof benches use both).
 */
import { hash, randomFillSync } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import Database from 'better-sqlite3';
import { SqliteLedgerWriter } from '../../src/adapters/sqlite/sqlite-ledger.ts';
import { openRecordingPragmas, applyPragmas } from '../lib/sqlite-pragmas.ts';
import { entryLine } from '../../src/application/ledger/export-ledger.ts';
import { formatCheckpoint } from '../../src/core/ledger/checkpoint.ts';
import {
  formatNote,
  formatPrivateKey,
  parsePrivateKey,
  signNote,
  ed25519Signer,
  formatVerifierKey,
} from '../../src/core/ledger/signed-note.ts';
import { nodeEd25519 } from '../../src/adapters/crypto/ed25519.ts';
import {
  leafHashOf,
  sha256,
  prepareLeaves,
  type LedgerItem,
} from '../../src/adapters/common/ledger-leaves.ts';
import {
  appendLeaves,
  frontierRoot,
  EMPTY_FRONTIER,
  type MerkleFrontier,
} from '../../src/core/ledger/merkle.ts';
import { Prng } from '../lib/prng.ts';
import type { TaskControl } from './task.ts';

export interface LedgerAppendArgs {
  readonly rows: number;
  /** The SQLite file to build the log in (fresh). */
  readonly dbPath: string;
  /** A second fresh file for the raw inserts; omitted: no raw-insert floor (building only). */
  readonly rawDbPath?: string;
  /** Measure the hash floor over this many of the records (all of them by default). */
  readonly hashFloorRows?: number;
  /** Also write the entries as an export for everyone. */
  readonly exportFile?: string;
  readonly seed: number;
}

export interface LedgerAppendResult {
  readonly rows: number;
  readonly appendSeconds: number;
  readonly hashFloorRows: number;
  readonly hashFloorSeconds: number;
  readonly rawSeconds: number | null;
  readonly meanRecordBytes: number;
  readonly verifierKey: string | null;
  readonly exportBytes: number | null;
}

const BATCH = 1000;
const KINDS = ['acoustic', 'radar', 'camera', 'patrol', 'heartbeat', 'seismic'] as const;

/** An observation-sized canonical record (about 600 bytes), deterministic for the seed and index. */
function recordOf(prng: Prng, i: number): string {
  const kind = KINDS[i % KINDS.length] ?? 'acoustic';
  const lat = 46.6 + prng.next() * 3.8;
  const lon = 33 + prng.next() * 5.2;
  const at = 1_780_000_000_000 + i * 1_000;
  const content = JSON.stringify({
    id: `rec-${i}`,
    kind,
    location: { ceM: 150, lat, lon },
    observedAt: new Date(at).toISOString(),
    payload: { bearingDeg: Math.round(prng.next() * 360), peakPa: 12.5, signal: 'impact', snrDb: 18 },
    sourceId: `sensor-${i % 332}`,
    timeUncertaintyMs: 250,
  });
  return JSON.stringify({
    batch_id: `batch-${Math.floor(i / BATCH)}`,
    ce_m: 150,
    content,
    content_sha256: hash('sha256', content, 'hex'),
    kind,
    lat,
    lon,
    observed_at: at,
    received_at: at + 5_000,
    record_id: `rec-${i}`,
    releasable_to: '["mission","@chair","@member"]',
    source_id: `sensor-${i % 332}`,
    time_uncertainty_ms: 250,
    tlp: 'AMBER',
    weapon_class: null,
  });
}

async function openLedgerFile(path: string): Promise<Database.Database> {
  // The schema and the pragmas exactly as the store makes them.
  const { store, pragmas } = await openRecordingPragmas({ path });
  await store.close();
  const db = new Database(path);
  applyPragmas(
    db,
    pragmas.filter((p) => !p.startsWith('page_size') && !p.startsWith('journal_mode')),
  );
  return db;
}

export async function run(args: unknown, _control: TaskControl): Promise<LedgerAppendResult> {
  const input = args as LedgerAppendArgs;
  const prng = new Prng(input.seed);
  const floorRows = Math.min(input.hashFloorRows ?? input.rows, input.rows);
  // The records the floors hash and insert, made before any clock starts.
  const kept: string[] = [];
  let bytes = 0;
  for (let i = 0; i < floorRows; i += 1) {
    const record = recordOf(prng, i);
    kept.push(record);
    bytes += record.length;
  }

  // --- The append, through the product's writer, in batches of 1,000 (one transaction each).
  const db = await openLedgerFile(input.dbPath);
  const writer = new SqliteLedgerWriter(db);
  const out = input.exportFile === undefined ? undefined : createWriteStream(input.exportFile);
  const seed = randomFillSync(Buffer.alloc(32));
  const publicKey = nodeEd25519.publicKey(seed);
  const key = parsePrivateKey(
    formatPrivateKey('truceline.ledger/bench', seed, publicKey, sha256),
    nodeEd25519,
    sha256,
  );
  const append = db.transaction((items: readonly LedgerItem[]) => writer.append(items));
  const genPrng = new Prng(input.seed);
  let appendSeconds = 0;
  let exportFrontier: MerkleFrontier = EMPTY_FRONTIER;
  let exportBytes = 0;
  const pendingLines: string[] = [];
  // The export's header holds the checkpoint, known only at the end: the entries go to FILE and the
  // header to FILE.header; the verify bench reads the two as one stream.
  for (let start = 0; start < input.rows; start += BATCH) {
    const items: LedgerItem[] = [];
    for (let i = start; i < Math.min(start + BATCH, input.rows); i += 1)
      items.push({
        type: 'observation',
        key: i + 1,
        record: i < kept.length ? (kept[i] ?? '') : recordOf(genPrng, i),
      });
    const started = performance.now();
    append.immediate(items);
    appendSeconds += (performance.now() - started) / 1000;
    if (out !== undefined) {
      // The export's lines: the entries just appended, read back with their salts.
      const rows = db
        .prepare<
          [number, number],
          { idx: number; type: string; id: Buffer; commitment: Buffer; salt: Buffer }
        >('SELECT idx, type, id, commitment, salt FROM ledger_entries WHERE idx >= ? ORDER BY idx LIMIT ?')
        .all(start, items.length);
      const leaves = rows.map((row, k) => {
        const line = entryLine(
          {
            index: row.idx,
            type: row.type,
            id: row.id,
            commitment: row.commitment,
            record: items[k]?.record ?? '',
            salt: row.salt,
            table: 'observations',
            key: row.idx + 1,
            superseded: false,
          },
          true,
        );
        pendingLines.push(line);
        return leafHashOf(row.type, row.id, row.commitment);
      });
      exportFrontier = appendLeaves(sha256, exportFrontier, leaves).frontier;
      if (pendingLines.length >= 10_000) {
        const text = `${pendingLines.join('\n')}\n`;
        exportBytes += Buffer.byteLength(text);
        if (!out.write(text)) await once(out, 'drain');
        pendingLines.length = 0;
      }
    }
  }
  let verifierKey: string | null = null;
  if (out !== undefined) {
    const text = pendingLines.length > 0 ? `${pendingLines.join('\n')}\n` : '';
    exportBytes += Buffer.byteLength(text);
    out.write(text);
    out.end();
    await once(out, 'close');
    const body = formatCheckpoint({
      origin: key.name,
      size: input.rows,
      rootHash: frontierRoot(sha256, exportFrontier),
    });
    const note = formatNote(body, [signNote(body, ed25519Signer(key, nodeEd25519))]);
    // The header file; the verify bench reads header then body as one stream.
    const header = `${JSON.stringify({ checkpoint: note, for: null })}\n`;
    await writeFile(`${input.exportFile ?? ''}.header`, header);
    exportBytes += Buffer.byteLength(header);
    verifierKey = formatVerifierKey(key.name, publicKey, sha256);
  }
  db.close();

  // --- The hash floor: the same 3n−1 hashes over the same bytes, in memory.
  const salts = randomFillSync(Buffer.alloc(32 * floorRows));
  const inputs = kept.map((record, i) =>
    Buffer.concat([Buffer.from(record, 'utf8'), salts.subarray(i * 32, (i + 1) * 32)]),
  );
  const leafInputs = kept.map(() => randomFillSync(Buffer.alloc(1 + 2 + 11 + 16 + 32)));
  const nodeInput = randomFillSync(Buffer.alloc(65));
  let started = performance.now();
  let sink = 0;
  for (const buffer of inputs) sink ^= hash('sha256', buffer, 'buffer')[0] ?? 0;
  for (const buffer of leafInputs) sink ^= hash('sha256', buffer, 'buffer')[0] ?? 0;
  for (let i = 1; i < floorRows; i += 1) {
    nodeInput[1] = i & 0xff;
    sink ^= hash('sha256', nodeInput, 'buffer')[0] ?? 0;
  }
  const hashFloorSeconds = (performance.now() - started) / 1000;
  if (sink === 256) throw new Error('unreachable');

  // --- Raw inserts of the same rows: entries, nodes and the head, precomputed, same batches.
  let rawSeconds: number | null = null;
  if (input.rawDbPath !== undefined) {
    const rawDb = await openLedgerFile(input.rawDbPath);
    const leaves = prepareLeaves(kept.map((record, i) => ({ type: 'observation', key: i + 1, record })));
    const grown = appendLeaves(
      sha256,
      EMPTY_FRONTIER,
      leaves.map((l) => l.leafHash),
    );
    const nodes = grown.nodes.map((node) => ({
      key: node.level * 2 ** 40 + node.index,
      hash: node.hash,
      last: (node.index + 1) * 2 ** node.level - 1,
    }));
    const insertEntry = rawDb.prepare(
      'INSERT INTO ledger_entries (idx, type, id, commitment, salt, row_key) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const insertNode = rawDb.prepare('INSERT INTO ledger_nodes (node, hash) VALUES (?, ?)');
    const head = rawDb.prepare('UPDATE ledger_state SET size = ?, frontier = ? WHERE id = 1');
    const frontierBytes = Buffer.alloc(32 * 20);
    let nodeAt = 0;
    const batch = rawDb.transaction((from: number, to: number) => {
      for (let i = from; i < to; i += 1) {
        const leaf = leaves[i];
        if (leaf !== undefined) insertEntry.run(i, leaf.type, leaf.id, leaf.commitment, leaf.salt, leaf.key);
      }
      // The nodes completed by this batch's leaves.
      while (nodeAt < nodes.length && (nodes[nodeAt]?.last ?? Infinity) < to) {
        const node = nodes[nodeAt];
        if (node !== undefined) insertNode.run(node.key, node.hash);
        nodeAt += 1;
      }
      head.run(to, frontierBytes);
    });
    nodes.sort((a, b) => a.last - b.last);
    started = performance.now();
    for (let from = 0; from < floorRows; from += BATCH)
      batch.immediate(from, Math.min(from + BATCH, floorRows));
    rawSeconds = (performance.now() - started) / 1000;
    rawDb.close();
  }
  return {
    rows: input.rows,
    appendSeconds,
    hashFloorRows: floorRows,
    hashFloorSeconds,
    rawSeconds,
    meanRecordBytes: floorRows === 0 ? 0 : bytes / floorRows,
    verifierKey,
    exportBytes,
  };
}
