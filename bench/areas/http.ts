/**
 * @module HTTP ingest: the same file posted by the bench client (bench/http-client.ts, batches of
 * 1,000 lines, 4 keep-alive connections) to the application on a fresh SQLite file, beside the same
 * client against a bare Fastify route with the same body limit that parses the body and answers 200.
 * Each run also measures file ingest and its limit, so the HTTP figure stands beside the same run's
 * file-ingest figure.
 */
import { DEFAULT_APP_OPTIONS } from '../../src/api/build-app.ts';
import { ensureData } from '../generate-observations.ts';
import { runTask, startTask } from '../lib/child.ts';
import { removeDb, sizes, type AreaContext } from '../lib/context.ts';
import { checkCounts } from '../lib/expect.ts';
import { growthOf, loadNow, makeItem, ratioOf, type BenchItem, type RunSample } from '../lib/results.ts';
import type { AppServerArgs } from '../tasks/app-server.ts';
import type { BareServerArgs } from '../tasks/bare-server.ts';
import type { HttpClientArgs, HttpClientResult } from '../tasks/http-client-task.ts';
import { fileIngestItemFrom, fileIngestRun } from './sqlite-ingest.ts';

export const HTTP_BATCH = 1000;
export const HTTP_CONNECTIONS = 4;
export const HTTP_TARGET_RATIO = 0.1;

interface ServerDone {
  readonly peakRssMb: number;
  readonly records?: number;
}

async function clientRun(
  server: 'app-server' | 'bare-server',
  serverArgs: unknown,
  file: string,
  nodeOptions: readonly string[],
): Promise<{ client: HttpClientResult; serverPeakRssMb: number; server: ServerDone }> {
  const running = await startTask<{ port: number }, ServerDone>(server, serverArgs, nodeOptions);
  try {
    const client = await runTask<HttpClientResult>('http-client', {
      port: running.info.port,
      file,
      batch: HTTP_BATCH,
      connections: HTTP_CONNECTIONS,
    } satisfies HttpClientArgs);
    const done = await running.stop();
    return { client: client.result, serverPeakRssMb: done.result.peakRssMb, server: done.result };
  } catch (error) {
    await running.stop().catch(() => undefined);
    throw error;
  }
}

async function httpRun(context: AreaContext, rows: number): Promise<RunSample> {
  const data = ensureData(rows, context.seed);
  const dbPath = context.tmpPath('http-ingest.db');
  try {
    const app = await clientRun(
      'app-server',
      {
        dbPath,
        sourcesFile: data.sourcesFile,
        validationThreads: context.validationThreads,
      } satisfies AppServerArgs,
      data.observationsFile,
      context.nodeOptions,
    );
    const bad = Object.entries(app.client.statuses).filter(([status]) => !status.startsWith('2'));
    if (bad.length > 0)
      throw new Error(
        `the application answered ${JSON.stringify(app.client.statuses)}: ${app.client.firstError ?? ''}`,
      );
    checkCounts('HTTP ingest', app.client.sums, data.manifest.expected);
    const bare = await clientRun(
      'bare-server',
      { bodyLimitBytes: DEFAULT_APP_OPTIONS.bodyLimitBytes } satisfies BareServerArgs,
      data.observationsFile,
      [],
    );
    if (bare.server.records !== rows)
      throw new Error(`the bare route parsed ${String(bare.server.records)} of ${rows} lines`);
    const sample: RunSample = {
      value: rows / app.client.seconds,
      limit: rows / bare.client.seconds,
      peakRssMb: app.serverPeakRssMb,
      limitPeakRssMb: bare.serverPeakRssMb,
      extra: {
        seconds: Number(app.client.seconds.toFixed(2)),
        requests: app.client.requests,
        // What signing each batch (SHA-256 of the body, one Ed25519 signature) costs the client.
        signingMs: Number(app.client.signingMs.toFixed(1)),
        signingMsPerBatch: Number((app.client.signingMs / app.client.requests).toFixed(3)),
        limitSeconds: Number(bare.client.seconds.toFixed(2)),
        requestLatencyMs: {
          p50: Number(app.client.latencyMs.p50.toFixed(1)),
          p95: Number(app.client.latencyMs.p95.toFixed(1)),
        },
        loadAvg1m: loadNow(),
        limitRequestLatencyMs: {
          p50: Number(bare.client.latencyMs.p50.toFixed(1)),
          p95: Number(bare.client.latencyMs.p95.toFixed(1)),
        },
      },
    };
    context.log(
      `  http-ingest ${rows.toLocaleString('en')} lines: ${Math.round(sample.value).toLocaleString('en')}/s, server ${Math.round(sample.peakRssMb)} MB; ` +
        `bare route ${Math.round(sample.limit).toLocaleString('en')}/s; ratio ${(ratioOf(sample.value, sample.limit, 'higher') * 100).toFixed(1)} %; ` +
        `signing ${(app.client.signingMs / app.client.requests).toFixed(2)} ms a batch (${((app.client.signingMs / 1000 / app.client.seconds) * 100).toFixed(1)} % of the run)`,
    );
    return sample;
  } finally {
    removeDb(dbPath);
  }
}

export const httpArea = async (context: AreaContext): Promise<BenchItem[]> => {
  const http: { rows: number; samples: RunSample[] }[] = [];
  const file: { rows: number; samples: RunSample[] }[] = [];
  let pragmas: unknown;
  for (const rows of sizes(context)) {
    const httpSamples: RunSample[] = [];
    const fileSamples: RunSample[] = [];
    for (let run = 1; run <= context.runs; run += 1) {
      context.log(`http, ${rows.toLocaleString('en')} lines, run ${run}/${context.runs}`);
      httpSamples.push(await httpRun(context, rows));
      const { extra, ...sample } = await fileIngestRun(context, rows);
      const { pragmas: p, ...rest } = extra ?? {};
      pragmas = p;
      fileSamples.push({ ...sample, extra: rest });
    }
    http.push({ rows, samples: httpSamples });
    file.push({ rows, samples: fileSamples });
  }
  const large = http[http.length - 1]!;
  const small = http.length > 1 ? http[0] : undefined;
  const fileItem = fileIngestItemFrom(file[file.length - 1]!, file.length > 1 ? file[0] : undefined, pragmas);
  const item = makeItem({
    name: 'http-ingest',
    unit: 'observations/s',
    limitName: `bare Fastify route, same body limit, parses the body, answers 200 (same client: batches of ${HTTP_BATCH}, ${HTTP_CONNECTIONS} connections)`,
    better: 'higher',
    rows: large.rows,
    samples: large.samples,
    target: `≥ ${HTTP_TARGET_RATIO * 100} % of the limit`,
    ...(small === undefined ? {} : { growth: growthOf('higher', small, large) }),
    extra: {
      batch: HTTP_BATCH,
      connections: HTTP_CONNECTIONS,
      bodyLimitBytes: DEFAULT_APP_OPTIONS.bodyLimitBytes,
      contentType: 'application/x-ndjson',
      fileIngestSameRun: { value: fileItem.value, unit: fileItem.unit, ratio: fileItem.ratio },
    },
    notes: [
      'value: lines ÷ seconds from the first request to the last answer; peak RSS is the server process (the client is a separate process)',
      'the file-ingest item of this file is from the same runs, interleaved with the HTTP runs',
    ],
  });
  return [{ ...item, detail: { ...item.detail, met: item.ratio >= HTTP_TARGET_RATIO } }, fileItem];
};
