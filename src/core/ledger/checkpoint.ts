/**
 * @module The body of a C2SP checkpoint (c2sp.org/tlog-checkpoint): origin, tree size, root hash
 * and optional extension lines — the tree head the ledger signs and witnesses co-sign, in the
 * format the transparency-log ecosystem reads.
 */
import { type FieldIssue, TrucelineError } from '../errors.ts';
import { decodeBase64, encodeBase64 } from './base64.ts';

/** A tree head: which log, how many leaves, and the RFC 9162 root hash of those leaves. */
export interface Checkpoint {
  /** The log's unique name, e.g. `truceline.example/ledger`. */
  readonly origin: string;
  readonly size: number;
  /** The 32-byte root hash. */
  readonly rootHash: Uint8Array;
  /** Opaque further lines; the specification does not recommend them (monitors cannot audit them). */
  readonly extensions: readonly string[];
}

/** What {@link formatCheckpoint} takes: a checkpoint whose extension lines may be left out. */
export type CheckpointInput = Omit<Checkpoint, 'extensions'> & { readonly extensions?: readonly string[] };

// eslint-disable-next-line no-control-regex -- the point is to find ASCII control characters.
const CONTROL = /[\u0000-\u001F]/;
const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** Why one line of a checkpoint is not acceptable, if it is not. */
function lineProblem(line: string): string | undefined {
  if (line === '') return 'is empty';
  if (line.includes('\n')) return 'contains a newline';
  if (CONTROL.test(line)) return 'contains an ASCII control character';
  return undefined;
}

function sizeProblem(size: number): string | undefined {
  return Number.isSafeInteger(size) && size >= 0
    ? undefined
    : 'is not a whole number of leaves up to 2^53 − 1';
}

function fail(issues: readonly FieldIssue[]): TrucelineError {
  const [first] = issues;
  const summary = first === undefined ? '' : `: ${first.path} ${first.reason}`;
  return new TrucelineError('E_VALIDATION', `The checkpoint is malformed${summary}`, { issues });
}

/**
 * The note body of a checkpoint: the origin, the size in decimal, the base64 root hash, then any
 * extension lines, each ending with a newline. Sign it with signNote, co-sign it with cosign.
 *
 * @throws TrucelineError E_VALIDATION naming every field that cannot be written.
 */
export function formatCheckpoint(checkpoint: CheckpointInput): string {
  const { origin, size, rootHash, extensions = [] } = checkpoint;
  const issues: FieldIssue[] = [];
  const originProblem = lineProblem(origin);
  if (originProblem !== undefined) issues.push({ path: 'origin', reason: originProblem });
  const badSize = sizeProblem(size);
  if (badSize !== undefined) issues.push({ path: 'size', reason: badSize });
  if (rootHash.length !== 32)
    issues.push({ path: 'rootHash', reason: `is ${rootHash.length} bytes, not 32` });
  extensions.forEach((line, i) => {
    const problem = lineProblem(line);
    if (problem !== undefined) issues.push({ path: `extensions[${i}]`, reason: problem });
  });
  if (issues.length > 0) throw fail(issues);
  return [origin, String(size), encodeBase64(rootHash), ...extensions].map((line) => `${line}\n`).join('');
}

/**
 * Parses a checkpoint body (the text of the note, without signatures). Each problem is reported
 * with the line it is on: `line 2` for the tree size, and so on.
 *
 * @throws TrucelineError E_VALIDATION with one issue per bad line.
 */
export function parseCheckpoint(body: string): Checkpoint {
  if (!body.endsWith('\n')) throw fail([{ path: 'body', reason: 'does not end with a newline' }]);
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3)
    throw fail([
      { path: 'body', reason: `has ${lines.length} lines, not at least 3 (origin, size, root hash)` },
    ]);
  const [origin = '', sizeText = '', hashText = '', ...extensions] = lines;
  const issues: FieldIssue[] = [];
  const originProblem = lineProblem(origin);
  if (originProblem !== undefined) issues.push({ path: 'line 1', reason: `(origin) ${originProblem}` });
  const size = Number(sizeText);
  if (!DECIMAL.test(sizeText))
    issues.push({ path: 'line 2', reason: '(tree size) is not a decimal number without leading zeros' });
  else if (sizeProblem(size) !== undefined)
    issues.push({ path: 'line 2', reason: '(tree size) is larger than 2^53 − 1' });
  const rootHash = decodeBase64(hashText);
  if (rootHash === undefined) issues.push({ path: 'line 3', reason: '(root hash) is not base64' });
  else if (rootHash.length !== 32)
    issues.push({ path: 'line 3', reason: `(root hash) is ${rootHash.length} bytes, not 32` });
  extensions.forEach((line, i) => {
    const problem = lineProblem(line);
    if (problem !== undefined) issues.push({ path: `line ${i + 4}`, reason: `(extension) ${problem}` });
  });
  if (issues.length > 0 || rootHash === undefined) throw fail(issues);
  return Object.freeze({ origin, size, rootHash, extensions: Object.freeze(extensions) });
}
