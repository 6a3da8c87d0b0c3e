/** @module `truceline backup --out FILE`: SQLite's online backup, safe while the server writes. */
import type { CliRuntime, StoreOptions } from '../cli-runtime.ts';
import { describeError } from '../describe-error.ts';
import { overwritesStoreFile } from '../store-files.ts';

export async function backupCommand(
  runtime: CliRuntime,
  options: StoreOptions & { out: string },
): Promise<number> {
  const overwrites = overwritesStoreFile(options.out, '--out', options);
  if (overwrites !== undefined) {
    runtime.stderr(`truceline backup: ${overwrites}\n`);
    return 1;
  }
  const deps = await runtime.openDeps(options, 'read');
  try {
    await deps.store.backup(options.out);
    runtime.stderr(`backup written to ${options.out}\n`);
    return 0;
  } catch (error) {
    runtime.stderr(`truceline backup: ${describeError(error)}\n`);
    return 1;
  } finally {
    await deps.store.close();
  }
}
