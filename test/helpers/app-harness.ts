// Builds the real application on a real SQLite file in a temporary directory, for tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../../src/api/build-app.ts';
import type { AppDeps } from '../../src/application/app-deps.ts';
import { registerSource } from '../../src/application/register-source.ts';
import type { Clock } from '../../src/core/ports/clock.ts';
import { assemble, openStore } from '../../src/main.ts';

export interface Harness {
  readonly app: FastifyInstance;
  readonly deps: AppDeps;
  readonly dir: string;
  readonly dbPath: string;
  close(): Promise<void>;
}

/** A clock tests can set. */
export class TestClock implements Clock {
  constructor(public ms: number) {}
  now(): number {
    return this.ms;
  }
}

export async function startHarness(
  options: AppOptions & { clock?: Clock; sources?: readonly { id: string; kind: string }[] } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'truceline-test-'));
  const dbPath = join(dir, 'test.db');
  const base = assemble(await openStore({ db: dbPath }));
  const deps: AppDeps = options.clock === undefined ? base : { ...base, clock: options.clock };
  for (const source of options.sources ?? [])
    await registerSource(deps, { ...source, organisation: 'mission' });
  const app = await buildApp(deps, options);
  return {
    app,
    deps,
    dir,
    dbPath,
    close: async () => {
      await app.close();
      await deps.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
