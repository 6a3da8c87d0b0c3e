// Runs the real `truceline` command (bin/truceline.js) as a user would.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/truceline.js', import.meta.url));
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `truceline ...args` to completion. */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Starts `truceline serve ...args` and resolves with its address once it listens. */
export function startServer(
  args: readonly string[],
): Promise<{ child: ChildProcess; address: string; stderr: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const match = /listening on (http\S+)/.exec(stdout);
      if (match?.[1] !== undefined) resolve({ child, address: match[1], stderr: () => stderr });
    });
    child.on('exit', (code) =>
      reject(new Error(`server exited with ${String(code)} before listening: ${stderr}`)),
    );
  });
}

/** Where a CLI command finds the store: `['--db', FILE]` or `['--database-url', URL]`. */
export type StoreArgs = readonly ['--db', string] | readonly ['--database-url', string];

/** Runs `truceline …args`, failing the test with its output unless it exits 0; returns its stdout. */
export async function runCliOk(args: readonly string[], options: { input?: string } = {}): Promise<string> {
  const res = await runCli(args, options);
  if (res.code !== 0)
    throw new Error(`truceline ${args.join(' ')} exited ${String(res.code)}: ${res.stderr}${res.stdout}`);
  return res.stdout;
}

/**
 * Creates a user (`truceline users create`) and a one-day token for it (`truceline tokens create`),
 * as an operator does before handing out access; returns the token, which is all the command prints.
 */
export async function createTokenWithCli(
  store: StoreArgs,
  user: { readonly name: string; readonly org?: string; readonly role?: string; readonly scope?: string },
): Promise<string> {
  await runCliOk([
    'users',
    'create',
    '--org',
    user.org ?? 'mission',
    '--role',
    user.role ?? 'analyst',
    '--name',
    user.name,
    ...store,
  ]);
  const stdout = await runCliOk([
    'tokens',
    'create',
    '--user',
    user.name,
    '--scope',
    user.scope ?? 'read',
    '--expires',
    '1d',
    ...store,
  ]);
  const token = stdout.trim();
  if (token === '' || /\s/.test(token)) throw new Error(`tokens create printed more than a token: ${stdout}`);
  return token;
}

/** `truceline sources keygen`: a new signing key for a registered source, written to `out`; returns its key id. */
export async function keygenWithCli(store: StoreArgs, sourceId: string, out: string): Promise<string> {
  const keyId = (await runCliOk(['sources', 'keygen', '--source', sourceId, '--out', out, ...store])).trim();
  if (!/^ed25519-[0-9a-f]{16}$/.test(keyId)) throw new Error(`sources keygen printed ${keyId}, not a key id`);
  return keyId;
}
