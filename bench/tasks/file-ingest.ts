/**
 * @module The whole file path into SQLite: `ingestFiles` (read → parse → validate → source check →
 * idempotency → insert → commit, in batches) on a fresh database file opened by the shipped adapter
 * (its schema, indexes and pragmas). Sources are registered before the clock starts.
 */
import { openSqliteStore } from '../../src/adapters/sqlite/open-sqlite-store.ts';
import { ingestFiles } from '../../src/cli/commands/ingest.ts';
import type { Manifest } from '../generate-observations.ts';
import { appDeps, registerBenchSources } from '../lib/deps.ts';
import { checkCounts } from '../lib/expect.ts';
import type { TaskControl } from './task.ts';

export interface FileIngestArgs {
  readonly file: string;
  readonly sourcesFile: string;
  readonly dbPath: string;
  readonly batchSize: number;
  readonly expected: Manifest['expected'];
}

export interface FileIngestResult {
  readonly seconds: number;
  readonly accepted: number;
}

export async function run(args: unknown, _control: TaskControl): Promise<FileIngestResult> {
  const { file, sourcesFile, dbPath, batchSize, expected } = args as FileIngestArgs;
  const store = await openSqliteStore({ path: dbPath });
  const deps = appDeps(store);
  await registerBenchSources(deps, sourcesFile);
  const started = performance.now();
  const summary = await ingestFiles(deps, [file], { batchSize });
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  checkCounts('file ingest', summary, expected);
  return { seconds, accepted: summary.accepted };
}
