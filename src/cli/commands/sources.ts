/** @module `truceline sources register FILE` and `truceline sources list`. */
import { registerSource } from '../../application/register-source.ts';
import { isTrucelineError } from '../../core/errors.ts';
import type { CliRuntime, StoreOptions } from '../cli-runtime.ts';
import { readUtf8File } from '../read-utf8.ts';
import { describeError } from '../describe-error.ts';

export async function sourcesRegister(
  runtime: CliRuntime,
  file: string,
  options: StoreOptions,
): Promise<number> {
  let items: unknown[];
  try {
    const parsed = JSON.parse(await readUtf8File(file)) as unknown;
    items = Array.isArray(parsed) ? parsed : [parsed];
  } catch (error) {
    runtime.stderr(`truceline sources register: cannot read ${file}: ${describeError(error)}\n`);
    return 1;
  }
  const deps = await runtime.openDeps(options);
  let failed = 0;
  try {
    for (const [index, item] of items.entries()) {
      try {
        await registerSource(deps, item);
      } catch (error) {
        if (!isTrucelineError(error)) throw error;
        failed += 1;
        for (const issue of error.issues) runtime.stderr(`[${index}].${issue.path}: ${issue.reason}\n`);
      }
    }
  } finally {
    await deps.store.close();
  }
  runtime.stderr(`registered ${items.length - failed} of ${items.length} sources\n`);
  return failed > 0 ? 1 : 0;
}

export async function sourcesList(runtime: CliRuntime, options: StoreOptions): Promise<number> {
  const deps = await runtime.openDeps(options, 'read');
  try {
    runtime.stdout(`${JSON.stringify(await deps.store.sources.list(), null, 2)}\n`);
    return 0;
  } finally {
    await deps.store.close();
  }
}
