/** @module The application's dependencies as the composition root assembles them, and the bench sources. */
import { readFileSync } from 'node:fs';
import { nodeSha256, nodeSha256Bytes } from '../../src/adapters/crypto/node-sha256.ts';
import type { AppDeps } from '../../src/application/app-deps.ts';
import { Notifier } from '../../src/application/notifier.ts';
import { registerSource } from '../../src/application/register-source.ts';
import { systemClock } from '../../src/core/ports/clock.ts';
import type { Store } from '../../src/core/ports/store.ts';

/** The same dependencies `src/main.ts` assembles, on `store`. */
export function appDeps(store: Store): AppDeps {
  return {
    store,
    clock: systemClock,
    sha256: nodeSha256,
    sha256Bytes: nodeSha256Bytes,
    notifier: new Notifier(),
  };
}

/** Registers every source of `bench/data/sources.json` through the use case. */
export async function registerBenchSources(deps: AppDeps, sourcesFile: string): Promise<number> {
  const sources = JSON.parse(readFileSync(sourcesFile, 'utf8')) as unknown[];
  for (const source of sources) await registerSource(deps, source);
  return sources.length;
}
