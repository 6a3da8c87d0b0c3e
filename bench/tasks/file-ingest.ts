/**
 * @module The whole file path into SQLite: `ingestFiles` (read → parse → validate → source check →
 * idempotency → insert → commit, in batches) on a fresh database file opened by the shipped adapter
 * (its schema, indexes and pragmas). Sources are registered before the clock starts.
 */
import { openSqliteStore } from '../../src/adapters/sqlite/open-sqlite-store.ts';
import { ingestFiles } from '../../src/cli/commands/ingest.ts';
import { BULK_SQLITE_OPTIONS, tuneHeapForBulk } from '../../src/main.ts';
import type { Manifest } from '../generate-observations.ts';
import { appDeps, closeDeps, registerBenchSources } from '../lib/deps.ts';
import { checkCounts } from '../lib/expect.ts';
import type { TaskControl } from './task.ts';

export interface FileIngestArgs {
  readonly file: string;
  readonly sourcesFile: string;
  readonly dbPath: string;
  readonly batchSize: number;
  readonly expected: Manifest['expected'];
  readonly validationThreads?: number;
}

export interface FileIngestResult {
  readonly seconds: number;
  readonly accepted: number;
  /** Highest values seen while ingesting (sampled every 100 ms), MB: where the peak RSS goes. */
  readonly memoryMb: MemoryPeaks;
}

export interface MemoryPeaks {
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly rss: number;
}

/** Samples process.memoryUsage() until stopped; returns the peaks in MB. */
export function sampleMemory(): () => MemoryPeaks {
  const peak = { heapTotal: 0, heapUsed: 0, external: 0, rss: 0 };
  const sample = (): void => {
    const m = process.memoryUsage();
    peak.heapTotal = Math.max(peak.heapTotal, m.heapTotal);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
    peak.external = Math.max(peak.external, m.external);
    peak.rss = Math.max(peak.rss, m.rss);
  };
  const timer = setInterval(sample, 100);
  return () => {
    clearInterval(timer);
    sample();
    const mb = (n: number): number => Math.round(n / 1048576);
    return {
      heapTotal: mb(peak.heapTotal),
      heapUsed: mb(peak.heapUsed),
      external: mb(peak.external),
      rss: mb(peak.rss),
    };
  };
}

export async function run(args: unknown, _control: TaskControl): Promise<FileIngestResult> {
  const { file, sourcesFile, dbPath, batchSize, expected, validationThreads } = args as FileIngestArgs;
  // As `truceline ingest` opens it: a bulk command's page cache and heap growth.
  tuneHeapForBulk();
  const store = await openSqliteStore({ path: dbPath, ...BULK_SQLITE_OPTIONS });
  const deps = appDeps(store, validationThreads);
  await registerBenchSources(store, sourcesFile);
  const stopSampling = sampleMemory();
  const started = performance.now();
  const summary = await ingestFiles(deps, [file], { batchSize });
  const seconds = (performance.now() - started) / 1000;
  const memoryMb = stopSampling();
  await closeDeps(deps);
  checkCounts('file ingest', summary, expected);
  return { seconds, accepted: summary.accepted, memoryMb };
}
