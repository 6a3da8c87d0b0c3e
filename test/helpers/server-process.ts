// The real `truceline serve` process, started as a user starts it, with what a test needs to kill it
// at a moment of its choosing and to know how it ended; and the accounts and keys such a test needs,
// put in the database file before the server starts.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureBuiltinOrganisations } from '../../src/application/access/create-organisation.ts';
import { createToken } from '../../src/application/access/create-token.ts';
import { createUser } from '../../src/application/access/create-user.ts';
import { addSourceKey } from '../../src/application/manage-source-keys.ts';
import { registerSource } from '../../src/application/register-source.ts';
import { generateSourceKey } from '../../src/client/source-key.ts';
import { assemble, openStore } from '../../src/main.ts';

const BIN = fileURLToPath(new URL('../../bin/truceline.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** `http://127.0.0.1:PORT`, as the server printed it. */
  readonly url: string;
  readonly port: number;
  /** Resolves once the process has exited, with its exit code or the signal that ended it. */
  readonly exited: Promise<ProcessExit>;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
}

export interface StartOptions {
  /** The SQLite file (`--db`). */
  readonly db: string;
  /** More arguments after `serve --db FILE --port 0`. */
  readonly args?: readonly string[];
  /** Give up (and kill the process) if it does not listen within this time. */
  readonly timeoutMs?: number;
}

/** Starts `node bin/truceline.js serve --db FILE --port 0` and resolves once it listens. */
export function startServerProcess(options: StartOptions): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--db', options.db, '--port', '0', ...(options.args ?? [])],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not listen within ${options.timeoutMs ?? 30_000} ms; stderr: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${String(code ?? signal)}) before listening; stderr: ${stderr}`));
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /Truceline is listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(stdout);
      if (match?.[1] === undefined || match[2] === undefined || child.pid === undefined) return;
      clearTimeout(timer);
      resolve({ child, pid: child.pid, url: match[1], port: Number(match[2]), exited, stderr: () => stderr });
    });
  });
}

/** A source's signing key, as a test that signs batches for it keeps it. */
export interface SigningKey {
  readonly keyId: string;
  readonly privateKeyPem: string;
}

/** What {@link prepareServerDb} made: a mission analyst's read token and each source's signing key. */
export interface PreparedDb {
  readonly readToken: string;
  readonly keys: ReadonlyMap<string, SigningKey>;
}

/**
 * Prepares a database file for a server that is not running yet, in this process, through the use
 * cases the CLI runs: registers `sources`, each with a new signing key, and creates a mission analyst
 * (`name`) with a one-day read token. Run it before `startServerProcess` on the same file.
 */
export async function prepareServerDb(
  db: string,
  sources: readonly { readonly id: string; readonly kind: string; readonly organisation?: string }[],
  name = 'test-analyst',
): Promise<PreparedDb> {
  const deps = assemble(await openStore({ db }), {
    validationThreads: 0,
    ledgerKey: `${db}.ledger-key`,
    attachments: `${db}.attachments`,
  });
  try {
    await ensureBuiltinOrganisations(deps);
    const keys = new Map<string, SigningKey>();
    for (const source of sources) {
      await registerSource(deps, { organisation: 'mission', ...source });
      const key = generateSourceKey();
      await addSourceKey(deps, {
        sourceId: source.id,
        keyId: key.keyId,
        publicKeySpkiB64: key.publicKeySpkiB64,
      });
      keys.set(source.id, { keyId: key.keyId, privateKeyPem: key.privateKeyPem });
    }
    await createUser(deps, { orgId: 'mission', role: 'analyst', name });
    const token = await createToken(deps, { userName: name, scopes: 'read', expiresIn: '1d' });
    return { readToken: token.text, keys };
  } finally {
    await deps.store.close();
  }
}

/** `Authorization: Bearer …` for a token. */
export const bearer = (token: string): { authorization: string } => ({ authorization: `Bearer ${token}` });
