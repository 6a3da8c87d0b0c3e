/**
 * @module Query latency: 1,000 random boxes and windows, each matching 900–1,100 stored rows, sent
 * one after another to `GET /api/v1/observations` of the application (a fresh server process on the
 * database the whole file path filled), after 100 warm-up queries. The p95 of the 1,000 is the
 * figure; the p95 of the 100 warm-up queries, the first a fresh process answers, is the cold p95.
 * Limit: the same queries as one SQL statement each through raw better-sqlite3 on the same file with
 * the shipped pragmas (the grid index the schema has, all columns of the matching rows).
 */
import { DEFAULT_APP_OPTIONS } from '../../src/api/build-app.ts';
import { DEFAULT_INGEST_BATCH } from '../../src/cli/commands/ingest.ts';
import { DEFAULT_ROWS, ensureData } from '../generate-observations.ts';
import { runTask, startTask } from '../lib/child.ts';
import { removeDb, sizes, type AreaContext } from '../lib/context.ts';
import { QUERY_BAND } from '../lib/query-plan.ts';
import { growthOf, loadNow, makeItem, type BenchItem, type RunSample } from '../lib/results.ts';
import { median, percentile } from '../lib/stats.ts';
import type { AppServerArgs } from '../tasks/app-server.ts';
import type { FileIngestArgs, FileIngestResult } from '../tasks/file-ingest.ts';
import type { QueryClientArgs, QueryTimings } from '../tasks/query-client.ts';
import type { QueryPlanArgs, QueryPlanResult } from '../tasks/query-plan.ts';
import type { SqliteQueryLimitArgs } from '../tasks/sqlite-query-limit.ts';

export const QUERY_WARMUP = 100;
export const QUERY_MEASURED = 1000;
export const QUERY_TARGET_P95_MS = 20;

const summarise = (latencies: readonly number[]) => {
  const cold = latencies.slice(0, QUERY_WARMUP);
  const warm = latencies.slice(QUERY_WARMUP);
  const r = (x: number): number => Number(x.toFixed(2));
  return {
    p95: percentile(warm, 95),
    coldP95: percentile(cold, 95),
    p50: r(percentile(warm, 50)),
    p99: r(percentile(warm, 99)),
    max: r(Math.max(...warm)),
    first: r(latencies[0]!),
  };
};

async function querySize(
  context: AreaContext,
  rows: number,
): Promise<{ rows: number; samples: RunSample[] }> {
  const data = ensureData(rows, context.seed);
  const dbPath = context.tmpPath('query.db');
  const queriesFile = context.tmpPath('queries.json');
  try {
    context.log(`query: filling a database with ${rows.toLocaleString('en')} lines through the file path`);
    const fill = await runTask<FileIngestResult>('file-ingest', {
      file: data.observationsFile,
      sourcesFile: data.sourcesFile,
      dbPath,
      batchSize: DEFAULT_INGEST_BATCH,
      expected: data.manifest.expected,
      validationThreads: context.validationThreads,
    } satisfies FileIngestArgs);
    const plan = await runTask<QueryPlanResult>('query-plan', {
      dbPath,
      count: QUERY_WARMUP + QUERY_MEASURED,
      seed: context.seed,
      scale: DEFAULT_ROWS / rows,
      outFile: queriesFile,
    } satisfies QueryPlanArgs);
    context.log(
      `  ${fill.result.accepted.toLocaleString('en')} stored in ${fill.result.seconds.toFixed(1)} s; ${plan.result.queries} queries planned, mean ${plan.result.meanExpected.toFixed(0)} rows each`,
    );
    const limit = DEFAULT_APP_OPTIONS.maxPageSize;
    const samples: RunSample[] = [];
    for (let run = 1; run <= context.runs; run += 1) {
      context.log(`query, ${rows.toLocaleString('en')} rows, run ${run}/${context.runs}`);
      const server = await startTask<{ port: number; token: string }, { peakRssMb: number }>(
        'app-server',
        { dbPath, validationThreads: context.validationThreads } satisfies AppServerArgs,
        context.nodeOptions,
      );
      let timings: QueryTimings;
      try {
        const args: QueryClientArgs = {
          port: server.info.port,
          token: server.info.token,
          queriesFile,
          limit,
        };
        timings = (await runTask<QueryTimings>('query-client', args)).result;
      } catch (error) {
        await server.stop().catch(() => undefined);
        throw error;
      }
      const serverDone = await server.stop();
      const raw = await runTask<QueryTimings>('sqlite-query-limit', {
        dbPath,
        queriesFile,
        limit,
      } satisfies SqliteQueryLimitArgs);
      const app = summarise(timings.latenciesMs);
      const lim = summarise(raw.result.latenciesMs);
      samples.push({
        value: app.p95,
        limit: lim.p95,
        peakRssMb: serverDone.result.peakRssMb,
        limitPeakRssMb: raw.peakRssMb,
        extra: {
          coldP95Ms: Number(app.coldP95.toFixed(2)),
          p50Ms: app.p50,
          p99Ms: app.p99,
          maxMs: app.max,
          firstQueryMs: app.first,
          limitColdP95Ms: Number(lim.coldP95.toFixed(2)),
          limitP50Ms: lim.p50,
          limitPlans: raw.result.plans,
          loadAvg1m: loadNow(),
        },
      });
      context.log(
        `  p95 ${app.p95.toFixed(1)} ms (cold ${app.coldP95.toFixed(1)} ms, p50 ${app.p50} ms), server ${Math.round(serverDone.result.peakRssMb)} MB; ` +
          `raw SQLite p95 ${lim.p95.toFixed(1)} ms (cold ${lim.coldP95.toFixed(1)} ms)`,
      );
    }
    return { rows, samples };
  } finally {
    removeDb(dbPath);
  }
}

export const queryArea = async (context: AreaContext): Promise<BenchItem[]> => {
  const bySize: { rows: number; samples: RunSample[] }[] = [];
  for (const rows of sizes(context)) bySize.push(await querySize(context, rows));
  const large = bySize[bySize.length - 1]!;
  const small = bySize.length > 1 ? bySize[0] : undefined;
  const item = makeItem({
    name: 'query',
    unit: 'ms p95',
    limitName: 'the same queries as SQL through raw better-sqlite3 on the same file and pragmas, p95',
    better: 'lower',
    rows: large.rows,
    samples: large.samples,
    target: `p95 ≤ ${QUERY_TARGET_P95_MS} ms`,
    ...(small === undefined ? {} : { growth: growthOf('lower', small, large) }),
    extra: {
      coldP95Ms: Number(median(large.samples.map((s) => s.extra!.coldP95Ms as number)).toFixed(2)),
      limitColdP95Ms: Number(median(large.samples.map((s) => s.extra!.limitColdP95Ms as number)).toFixed(2)),
      queries: {
        warmup: QUERY_WARMUP,
        measured: QUERY_MEASURED,
        matching: `${QUERY_BAND.min}–${QUERY_BAND.max} rows each`,
        pageSize: DEFAULT_APP_OPTIONS.maxPageSize,
      },
    },
    notes: [
      'latency: from sending the request to the last byte of the answer, one query at a time over one keep-alive connection; every answer is checked to hold exactly the matching rows',
      'cold: the first 100 queries of a freshly started server process (empty SQLite page cache; the OS file cache is not dropped)',
    ],
  });
  return [{ ...item, detail: { ...item.detail, met: item.value <= QUERY_TARGET_P95_MS } }];
};
