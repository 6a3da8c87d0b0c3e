/**
 * @module The whole file path into PostgreSQL: `ingestFiles` on a fresh database opened by the shipped
 * adapter (its migrations: schema, PostGIS columns and indexes). Sources are registered before the
 * clock starts.
 */
import { openPostgresStore } from '../../src/adapters/postgres/open-postgres-store.ts';
import { ingestFiles } from '../../src/cli/commands/ingest.ts';
import type { Manifest } from '../generate-observations.ts';
import { appDeps, closeDeps, registerBenchSources } from '../lib/deps.ts';
import { checkCounts } from '../lib/expect.ts';
import type { TaskControl } from './task.ts';

export interface PostgresIngestArgs {
  readonly url: string;
  readonly file: string;
  readonly sourcesFile: string;
  readonly batchSize: number;
  readonly expected: Manifest['expected'];
  readonly validationThreads?: number;
}

export async function run(args: unknown, _control: TaskControl): Promise<{ seconds: number }> {
  const a = args as PostgresIngestArgs;
  const store = await openPostgresStore({ url: a.url });
  const deps = appDeps(store, a.validationThreads);
  await registerBenchSources(store, a.sourcesFile);
  const started = performance.now();
  const summary = await ingestFiles(deps, [a.file], { batchSize: a.batchSize });
  const seconds = (performance.now() - started) / 1000;
  await closeDeps(deps);
  checkCounts('PostgreSQL file ingest', summary, a.expected);
  return { seconds };
}
