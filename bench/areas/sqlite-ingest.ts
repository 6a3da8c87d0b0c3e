/**
 * @module File ingest into SQLite beside its limit, one run at a time: the whole path into a fresh
 * file, then prepared INSERTs of the rows it stored into another fresh file. Shared by the `ingest`
 * and `http` areas (the HTTP figure is reported beside the same run's file-ingest figure).
 */
import { DEFAULT_INGEST_BATCH } from '../../src/cli/commands/ingest.ts';
import { ensureData } from '../generate-observations.ts';
import { runTask } from '../lib/child.ts';
import { removeDb, sizes, type AreaContext } from '../lib/context.ts';
import { growthOf, loadNow, makeItem, ratioOf, type BenchItem, type RunSample } from '../lib/results.ts';
import type { FileIngestArgs, FileIngestResult } from '../tasks/file-ingest.ts';
import type { SqliteInsertLimitArgs, SqliteInsertLimitResult } from '../tasks/sqlite-insert-limit.ts';

export const FILE_INGEST_TARGET = { ratio: 0.4, perSecond: 40_000, peakRssMb: 300 } as const;

/** One run: the whole path, then its limit. */
export async function fileIngestRun(context: AreaContext, rows: number): Promise<RunSample> {
  const data = ensureData(rows, context.seed);
  const dbPath = context.tmpPath('file-ingest.db');
  const limitPath = context.tmpPath('insert-limit.db');
  const batchSize = DEFAULT_INGEST_BATCH;
  try {
    const whole = await runTask<FileIngestResult>(
      'file-ingest',
      {
        file: data.observationsFile,
        sourcesFile: data.sourcesFile,
        dbPath,
        batchSize,
        expected: data.manifest.expected,
        validationThreads: context.validationThreads,
      } satisfies FileIngestArgs,
      context.nodeOptions,
    );
    const limit = await runTask<SqliteInsertLimitResult>('sqlite-insert-limit', {
      sourceDb: dbPath,
      dbPath: limitPath,
      sourcesFile: data.sourcesFile,
      batchSize,
      lines: rows,
    } satisfies SqliteInsertLimitArgs);
    const sample: RunSample = {
      value: rows / whole.result.seconds,
      limit: rows / limit.result.seconds,
      peakRssMb: whole.peakRssMb,
      limitPeakRssMb: limit.peakRssMb,
      extra: {
        seconds: Number(whole.result.seconds.toFixed(2)),
        limitSeconds: Number(limit.result.seconds.toFixed(2)),
        limitRows: limit.result.rows,
        transactions: limit.result.transactions,
        memoryPeaksMb: whole.result.memoryMb,
        loadAvg1m: loadNow(),
      },
    };
    context.log(
      `  file-ingest ${rows.toLocaleString('en')} lines: ${Math.round(sample.value).toLocaleString('en')}/s in ${whole.result.seconds.toFixed(1)} s, ` +
        `${Math.round(whole.peakRssMb)} MB; limit ${Math.round(sample.limit).toLocaleString('en')}/s in ${limit.result.seconds.toFixed(1)} s; ` +
        `ratio ${(ratioOf(sample.value, sample.limit, 'higher') * 100).toFixed(1)} %`,
    );
    return { ...sample, extra: { ...sample.extra, pragmas: limit.result.pragmas } };
  } finally {
    removeDb(dbPath);
    removeDb(limitPath);
  }
}

/** The `file-ingest` item: every size, `runs` runs each. */
export async function fileIngestItem(context: AreaContext): Promise<BenchItem> {
  const bySize: { rows: number; samples: RunSample[] }[] = [];
  let pragmas: unknown;
  for (const rows of sizes(context)) {
    const samples: RunSample[] = [];
    for (let run = 1; run <= context.runs; run += 1) {
      context.log(`file-ingest, ${rows.toLocaleString('en')} lines, run ${run}/${context.runs}`);
      const { extra, ...sample } = await fileIngestRun(context, rows);
      const { pragmas: p, ...rest } = extra ?? {};
      pragmas = p;
      samples.push({ ...sample, extra: rest });
    }
    bySize.push({ rows, samples });
  }
  const large = bySize[bySize.length - 1]!;
  const small = bySize.length > 1 ? bySize[0] : undefined;
  return fileIngestItemFrom(large, small, pragmas);
}

export function fileIngestItemFrom(
  large: { rows: number; samples: RunSample[] },
  small: { rows: number; samples: RunSample[] } | undefined,
  pragmas: unknown,
): BenchItem {
  const item = makeItem({
    name: 'file-ingest',
    unit: 'observations/s',
    limitName: 'prepared INSERT of the stored rows, same schema, indexes, pragmas and transactions',
    better: 'higher',
    rows: large.rows,
    samples: large.samples,
    target: `≥ ${FILE_INGEST_TARGET.ratio * 100} % of the limit, ≥ ${FILE_INGEST_TARGET.perSecond.toLocaleString('en')}/s, peak RSS ≤ ${FILE_INGEST_TARGET.peakRssMb} MB`,
    ...(small === undefined ? {} : { growth: growthOf('higher', small, large) }),
    extra: { batchSize: DEFAULT_INGEST_BATCH, pragmas },
    notes: [
      'value: lines of the file ÷ seconds of ingestFiles (parse, validate, source check, idempotency, insert, commit); sources registered before the clock starts',
      'limit: the same line count ÷ seconds of the prepared INSERTs and COMMITs of every row the whole path stored (observations, quarantine, …), read back from its database',
    ],
  });
  const met =
    item.ratio >= FILE_INGEST_TARGET.ratio &&
    item.value >= FILE_INGEST_TARGET.perSecond &&
    item.peakRssMb <= FILE_INGEST_TARGET.peakRssMb;
  return { ...item, detail: { ...item.detail, met } };
}

export const ingestArea = async (context: AreaContext): Promise<BenchItem[]> => [
  await fileIngestItem(context),
];
