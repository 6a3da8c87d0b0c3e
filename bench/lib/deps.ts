/**
 * @module The application's dependencies exactly as the composition root assembles them
 * (`assemble` of src/main.ts: the same validator, worker threads and all), and the bench sources.
 * Importing src/main.ts loads what `truceline` loads, so peak memory is the command's.
 */
import { addSourceKey } from '../../src/application/manage-source-keys.ts';
import { simulatedSourceKey } from '../../src/sim/simulator/simulate.ts';
import { BENCH_KEY_SEED } from '../http-client.ts';
import { readFileSync } from 'node:fs';
import type { AppDeps } from '../../src/application/app-deps.ts';
import { registerSource } from '../../src/application/register-source.ts';
import { systemClock } from '../../src/core/ports/clock.ts';
import type { Store } from '../../src/core/ports/store.ts';
import { assemble } from '../../src/main.ts';

/**
 * The same dependencies `truceline` assembles, on `store`. Close them with `closeDeps`.
 * @param validationThreads undefined for the shipped default; 0 validates in process
 */
export function appDeps(store: Store, validationThreads?: number): AppDeps {
  return assemble(store, validationThreads === undefined ? {} : { validationThreads });
}

/** Stops what the dependencies started (validation threads), then closes the store. */
export async function closeDeps(deps: AppDeps): Promise<void> {
  const { validator } = deps as { validator?: { close(): Promise<void> } };
  await validator?.close();
  await deps.store.close();
}

/** Registers every source of `bench/data/sources.json` through the use case. */
export async function registerBenchSources(store: Store, sourcesFile: string): Promise<number> {
  const sources = JSON.parse(readFileSync(sourcesFile, 'utf8')) as unknown[];
  const deps = { store, clock: systemClock };
  for (const source of sources) {
    const registered = await registerSource(deps, source);
    // Each source's signing key, derived as the bench client derives it.
    const key = simulatedSourceKey(BENCH_KEY_SEED, registered.id);
    if ((await store.sources.findKey(key.keyId)) === undefined)
      await addSourceKey(deps, {
        sourceId: registered.id,
        keyId: key.keyId,
        publicKeySpkiB64: key.publicKeySpkiB64,
      });
  }
  return sources.length;
}
