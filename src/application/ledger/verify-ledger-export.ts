/**
 * @module `truceline ledger verify`: checks a ledger export with no database — the checkpoint's
 * signature by the log's key and a quorum of witnesses' co-signatures, every opened record against its
 * commitment (hashing the record's exact text, never re-serialising it), and the tree rebuilt from the
 * entries against the checkpoint. It streams: memory stays flat however long the log.
 */
import { parseCheckpoint, type Checkpoint } from '../../core/ledger/checkpoint.ts';
import { parseWitnessVerifierKey, verifyCosignature } from '../../core/ledger/cosignature.ts';
import { bytesEqual, type Sha256 } from '../../core/ledger/hash.ts';
import { HASH_BYTES, LEAF_ID_BYTES, SALT_BYTES, isRecordType } from '../../core/ledger/leaf.ts';
import { appendLeaves, frontierRoot, EMPTY_FRONTIER, type MerkleFrontier } from '../../core/ledger/merkle.ts';
import {
  ed25519Verifier,
  parseNote,
  parseVerifierKey,
  verifyNote,
  type Ed25519,
} from '../../core/ledger/signed-note.ts';
import { TrucelineError } from '../../core/errors.ts';

export interface VerifyExportOptions {
  /** The log's verifier key text, as `ledger pubkey` prints it. */
  readonly logKey: string;
  /** Witnesses' verifier key texts, as `witness keygen` prints them. */
  readonly witnessKeys: readonly string[];
  /** How many of those witnesses must have co-signed the checkpoint (default 0). */
  readonly quorum: number;
}

export interface VerifyExportDeps {
  readonly ed: Ed25519;
  readonly sha: Sha256;
  /** SHA-256 of a record's text followed by its salt (the commitment), without an extra copy. */
  readonly commitment: (record: string, salt: Uint8Array) => Uint8Array;
  /** The RFC 9162 hash of a leaf (`SHA-256(0x00 ‖ leafBytes)`), without the intermediate arrays. */
  readonly leafHash: (type: string, id: Uint8Array, commitment: Uint8Array) => Uint8Array;
}

export interface VerifiedExport {
  readonly origin: string;
  readonly size: number;
  /** Whom the export was made for; null: everyone (every record opened). */
  readonly for: string | null;
  readonly opened: number;
  /** The witnesses (by name) whose co-signatures verified. */
  readonly witnesses: readonly string[];
  /** Earlier checkpoints inside the export that verified. */
  readonly checkpoints: number;
}

/**
 * The bytes of a hex text of exactly `bytes` bytes, or undefined. Buffer's decoder is native and stops
 * at the first character that is not hex: a bad text comes out short, and is refused by its length.
 */
const hexBytes = (value: unknown, bytes: number): Uint8Array | undefined => {
  if (typeof value !== 'string' || value.length !== 2 * bytes) return undefined;
  const decoded = Buffer.from(value, 'hex');
  return decoded.length === bytes ? decoded : undefined;
};

const fail = (message: string, details: Record<string, unknown>): TrucelineError =>
  new TrucelineError('E_LEDGER_VERIFY', message, { details });

/** The JSON object a line holds, or undefined when it holds no JSON or another value (null, an array…). */
function jsonObject(text: string): object | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
}

/** Leaf hashes are folded into the tree this many at a time. */
const FOLD = 1024;

interface EntryLine {
  index?: unknown;
  type?: unknown;
  id?: unknown;
  commitment?: unknown;
  record?: unknown;
  salt?: unknown;
  checkpoint?: unknown;
}

