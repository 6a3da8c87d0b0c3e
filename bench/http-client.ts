/**
 * @module The HTTP ingest client of the benchmarks: posts an NDJSON file in batches of N lines over
 * a fixed number of keep-alive connections, each connection sending its next batch as soon as the
 * previous answer is in. The same client drives the application and the bare-Fastify limit.
 *
 *   node --import tsx bench/http-client.ts --url http://127.0.0.1:8080 FILE [--batch 1000] [--connections 4]
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';

export interface PostOptions {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly connections: number;
  readonly contentType: string;
}

export interface PostResult {
  readonly seconds: number;
  readonly requests: number;
  /** Responses by HTTP status. */
  readonly statuses: Readonly<Record<string, number>>;
  /** Sums of the numeric fields of the JSON answers (e.g. accepted, duplicates). */
  readonly sums: Readonly<Record<string, number>>;
  /** Per-request latency, ms: median and 95th percentile. */
  readonly latencyMs: { readonly p50: number; readonly p95: number };
  /** The first non-2xx answer, for the report. */
  readonly firstError?: string;
}

/** Splits a file into bodies of `batch` lines each (views on one buffer, lines kept byte for byte). */
export function readBatches(file: string, batch: number): { bodies: Buffer[]; lines: number } {
  const data = readFileSync(file);
  const bodies: Buffer[] = [];
  let lines = 0;
  let start = 0;
  let inBatch = 0;
  for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, nl + 1)) {
    lines += 1;
    inBatch += 1;
    if (inBatch === batch) {
      bodies.push(data.subarray(start, nl + 1));
      start = nl + 1;
      inBatch = 0;
    }
  }
  if (start < data.length) {
    bodies.push(data.subarray(start));
    if (data[data.length - 1] !== 10) lines += 1;
  }
  return { bodies, lines };
}

function post(agent: Agent, options: PostOptions, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: options.host,
        port: options.port,
        path: options.path,
        method: 'POST',
        headers: { 'content-type': options.contentType, 'content-length': body.byteLength },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Posts every body; `connections` requests are in flight at any time. */
export async function postAll(bodies: readonly Buffer[], options: PostOptions): Promise<PostResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const statuses: Record<string, number> = {};
  const sums: Record<string, number> = {};
  const latencies: number[] = [];
  let firstError: string | undefined;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < bodies.length; i = next++) {
      const sent = performance.now();
      const { status, text } = await post(agent, options, bodies[i]!);
      latencies.push(performance.now() - sent);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status < 200 || status > 299) {
        firstError ??= `${status} ${text.slice(0, 500)}`;
        continue;
      }
      const answer = JSON.parse(text) as Record<string, unknown>;
      for (const [key, value] of Object.entries(answer))
        if (typeof value === 'number') sums[key] = (sums[key] ?? 0) + value;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: options.connections }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (p: number): number => latencies[Math.max(0, Math.ceil(p * latencies.length) - 1)] ?? 0;
  return {
    seconds,
    requests: bodies.length,
    statuses,
    sums,
    latencyMs: { p50: at(0.5), p95: at(0.95) },
    ...(firstError === undefined ? {} : { firstError }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: string): string => {
    const i = args.indexOf(name);
    if (i === -1) return fallback;
    const value = args[i + 1] ?? fallback;
    args.splice(i, 2);
    return value;
  };
  const url = new URL(option('--url', 'http://127.0.0.1:8080'));
  const batch = Number(option('--batch', '1000'));
  const connections = Number(option('--connections', '4'));
  const file = args[0];
  if (file === undefined) {
    process.stderr.write('usage: http-client.ts [--url URL] [--batch N] [--connections N] FILE\n');
    process.exit(2);
  }
  const { bodies, lines } = readBatches(file, batch);
  const result = await postAll(bodies, {
    host: url.hostname,
    port: Number(url.port || 80),
    path: url.pathname === '/' ? '/api/v1/observations' : url.pathname,
    connections,
    contentType: 'application/x-ndjson',
  });
  process.stdout.write(
    `${JSON.stringify({ lines, linesPerSecond: Math.round(lines / result.seconds), ...result }, null, 2)}\n`,
  );
}
