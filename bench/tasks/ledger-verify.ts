/**
 * @module `ledger verify`'s work on an export for everyone, streamed from disk as the command reads it,
 * beside the hash floor: the same 3n−1 SHA-256 computations over the same bytes in memory, one thread,
 * `crypto.hash` — measured on the first `hashFloorRows` entries in the same process and counted per
 * entry (holding every record of a 10-million-entry export in memory would not fit the point).
 */
import { hash } from 'node:crypto';
import { linesOf } from '../../src/cli/lines-of.ts';
import { commitmentOf, leafHashOf, sha256 } from '../../src/adapters/common/ledger-leaves.ts';
import { nodeEd25519 } from '../../src/adapters/crypto/ed25519.ts';
import { verifyLedgerExport } from '../../src/application/ledger/verify-ledger-export.ts';
import { fromHex } from '../../src/core/ledger/hash.ts';
import { leafBytes } from '../../src/core/ledger/leaf.ts';
import type { TaskControl } from './task.ts';

export interface LedgerVerifyArgs {
  /** The entries; the header (checkpoint) line is in FILE.header. */
  readonly exportFile: string;
  readonly verifierKey: string;
  /** `verify`: the verification alone (its peak memory is the figure's); `floor`: the hash floor. */
  readonly mode: 'verify' | 'floor';
  readonly hashFloorRows: number;
}

export interface LedgerVerifyResult {
  readonly entries: number;
  readonly seconds: number;
  readonly hashFloorRows: number;
  readonly hashFloorSeconds: number;
}

/** The header file's line, then the export's, read as `ledger verify` reads a file. */
async function* exportLines(exportFile: string): AsyncGenerator<string> {
  yield* linesOf(`${exportFile}.header`);
  yield* linesOf(exportFile);
}

export async function run(args: unknown, _control: TaskControl): Promise<LedgerVerifyResult> {
  const input = args as LedgerVerifyArgs;
  if (input.mode === 'floor') return floor(input);
  const started = performance.now();
  const verified = await verifyLedgerExport(
    exportLines(input.exportFile),
    { logKey: input.verifierKey, witnessKeys: [], quorum: 0 },
    { ed: nodeEd25519, sha: sha256, commitment: commitmentOf, leafHash: leafHashOf },
  );
  const seconds = (performance.now() - started) / 1000;
  return { entries: verified.size, seconds, hashFloorRows: 0, hashFloorSeconds: 0 };
}

/** The floor, over the first entries' own bytes, loaded before its clock starts. */
async function floor(input: LedgerVerifyArgs): Promise<LedgerVerifyResult> {
  const commitInputs: Buffer[] = [];
  const leafInputs: Buffer[] = [];
  for await (const line of linesOf(input.exportFile)) {
    if (commitInputs.length >= input.hashFloorRows) break;
    const entry = JSON.parse(line) as {
      type: string;
      id: string;
      commitment: string;
      record: string;
      salt: string;
    };
    commitInputs.push(Buffer.concat([Buffer.from(entry.record, 'utf8'), Buffer.from(entry.salt, 'hex')]));
    const bytes = leafBytes({
      type: entry.type,
      id: fromHex(entry.id) ?? new Uint8Array(16),
      commitment: fromHex(entry.commitment) ?? new Uint8Array(32),
    });
    leafInputs.push(Buffer.concat([Buffer.from([0]), bytes]));
  }
  const node = Buffer.alloc(65, 1);
  let sink = 0;
  const started = performance.now();
  for (const buffer of commitInputs) sink ^= hash('sha256', buffer, 'buffer')[0] ?? 0;
  for (const buffer of leafInputs) sink ^= hash('sha256', buffer, 'buffer')[0] ?? 0;
  for (let i = 1; i < commitInputs.length; i += 1) {
    node[1] = i & 0xff;
    sink ^= hash('sha256', node, 'buffer')[0] ?? 0;
  }
  const hashFloorSeconds = (performance.now() - started) / 1000;
  if (sink === 256) throw new Error('unreachable');
  return { entries: 0, seconds: 0, hashFloorRows: commitInputs.length, hashFloorSeconds };
}
