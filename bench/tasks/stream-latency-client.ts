/**
 * @module The stream-latency client: reads the live stream (`/api/v1/stream`, a mission analyst's
 * token) while it posts a simulated front's observations, in the order the network delivers them,
 * 50 every 10 ms — each tick's 50 as one signed batch per source, as the sources' gateways would send
 * them. For every `violation` message it notes the wall time of receipt and the last observation that
 * revised it; after the run, {@link latencyOf} reads each observation's commit time from the server's
 * store once the server is closed, so the latency is from the commit of that observation (the time the
 * commit's transaction began) to the client's receipt of the message — and, beside it, from the
 * server's receipt of the observation, which comes before its validation and its turn to commit.
 */
import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/adapters/sqlite/open-sqlite-store.ts';
import { CommitTimes } from '../../src/application/commit-times.ts';
import { DEFAULT_SEED_WINDOW_MS } from '../../src/core/fusion/engine.ts';
import { batchSigner, type Batch } from '../http-client.ts';
import { lowerBound } from '../lib/stats.ts';
import type { TaskControl } from './task.ts';

export interface StreamLatencyArgs {
  readonly port: number;
  readonly token: string;
  readonly simulationDir: string;
  /** The simulation's seed (its sources' keys derive from it). */
  readonly seed: number;
  readonly dbPath: string;
  readonly perTick: number;
  readonly tickMs: number;
  readonly seconds: number;
}

export interface StreamLatencyResult {
  readonly posted: number;
  readonly requests: number;
  readonly rejected: number;
  /** Seconds the posting took, until the last answer. */
  readonly postingSeconds: number;
  /** Every violation message: when it was received, and the last observation behind it. */
  readonly messages: readonly {
    readonly atMs: number;
    /** Every observation behind it (the last of them revised it). */
    readonly seqs: readonly number[];
    readonly withdrawn: boolean;
  }[];
}

const PATH = '/api/v1/observations';
const CONTENT_TYPE = 'application/x-ndjson';
/** Requests sent and not yet answered, at most (twice the connections). */
const MAX_IN_FLIGHT = 32;

export async function run(args: unknown, _control: TaskControl): Promise<StreamLatencyResult> {
  const options = args as StreamLatencyArgs;
  const lines = readFileSync(join(options.simulationDir, 'observations.ndjson'), 'utf8')
    .split('\n')
    .filter((line) => line !== '');
  const sign = batchSigner(PATH, CONTENT_TYPE, options.seed);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });

  // The stream: every violation message's receipt time and the observations behind it.
  const received: { atMs: number; seqs: number[]; withdrawn: boolean }[] = [];
  let lastMessageMs = Date.now();
  const stream = request({
    host: '127.0.0.1',
    port: options.port,
    path: '/api/v1/stream',
    headers: { authorization: `Bearer ${options.token}`, accept: 'text/event-stream' },
  });
  const connected = new Promise<void>((resolve, reject) => {
    stream.on('response', (res) => {
      if (res.statusCode !== 200) reject(new Error(`stream: HTTP ${String(res.statusCode)}`));
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        const now = Date.now();
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!message.includes('event: violation')) continue;
          const data = /^data: (.*)$/m.exec(message)?.[1];
          if (data === undefined) continue;
          const parsed = JSON.parse(data) as { supportingSeqs?: number[]; status?: string };
          const seqs = parsed.supportingSeqs ?? [];
          received.push({ atMs: now, seqs, withdrawn: parsed.status === 'withdrawn' });
          lastMessageMs = now;
        }
      });
      resolve();
    });
    stream.on('error', reject);
  });
  stream.end();
  await connected;

  // Posting: `perTick` lines every `tickMs`, one signed request per source among them, for `seconds`
  // of wall time. When the server falls behind, at most MAX_IN_FLIGHT requests wait: the posting
  // slows to what the server takes (reported beside the latency), and nothing is dropped.
  let requests = 0;
  let rejected = 0;
  let posted = 0;
  let failure: unknown;
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  for (let tick = 0; posted < lines.length; tick++) {
    const due = started + tick * options.tickMs;
    if (due >= deadline || performance.now() >= deadline) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const slice = lines.slice(posted, posted + options.perTick);
    posted += slice.length;
    const bySource = new Map<string, string[]>();
    for (const line of slice) {
      const id = /"sourceId":"([^"]*)"/.exec(line)?.[1] ?? '';
      const list = bySource.get(id);
      if (list === undefined) bySource.set(id, [line]);
      else list.push(line);
    }
    for (const [sourceId, group] of bySource) {
      while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
      const batch: Batch = { sourceId, body: Buffer.from(`${group.join('\n')}\n`) };
      const headers = sign(batch, requests);
      requests += 1;
      const done = post(agent, options.port, batch.body, headers).then(
        (report) => {
          rejected += report.rejected;
        },
        (error: unknown) => {
          failure ??= error;
        },
      );
      inFlight.add(done);
      void done.finally(() => inFlight.delete(done));
    }
  }
  let postingSeconds: number;
  try {
    await Promise.all(inFlight);
    postingSeconds = (performance.now() - started) / 1000;
    if (failure !== undefined)
      throw failure instanceof Error ? failure : new Error('a post failed', { cause: failure });
    // Wait for the stream to fall quiet: fusion finishes what the posts left it. (What still waits
    // for later observations at the end — the last ~400 s of observation time — is never sent.)
    while (Date.now() - lastMessageMs < 5_000) await new Promise((resolve) => setTimeout(resolve, 500));
  } finally {
    stream.destroy();
    agent.destroy();
  }

  return { posted, requests, rejected, postingSeconds, messages: received };
}

