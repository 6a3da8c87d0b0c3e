/**
 * @module The files a store's commands keep beside it — the SQLite database and its logs, the ledger
 * key and the record of the trees it signed — and the refusal to write a command's output over one of
 * them: a mistyped `--json` or `--out` would otherwise destroy the key (which cannot be made again) or
 * a log holding commits not yet in the database.
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { StoreOptions } from './cli-runtime.ts';

/** The path resolved (links followed); a missing file by its resolved directory and name. */
function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

/** The store's own files the options name, each with what it is. */
export function storeFiles(options: StoreOptions): { path: string; what: string }[] {
  const files: { path: string; what: string }[] = [];
  if (options.databaseUrl === undefined) {
    const db = options.db ?? './truceline.db';
    files.push({ path: db, what: 'the database' });
    for (const log of ['-wal', '-shm', '-journal'])
      files.push({ path: `${db}${log}`, what: "the database's log" });
  }
  const key =
    options.ledgerKey ??
    (options.databaseUrl === undefined ? `${options.db ?? './truceline.db'}.ledger-key` : undefined);
  if (key !== undefined) {
    files.push({ path: key, what: 'the ledger key' });
    files.push({
      path: options.ledgerSigned ?? `${key}.signed`,
      what: 'the record of the trees the ledger key signed',
    });
  }
  return files;
}

/** Why `target` (given as `flag`) must not be written, when it is one of the store's files. */
export function overwritesStoreFile(target: string, flag: string, options: StoreOptions): string | undefined {
  const path = real(target);
  const hit = storeFiles(options).find((file) => real(file.path) === path);
  return hit === undefined ? undefined : `${flag} ${target}: that is ${hit.what}; write to another file`;
}
