/**
 * @module `truceline post --key FILE --source ID --url BASE_URL [--batch-id ID] [--json] FILE.ndjson`:
 * signs an NDJSON file as a source and sends it to a server, as a sensor gateway would.
 */
import { readFile } from 'node:fs/promises';
import { postSignedBatch } from '../../client/sign-batch.ts';
import { readSourceKeyFile, type SourceKeyFile } from '../../client/source-key.ts';

export interface PostArgs {
  /** The source's key file (PKCS#8 PEM, optionally after `# source:` and `# key-id:` lines). */
  readonly keyFile: string;
  /** The source the batch is sent as; must agree with the key file's `# source:` line if it has one. */
  readonly sourceId: string;
  /** The server's base URL, e.g. `https://truceline.example`. */
  readonly url: string;
  /** Default: a random UUID. Give the same id to resend a batch. */
  readonly batchId?: string;
  /** Print the server's JSON answer on stdout, success or not. */
  readonly json: boolean;
  /** The NDJSON file to send, sent byte for byte. */
  readonly file: string;
}

export interface PostIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/**
 * Runs `truceline post`.
 *
 * @example
 * process.exitCode = await postCommand(
 *   { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) },
 *   { keyFile: 'gw-7.key', sourceId: 'gw-7', url: 'https://truceline.example', json: false, file: 'batch.ndjson' },
 * );
 * @returns 0 if the server answered 2xx, 1 otherwise (and for an unusable key or data file).
 */
export async function postCommand(io: PostIo, args: PostArgs): Promise<number> {
  const say = (message: string): void => io.stderr(`truceline post: ${message}\n`);
  let key: SourceKeyFile;
  try {
    key = await readSourceKeyFile(args.keyFile);
  } catch (error) {
    say(`cannot use key file ${args.keyFile}: ${reason(error)}`);
    return 1;
  }
  if (key.sourceId !== undefined && key.sourceId !== args.sourceId) {
    say(
      `--source ${args.sourceId} disagrees with the key file ${args.keyFile}, which is the key of source ${key.sourceId}; nothing was sent`,
    );
    return 1;
  }
  let body: Uint8Array;
  try {
    body = await readFile(args.file);
  } catch (error) {
    say(`cannot read ${args.file}: ${reason(error)}`);
    return 1;
  }

  let result;
  try {
    result = await postSignedBatch({
      baseUrl: args.url,
      key: key.privateKey,
      keyId: key.keyId,
      body,
      contentType: 'application/x-ndjson',
      ...(args.batchId === undefined ? {} : { batchId: args.batchId }),
    });
  } catch (error) {
    say(`cannot send to ${args.url}: ${reason(error)}`);
    return 1;
  }

  const ok = result.status >= 200 && result.status < 300;
  if (args.json) io.stdout(`${JSON.stringify(result.body)}\n`);
  if (ok) {
    const counts = ingestCounts(result.body);
    if (!args.json && counts !== undefined) io.stdout(`${counts}\n`);
    io.stderr(
      `batch ${result.batchId} sent as ${args.sourceId} with key ${key.keyId}: HTTP ${result.status}\n`,
    );
    return 0;
  }
  const { code, message } = errorOf(result.body);
  say(`the server refused batch ${result.batchId} (HTTP ${result.status}): ${code}: ${message}`);
  return 1;
}

function reason(error: unknown): string {
  if (error instanceof Error) {
    // fetch's "fetch failed" hides the reason (ECONNREFUSED…) in `cause`.
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

/** The counts line of an ingest report, worded as `truceline ingest` words it. */
function ingestCounts(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { accepted, duplicates, conflicts, rejected } = body as Record<string, unknown>;
  if ([accepted, duplicates, conflicts, rejected].some((n) => typeof n !== 'number')) return undefined;
  return `accepted ${String(accepted)}, duplicates ${String(duplicates)}, conflicts ${String(conflicts)}, rejected ${String(rejected)}`;
}

/** The code and message of the API's error shape, or what there is instead. */
function errorOf(body: unknown): { code: string; message: string } {
  if (typeof body === 'object' && body !== null) {
    const { code, message } = body as Record<string, unknown>;
    if (typeof code === 'string')
      return { code, message: typeof message === 'string' ? message : JSON.stringify(body) };
  }
  return {
    code: 'no error code',
    message: typeof body === 'string' ? body.slice(0, 500) : JSON.stringify(body),
  };
}