/** The latency figures of a run's messages, from the commit times in the (closed) server's store. */
export async function latencyOf(
  messages: StreamLatencyResult['messages'],
  dbPath: string,
): Promise<{
  latenciesMs: Quantiles | null;
  /** The same counted from the server's receipt of each message's last observation. */
  fromReceiptLatenciesMs: Quantiles | null;
  /** The same over the messages that do not withdraw a potential violation. */
  standingLatenciesMs: Quantiles | null;
  withdrawals: number;
  unmatched: number;
  /** The standing messages by what is behind them (see {@link sourcesOf}). */
  bySources: Record<string, Quantiles | null>;
  /**
   * Standing messages of groups of four or five arrivals (with or without a radar track), which a live
   * server shows once their seed's window has closed (decision 0010): the latency counted from that
   * moment instead — the first commit of an acoustic or radar observation observed past the window —
   * or from the last arrival's commit if later. What is left is the server's own delay; the rest
   * waited for observation time to pass.
   */
  smallGroupsAfterWindowMs: Quantiles | null;
}> {
  const store = await openSqliteStore({ path: dbPath });
  const facts = new Map<
    number,
    { kind: string; observedAtMs: number; receivedAtMs: number; committedAtMs: number }
  >();
  /** Acoustic and radar observations: observed time and commit. */
  const clock: { observedAtMs: number; committedAtMs: number }[] = [];
  const commits = new CommitTimes({ store });
  try {
    for (let after = 0; ;) {
      const page = await store.observations.listAfter(after, 10_000);
      for (const row of page) {
        const committedAtMs = await commits.of(row.seq);
        if (committedAtMs === undefined) throw new Error(`observation ${row.seq} has no commit time`);
        facts.set(row.seq, {
          kind: row.kind,
          observedAtMs: row.observedAtMs,
          receivedAtMs: row.receivedAtMs,
          committedAtMs,
        });
        if (row.kind === 'acoustic' || row.kind === 'radar')
          clock.push({ observedAtMs: row.observedAtMs, committedAtMs });
      }
      const last = page.at(-1);
      if (last === undefined || page.length < 10_000) break;
      after = last.seq;
    }
  } finally {
    await store.close();
  }
  // The first commit of an observation observed at or after a time: by observed time, the earliest
  // commit from each place on.
  clock.sort((a, b) => a.observedAtMs - b.observedAtMs);
  const observed = clock.map((c) => c.observedAtMs);
  const firstCommitFrom: number[] = new Array<number>(clock.length);
  for (let i = clock.length - 1, earliest = Infinity; i >= 0; i--) {
    earliest = Math.min(earliest, clock[i]?.committedAtMs ?? Infinity);
    firstCommitFrom[i] = earliest;
  }
  const commitOnceObservedPast = (ms: number): number | undefined =>
    firstCommitFrom[lowerBound(observed, ms)];
  const latencies: number[] = [];
  const fromReceipt: number[] = [];
  const standing: number[] = [];
  const bySources = new Map<string, number[]>();
  const afterWindow: number[] = [];
  let unmatched = 0;
  for (const message of messages) {
    const last = facts.get(Math.max(...message.seqs));
    if (last === undefined) {
      unmatched += 1;
      continue;
    }
    const at = last.committedAtMs;
    const latency = message.atMs - at;
    latencies.push(latency);
    fromReceipt.push(message.atMs - last.receivedAtMs);
    if (message.withdrawn) continue;
    standing.push(latency);
    const behind = message.seqs.map((seq) => facts.get(seq)).filter((f) => f !== undefined);
    const sources = sourcesOf(behind.map((f) => f.kind));
    let list = bySources.get(sources);
    if (list === undefined) bySources.set(sources, (list = []));
    list.push(latency);
    if (sources === 'arrays, 4–5 arrivals') {
      // Those a radar track anchors too, counted apart as well: their track went out when it came.
      if (behind.some((f) => f.kind === 'radar')) {
        let anchored = bySources.get(ANCHORED);
        if (anchored === undefined) bySources.set(ANCHORED, (anchored = []));
        anchored.push(latency);
      }
      const seedMs = Math.min(...behind.map((f) => f.observedAtMs));
      const closed = commitOnceObservedPast(seedMs + DEFAULT_SEED_WINDOW_MS);
      if (closed !== undefined) afterWindow.push(message.atMs - Math.max(closed, at));
    }
  }
  return {
    latenciesMs: quantiles(latencies),
    fromReceiptLatenciesMs: quantiles(fromReceipt),
    standingLatenciesMs: quantiles(standing),
    withdrawals: messages.filter((m) => m.withdrawn).length,
    unmatched,
    bySources: Object.fromEntries([...bySources].sort().map(([k, v]) => [k, quantiles(v)])),
    smallGroupsAfterWindowMs: quantiles(afterWindow),
  };
}

