/**
 * @module The HTTP ingest client of the benchmarks: posts an NDJSON file in batches of N lines over
 * a fixed number of keep-alive connections, each connection sending its next batch as soon as the
 * previous answer is in. Each batch is one source's records, signed with its key as a gateway signs
 * (RFC 9421). The same client, signing the same way, drives the application and the bare-Fastify limit.
 *
 *   node --import tsx bench/http-client.ts --url http://127.0.0.1:8080 FILE [--batch 1000] [--connections 4]
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Agent, request } from 'node:http';
import { signBatch } from '../src/client/sign-batch.ts';
import { simulatedSourceKey } from '../src/sim/simulator/simulate.ts';
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
  /** Time the client spent signing (digest and Ed25519 signature of each batch), ms. */
  readonly signingMs: number;
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
/** One request's body, and the source whose key signs it. */
export interface Batch {
  readonly body: Buffer;
  readonly sourceId: string;
}

/**
 * The file's lines as signed batches: a source signs its own records, so lines are grouped by source
 * (in file order within each) and cut into batches of at most `batch`. Lines of a source not in
 * `known` (the registered sources) go with the first known source's batches, where the server rejects them record by record as it would any
 * record a source sends under another's id.
 */
export function readBatches(
  file: string,
  batch: number,
  known?: ReadonlySet<string>,
): { batches: Batch[]; lines: number } {
  const data = readFileSync(file);
  let firstKnown: string | undefined;
  const bySource = new Map<string, Buffer[]>();
  let lines = 0;
  let start = 0;
  const add = (line: Buffer): void => {
    lines += 1;
    let id = /"sourceId":"([^"]*)"/.exec(line.toString('utf8'))?.[1] ?? '';
    if (known !== undefined) {
      if (known.has(id)) firstKnown ??= id;
      else id = firstKnown ?? [...known][0] ?? id;
    }
    let list = bySource.get(id);
    if (list === undefined) bySource.set(id, (list = []));
    list.push(line);
  };
  for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, nl + 1)) {
    add(data.subarray(start, nl + 1));
    start = nl + 1;
  }
  if (start < data.length) add(Buffer.concat([data.subarray(start), Buffer.from('\n')]));
  const batches: Batch[] = [];
  for (const [sourceId, list] of bySource)
    for (let i = 0; i < list.length; i += batch)
      batches.push({ body: Buffer.concat(list.slice(i, i + batch)), sourceId });
  return { batches, lines };
}

/** Signs a batch as its source's gateway would (keys derived as the simulator derives them, from `seed`). */
export function batchSigner(
  path: string,
  contentType: string,
  seed = BENCH_KEY_SEED,
): (batch: Batch, index: number) => Record<string, string> {
  const keys = new Map<string, { keyId: string; privateKey: KeyObject }>();
  return (batch, index) => {
    let key = keys.get(batch.sourceId);
    if (key === undefined) {
      const material = simulatedSourceKey(seed, batch.sourceId);
      key = { keyId: material.keyId, privateKey: createPrivateKey(material.privateKeyPem) };
      keys.set(batch.sourceId, key);
    }
    return signBatch({
      path,
      contentType,
      body: batch.body,
      keyId: key.keyId,
      privateKey: key.privateKey,
      batchId: `bench-${process.pid}-${index}`,
    });
  };
}

/** The ids in `sources.json` beside an observations file, if there is one. */
export function knownSources(observationsFile: string): ReadonlySet<string> | undefined {
  const path = join(dirname(observationsFile), 'sources.json');
  if (!existsSync(path)) return undefined;
  return new Set((JSON.parse(readFileSync(path, 'utf8')) as { id: string }[]).map((s) => s.id));
}

/** The seed the bench's source keys derive from. */
export const BENCH_KEY_SEED = 0;

function post(
  agent: Agent,
  options: PostOptions,
  body: Buffer,
  signature: Record<string, string>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: options.host,
        port: options.port,
        path: options.path,
        method: 'POST',
        headers: { ...signature, 'content-type': options.contentType, 'content-length': body.byteLength },
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

/**
 * Posts every batch, each signed just before it is sent (the signing is part of what is timed);
 * `connections` requests are in flight at any time.
 */
export async function postAll(batches: readonly Batch[], options: PostOptions): Promise<PostResult> {
  const signer = batchSigner(options.path, options.contentType);
  let signingMs = 0;
  const sign = (batch: Batch, index: number): Record<string, string> => {
    const started = performance.now();
    const headers = signer(batch, index);
    signingMs += performance.now() - started;
    return headers;
  };
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const statuses: Record<string, number> = {};
  const sums: Record<string, number> = {};
  const latencies: number[] = [];
  let firstError: string | undefined;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < batches.length; i = next++) {
      const sent = performance.now();
      const batch = batches[i]!;
      const { status, text } = await post(agent, options, batch.body, sign(batch, i));
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
    requests: batches.length,
    signingMs,
    statuses,
    sums,
    latencyMs: { p50: at(0.5), p95: at(0.95) },
    ...(firstError === undefined ? {} : { firstError }),
  };
}

// Run as a script from its source; never from a compiled bundle that holds this module.
if (import.meta.url.endsWith('.ts') && process.argv[1] === fileURLToPath(import.meta.url)) {
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
  const { batches, lines } = readBatches(file, batch, knownSources(file));
  const result = await postAll(batches, {
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