/** Verifies an export given as lines (without newlines). Throws `E_LEDGER_VERIFY` naming what failed. */
export async function verifyLedgerExport(
  lines: AsyncIterable<string>,
  options: VerifyExportOptions,
  deps: VerifyExportDeps,
): Promise<VerifiedExport> {
  const logKey = parseVerifierKey(options.logKey, deps.sha);
  const logVerifier = ed25519Verifier(logKey, deps.ed);
  const witnessKeys = options.witnessKeys.map((text) => parseWitnessVerifierKey(text, deps.sha));
  /** Verifies a checkpoint note by the log's key; returns the checkpoint and the witnesses that co-signed. */
  const checkNote = (note: unknown, where: string): { checkpoint: Checkpoint; witnesses: string[] } => {
    if (typeof note !== 'string')
      throw fail(`${where}: the checkpoint is not a signed note`, { line: where });
    let body: string;
    try {
      body = verifyNote(note, [logVerifier]).body;
    } catch (error) {
      throw fail(`${where}: the checkpoint is not signed by the log's key ${logKey.name}`, {
        line: where,
        cause: String(error),
      });
    }
    const checkpoint = parseCheckpoint(body);
    if (checkpoint.origin !== logKey.name)
      throw fail(`${where}: the checkpoint is of the log ${checkpoint.origin}, not ${logKey.name}`, {
        line: where,
      });
    const witnesses: string[] = [];
    for (const signature of parseNote(note).signatures)
      for (const key of witnessKeys)
        if (verifyCosignature(body, signature, key, deps.ed).ok && !witnesses.includes(key.name))
          witnesses.push(key.name);
    return { checkpoint, witnesses };
  };

  const iterator = lines[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done === true) throw fail('the export is empty: it has no checkpoint line', { line: 1 });
  const header = jsonObject(first.value) as { checkpoint?: unknown; for?: unknown } | undefined;
  if (header === undefined) throw fail('line 1 is not a JSON object holding the checkpoint', { line: 1 });
  const { checkpoint, witnesses } = checkNote(header.checkpoint, 'line 1');
  if (witnesses.length < options.quorum)
    throw fail(
      `the checkpoint has ${witnesses.length} valid co-signature(s) of the witnesses given (${witnesses.join(', ') || 'none'}); ${options.quorum} are required`,
      { witnesses, quorum: options.quorum },
    );
  const forOrg = typeof header.for === 'string' ? header.for : null;

  let frontier: MerkleFrontier = EMPTY_FRONTIER;
  let pending: Uint8Array[] = [];
  const fold = (): void => {
    frontier = appendLeaves(deps.sha, frontier, pending).frontier;
    pending = [];
  };
  let next = 0;
  let opened = 0;
  let lineNumber = 1;
  // The last signed prefix that verified: the export's earlier checkpoints, in order.
  let goodSize = 0;
  let checkpoints = 0;
  for (;;) {
    const item = await iterator.next();
    if (item.done === true) break;
    lineNumber += 1;
    if (item.value === '') continue;
    const line = jsonObject(item.value) as EntryLine | undefined;
    if (line === undefined)
      throw fail(`line ${lineNumber} is not a JSON object`, { line: lineNumber, index: next });
    if (line.checkpoint !== undefined) {
      const earlier = checkNote(line.checkpoint, `line ${lineNumber}`).checkpoint;
      fold();
      if (earlier.size !== next || !bytesEqual(frontierRoot(deps.sha, frontier), earlier.rootHash))
        throw fail(
          `the entries before line ${lineNumber} do not give the signed checkpoint of size ${earlier.size}; ` +
            `the last checkpoint that verifies is of size ${goodSize}: the difference lies in entries ${goodSize}–${earlier.size - 1}`,
          { lastGoodSize: goodSize, from: goodSize, to: earlier.size - 1 },
        );
      goodSize = earlier.size;
      checkpoints += 1;
      continue;
    }
    const where = `entry ${next} (line ${lineNumber})`;
    if (line.index !== next)
      throw fail(`${where}: expected index ${next}, found ${String(line.index)}`, { index: next });
    const id = hexBytes(line.id, LEAF_ID_BYTES);
    const commitment = hexBytes(line.commitment, HASH_BYTES);
    if (typeof line.type !== 'string' || !isRecordType(line.type))
      throw fail(`${where}: the type is missing or invalid`, { index: next });
    if (id?.length !== LEAF_ID_BYTES)
      throw fail(`${where}: the id is not ${LEAF_ID_BYTES} bytes of hex`, { index: next });
    if (commitment?.length !== HASH_BYTES)
      throw fail(`${where}: the commitment is not ${HASH_BYTES} bytes of hex`, { index: next });
    if (line.record !== undefined) {
      const salt = hexBytes(line.salt, SALT_BYTES);
      if (typeof line.record !== 'string' || salt?.length !== SALT_BYTES)
        throw fail(`${where}: an opened record needs its text and a ${SALT_BYTES}-byte salt`, {
          index: next,
        });
      if (!bytesEqual(deps.commitment(line.record, salt), commitment))
        throw fail(
          `${where}: the record does not match its commitment (the record or the commitment was changed)`,
          {
            index: next,
          },
        );
      opened += 1;
    } else if (forOrg === null)
      throw fail(`${where}: the export is for everyone but the record is missing`, { index: next });
    pending.push(deps.leafHash(line.type, id, commitment));
    if (pending.length === FOLD) fold();
    next += 1;
  }
  fold();
  if (next !== checkpoint.size || !bytesEqual(frontierRoot(deps.sha, frontier), checkpoint.rootHash))
    throw fail(
      next !== checkpoint.size
        ? `the export holds ${next} entries; its checkpoint signs ${checkpoint.size}` +
            `; the last checkpoint that verifies is of size ${goodSize}: the difference lies after entry ${goodSize - 1}`
        : `the entries do not give the checkpoint's root; the last checkpoint that verifies is of size ${goodSize}: ` +
            `the difference lies in entries ${goodSize}–${checkpoint.size - 1}`,
      { lastGoodSize: goodSize, from: goodSize, to: checkpoint.size - 1 },
    );
  return { origin: checkpoint.origin, size: next, for: forOrg, opened, witnesses, checkpoints };
}
