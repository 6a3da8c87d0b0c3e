/**
 * @module PostgreSQL: the same file through the whole path into a fresh database (the shipped
 * adapter: schema, PostGIS, indexes), beside COPY of the rows it stored into another fresh database
 * with the same schema and indexes.
 */
import { DEFAULT_INGEST_BATCH } from '../../src/cli/commands/ingest.ts';
import { ensureData } from '../generate-observations.ts';
import { runTask } from '../lib/child.ts';
import { sizes, type AreaContext } from '../lib/context.ts';
import { benchPostgres, createOrDropDatabase, databaseUrl } from '../lib/postgres-server.ts';
import { growthOf, loadNow, makeItem, ratioOf, type BenchItem, type RunSample } from '../lib/results.ts';
import type { PostgresCopyLimitArgs, PostgresCopyLimitResult } from '../tasks/postgres-copy-limit.ts';
import type { PostgresIngestArgs } from '../tasks/postgres-ingest.ts';

export const postgresArea = async (context: AreaContext): Promise<BenchItem[]> => {
  const server = await benchPostgres(context.log);
  try {
    context.log(`postgres: ${server.description}`);
    const bySize: { rows: number; samples: RunSample[] }[] = [];
    let n = 0;
    for (const rows of sizes(context)) {
      const data = ensureData(rows, context.seed);
      const samples: RunSample[] = [];
      for (let run = 1; run <= context.runs; run += 1) {
        context.log(`postgres, ${rows.toLocaleString('en')} lines, run ${run}/${context.runs}`);
        n += 1;
        const ingestDb = `truceline_bench_${process.pid}_${n}_ingest`;
        const copyDb = `truceline_bench_${process.pid}_${n}_copy`;
        try {
          await createOrDropDatabase(server.adminUrl, ingestDb);
          await createOrDropDatabase(server.adminUrl, copyDb);
          const whole = await runTask<{ seconds: number }>(
            'postgres-ingest',
            {
              url: databaseUrl(server.adminUrl, ingestDb),
              file: data.observationsFile,
              sourcesFile: data.sourcesFile,
              batchSize: DEFAULT_INGEST_BATCH,
              expected: data.manifest.expected,
              validationThreads: context.validationThreads,
            } satisfies PostgresIngestArgs,
            context.nodeOptions,
          );
          const limit = await runTask<PostgresCopyLimitResult>('postgres-copy-limit', {
            sourceUrl: databaseUrl(server.adminUrl, ingestDb),
            url: databaseUrl(server.adminUrl, copyDb),
            sourcesFile: data.sourcesFile,
            scratchPrefix: context.tmpPath('pg'),
          } satisfies PostgresCopyLimitArgs);
          const sample: RunSample = {
            value: rows / whole.result.seconds,
            limit: rows / limit.result.seconds,
            peakRssMb: whole.peakRssMb,
            limitPeakRssMb: limit.peakRssMb,
            extra: {
              seconds: Number(whole.result.seconds.toFixed(2)),
              limitSeconds: Number(limit.result.seconds.toFixed(2)),
              limitRows: limit.result.rows,
              loadAvg1m: loadNow(),
            },
          };
          samples.push(sample);
          context.log(
            `  postgres-ingest ${Math.round(sample.value).toLocaleString('en')}/s in ${whole.result.seconds.toFixed(1)} s, ${Math.round(whole.peakRssMb)} MB; ` +
              `COPY ${Math.round(sample.limit).toLocaleString('en')}/s in ${limit.result.seconds.toFixed(1)} s; ratio ${(ratioOf(sample.value, sample.limit, 'higher') * 100).toFixed(1)} %`,
          );
        } finally {
          await createOrDropDatabase(server.adminUrl, ingestDb, true);
          await createOrDropDatabase(server.adminUrl, copyDb, true);
        }
      }
      bySize.push({ rows, samples });
    }
    const large = bySize[bySize.length - 1]!;
    const small = bySize.length > 1 ? bySize[0] : undefined;
    return [
      makeItem({
        name: 'postgres-ingest',
        unit: 'observations/s',
        limitName: 'COPY of the stored rows into the same schema and indexes, one transaction',
        better: 'higher',
        rows: large.rows,
        samples: large.samples,
        ...(small === undefined ? {} : { growth: growthOf('higher', small, large) }),
        extra: { batchSize: DEFAULT_INGEST_BATCH, server: server.description },
        notes: [
          'value: lines of the file ÷ seconds of ingestFiles on the PostgreSQL store; peak RSS is the Node process (not the server)',
          'limit: the same line count ÷ seconds of COPY … FROM STDIN of every row the whole path stored, exported from its database beforehand',
        ],
      }),
    ];
  } finally {
    server.stop();
  }
};