/**
 * What a message's potential violation rests on, by the kinds of its observations. A group of arrays'
 * arrivals counts by its arrivals, with or without a radar track merged in: a group of four or five
 * waits for its window either way.
 */
function sourcesOf(kinds: readonly string[]): string {
  if (kinds.length === 0) return 'observations not found';
  const acoustic = kinds.filter((k) => k === 'acoustic').length;
  const radar = kinds.filter((k) => k === 'radar').length;
  if (acoustic + radar < kinds.length) return 'reports and sightings';
  if (acoustic === 0) return 'radar only';
  return acoustic <= 5 ? 'arrays, 4–5 arrivals' : 'arrays, ≥ 6 arrivals';
}

/** The messages of groups of four or five arrivals with a radar track merged in (also among theirs). */
export const ANCHORED = 'arrays, 4–5 arrivals, with a radar track';

interface Quantiles {
  /** How many values. */
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

function quantiles(values: number[]): Quantiles | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
  return { n: sorted.length, p50: q(0.5), p99: q(0.99), max: sorted.at(-1) ?? 0 };
}

function post(
  agent: Agent,
  port: number,
  body: Buffer,
  signature: Record<string, string>,
): Promise<{ rejected: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        path: PATH,
        method: 'POST',
        headers: { ...signature, 'content-type': CONTENT_TYPE, 'content-length': body.byteLength },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) {
            reject(new Error(`POST: HTTP ${String(res.statusCode)}: ${text.slice(0, 300)}`));
            return;
          }
          resolve({ rejected: (JSON.parse(text) as { rejected?: number }).rejected ?? 0 });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
