/** @module `truceline backup --out FILE`: SQLite's online backup, safe while the server writes. */
import type { CliRuntime, StoreOptions } from '../cli-runtime.ts';
import { describeError } from '../describe-error.ts';

export async function backupCommand(
  runtime: CliRuntime,
  options: StoreOptions & { out: string },
): Promise<number> {
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
