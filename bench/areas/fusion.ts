/**
 * @module `npm run bench -- fusion`: fusion + attribution + rules in one thread over the observations
 * of `simulate --agreement donbas-2015 --hours 24 --seed 1 --intensity worst-day`, held in memory, no
 * storage — beside JSON parsing of the same lines. Target: ≥ 50,000 observations/s.
 */
import { runTask, startTask } from '../lib/child.ts';
import { removeDb, type Area, type AreaContext } from '../lib/context.ts';
import { loadNow, makeItem, type BenchItem, type RunSample } from '../lib/results.ts';
import type { FusionThroughputArgs, FusionThroughputResult } from '../tasks/fusion-throughput.ts';
import type { FusionReplayArgs, FusionReplayResult } from '../tasks/fusion-replay.ts';
import type { FusionServerArgs, FusionServerInfo } from '../tasks/fusion-server.ts';
import {
  ANCHORED,
  latencyOf,
  type StreamLatencyArgs,
  type StreamLatencyResult,
} from '../tasks/stream-latency-client.ts';
import { readFileSync, rmSync } from 'node:fs';
import { SHIPPED_AGREEMENTS_DIR } from '../../src/cli/shipped-agreements.ts';
import { defaultStartMs, simulate, writeSimulation } from '../../src/sim/simulator/simulate.ts';
import { parseAgreement } from '../../src/core/agreement/parse-agreement.ts';

const TARGET_PER_SECOND = 50_000;
/** Replay targets: a worst day in ≤ 24 minutes, peak memory ≤ 400 MB, heap after GC after a second day ≤ 1.1 × after the first. */
const REPLAY_MAX_MINUTES = 24;
const REPLAY_MAX_RSS_MB = 400;
const REPLAY_MAX_HEAP_GROWTH = 1.1;
/** Stream latency: p99 ≤ 200 ms while a client posts 50 observations every 10 ms for ≥ 60 s. */
const STREAM_P99_MS = 200;
const STREAM_PER_TICK = 50;
const STREAM_TICK_MS = 10;
const STREAM_SECONDS = 60;
/** Days of worst-day fire simulated, enough for the posting to never run out (~57,000 lines a day). */
const STREAM_DAYS = 6;

export const fusionArea: Area = async (context) => {
  const samples: RunSample[] = [];
  let last: FusionThroughputResult | undefined;
  const throughput = context.wants('fusion-throughput');
  for (let run = 1; throughput && run <= context.runs; run += 1) {
    context.log(`fusion throughput, run ${run}/${context.runs}`);
    const { result, peakRssMb } = await runTask<FusionThroughputResult>(
      'fusion-throughput',
      { agreement: 'donbas-2015', hours: 24, seed: 1 } satisfies FusionThroughputArgs,
      context.nodeOptions,
    );
    last = result;
    const sample: RunSample = {
      value: result.observations / result.seconds,
      limit: result.observations / result.parseSeconds,
      peakRssMb,
      limitPeakRssMb: peakRssMb,
      extra: {
        seconds: Number(result.seconds.toFixed(2)),
        events: result.events,
        violations: result.violations,
        loadAvg1m: loadNow(),
      },
    };
    context.log(
      `  ${result.observations.toLocaleString('en')} observations: ${Math.round(sample.value).toLocaleString('en')}/s ` +
        `(${result.events} events, ${result.violations} potential violations); JSON.parse ${Math.round(sample.limit).toLocaleString('en')}/s`,
    );
    samples.push(sample);
  }
  const value = samples.map((s) => s.value).sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? 0;
  return [
    ...(context.wants('fusion-replay') ? [await replayItem(context)] : []),
    ...(context.wants('fusion-stream-latency') ? [await streamLatencyItem(context)] : []),
    ...(!throughput
      ? []
      : [
          makeItem({
            name: 'fusion-throughput',
            unit: 'observations/s',
            limitName: 'JSON.parse of the same lines (same process)',
            better: 'higher',
            rows: last?.observations ?? 0,
            samples,
            target: `≥ ${TARGET_PER_SECOND.toLocaleString('en')} observations/s`,
            met: value >= TARGET_PER_SECOND,
            extra: {
              kinds: last?.kinds,
              input: 'simulate --agreement donbas-2015 --hours 24 --seed 1 --intensity worst-day',
            },
          }),
        ]),
  ];
};

const DAY_MS = 86_400_000;

/**
 * Worst days of `id`'s simulated network, one after another, written as simulator directories — here,
 * in the bench's own process, so that the replay's process holds only what `truceline ingest DIR` would.
 */
async function simulateDays(
  context: AreaContext,
  id: string,
  seed: number,
  count: number,
): Promise<{ dir: string; observations: number }[]> {
  const text = readFileSync(`${SHIPPED_AGREEMENTS_DIR}/${id}.yaml`, 'utf8');
  const { agreement } = parseAgreement(text, 'yaml');
  if (agreement === undefined) throw new Error(`${id} does not parse`);
  const days: { dir: string; observations: number }[] = [];
  for (let day = 0; day < count; day++) {
    const simulation = simulate({
      agreementText: text,
      format: 'yaml',
      hours: 24,
      seed,
      intensity: 'worst-day',
      startMs: defaultStartMs(agreement) + day * DAY_MS,
    });
    const dir = context.tmpPath(`replay-day-${day + 1}`);
    await writeSimulation(dir, simulation);
    days.push({ dir, observations: simulation.observations.length });
  }
  return days;
}

/**
 * `fusion-replay`: `simulate --agreement donbas-2015 --hours 24 --seed 1 --intensity worst-day` and the
 * next day of the same network, each taken whole through ingest, fusion, attribution, the rules and
 * storage (what `truceline ingest DIR` does) into one fresh SQLite file, through one fusion pipeline.
 * The figure is the first day's wall time; memory is the process's peak over both days, and the heap
 * after a full collection after each day.
 */
async function replayItem(context: AreaContext): Promise<BenchItem> {
  const samples: RunSample[] = [];
  let last: FusionReplayResult | undefined;
  let met = true;
  const days = await simulateDays(context, 'donbas-2015', 1, 2);
  for (let run = 1; run <= context.runs; run += 1) {
    context.log(`fusion replay of two worst days, run ${run}/${context.runs}`);
    const dbPath = context.tmpPath('replay.db');
    const { result } = await runTask<FusionReplayResult>(
      'fusion-replay',
      { days, dbPath } satisfies FusionReplayArgs,
      [...context.nodeOptions, '--expose-gc'],
    ).finally(() => removeDb(dbPath));
    last = result;
    const [first, second] = result.days;
    if (first === undefined || second === undefined) throw new Error('fusion-replay: two days expected');
    const heapGrowth = second.heapAfterGcMb / first.heapAfterGcMb;
    const minutes = first.seconds / 60;
    met &&=
      minutes <= REPLAY_MAX_MINUTES &&
      second.peakRssMb <= REPLAY_MAX_RSS_MB &&
      heapGrowth <= REPLAY_MAX_HEAP_GROWTH;
    context.log(
      `  day 1: ${first.observations.toLocaleString('en')} observations in ${first.seconds.toFixed(1)} s ` +
        `(${first.events} events, ${first.violations} potential violations), peak ${Math.round(first.peakRssMb)} MB, ` +
        `heap after GC ${first.heapAfterGcMb.toFixed(1)} MB; day 2: ${second.seconds.toFixed(1)} s, peak ` +
        `${Math.round(second.peakRssMb)} MB, heap after GC ${second.heapAfterGcMb.toFixed(1)} MB (×${heapGrowth.toFixed(3)})`,
    );
    samples.push({
      value: minutes,
      limit: REPLAY_MAX_MINUTES,
      // The high-water mark over both days (it only rises).
      peakRssMb: second.peakRssMb,
      limitPeakRssMb: second.peakRssMb,
      extra: {
        days: result.days.map((d) => ({
          observations: d.observations,
          seconds: Number(d.seconds.toFixed(1)),
          events: d.events,
          violations: d.violations,
          peakRssMb: Math.round(d.peakRssMb),
          heapAfterGcMb: Number(d.heapAfterGcMb.toFixed(1)),
        })),
        heapGrowth: Number(heapGrowth.toFixed(3)),
        loadAvg1m: loadNow(),
      },
    });
  }
  return makeItem({
    name: 'fusion-replay',
    unit: 'minutes',
    limitName: 'the target (24 minutes for a worst day)',
    better: 'lower',
    rows: last?.days[0]?.observations ?? 0,
    samples,
    target: `a worst day in ≤ ${REPLAY_MAX_MINUTES} minutes, peak memory ≤ ${REPLAY_MAX_RSS_MB} MB; heap after GC after a second day ≤ ${REPLAY_MAX_HEAP_GROWTH} × after the first`,
    met,
    extra: {
      input:
        'simulate --agreement donbas-2015 --hours 24 --seed 1 --intensity worst-day, then the next day of the same network',
    },
  });
}

/**
 * `fusion-stream-latency`: the server with fusion running on a fresh file; a client reads the stream
 * while it posts a simulated worst-day front, 50 observations every 10 ms for 60 s (one signed request
 * per source among each tick's 50). The figure is the p99, over every `violation` message, of the time
 * from the server's receipt of the last observation that revised it to the client's receipt of it.
 */
async function streamLatencyItem(context: AreaContext): Promise<BenchItem> {
  const simulationDir = context.tmpPath('stream-simulation');
  const seed = 1;
  const text = readFileSync(`${SHIPPED_AGREEMENTS_DIR}/donbas-2015.yaml`, 'utf8');
  await writeSimulation(
    simulationDir,
    simulate({ agreementText: text, format: 'yaml', hours: 24 * STREAM_DAYS, seed, intensity: 'worst-day' }),
  );
  const samples: RunSample[] = [];
  let met = true;
  try {
    for (let run = 1; run <= context.runs; run += 1) {
      context.log(`stream latency, run ${run}/${context.runs}`);
      const dbPath = context.tmpPath('stream-latency.db');
      const server = await startTask<FusionServerInfo, { peakRssMb: number }>(
        'fusion-server',
        { dbPath, simulationDir } satisfies FusionServerArgs,
        context.nodeOptions,
      );
      let result: StreamLatencyResult | undefined;
      let serverPeakRssMb = 0;
      try {
        result = (
          await runTask<StreamLatencyResult>('stream-latency-client', {
            port: server.info.port,
            token: server.info.token,
            simulationDir,
            seed,
            dbPath,
            perTick: STREAM_PER_TICK,
            tickMs: STREAM_TICK_MS,
            seconds: STREAM_SECONDS,
          } satisfies StreamLatencyArgs)
        ).result;
      } finally {
        serverPeakRssMb = (await server.stop()).peakRssMb;
      }
      const {
        latenciesMs,
        fromReceiptLatenciesMs,
        standingLatenciesMs,
        withdrawals,
        unmatched,
        bySources,
        smallGroupsAfterWindowMs,
      } = await latencyOf(result.messages, dbPath);
      rmSync(dbPath, { force: true });
      const p99 = latenciesMs?.p99 ?? Number.POSITIVE_INFINITY;
      met &&= p99 <= STREAM_P99_MS && unmatched === 0;
      context.log(
        `  posted ${result.posted.toLocaleString('en')} observations in ${result.requests.toLocaleString('en')} requests over ` +
          `${result.postingSeconds.toFixed(1)} s; ${result.messages.length.toLocaleString('en')} violation messages, latency ` +
          `p50 ${String(latenciesMs?.p50)} ms, p99 ${String(latenciesMs?.p99)} ms, max ${String(latenciesMs?.max)} ms ` +
          `(from receipt: p50 ${String(fromReceiptLatenciesMs?.p50)} ms, p99 ${String(fromReceiptLatenciesMs?.p99)} ms); ` +
          `${withdrawals.toLocaleString('en')} withdrawals, the others p99 ${String(standingLatenciesMs?.p99)} ms; ` +
          `groups of 4–5 arrivals p99 ${String(bySources['arrays, 4–5 arrivals']?.p99)} ms ` +
          `(${String(bySources['arrays, 4–5 arrivals']?.n)} messages, ${String(bySources[ANCHORED]?.n ?? 0)} ` +
          `with a radar track, p99 ${String(bySources[ANCHORED]?.p99)} ms), ` +
          `${String(smallGroupsAfterWindowMs?.p99)} ms after their window closed; ` +
          `radar only p99 ${String(bySources['radar only']?.p99)} ms`,
      );
      samples.push({
        value: p99,
        limit: STREAM_P99_MS,
        peakRssMb: serverPeakRssMb,
        limitPeakRssMb: serverPeakRssMb,
        extra: {
          posted: result.posted,
          requests: result.requests,
          rejected: result.rejected,
          postingSeconds: Number(result.postingSeconds.toFixed(1)),
          postedPerSecond: Math.round(result.posted / result.postingSeconds),
          violationMessages: result.messages.length,
          // From the commit of each message's last observation (the definition), and from the
          // server's receipt of it, before its validation and its turn to commit.
          latenciesMs,
          fromReceiptLatenciesMs,
          // A withdrawal's supporting observations are the ones it withdraws, not the one that showed
          // the grouping wrong: its latency here counts from those, so it is an upper bound.
          withdrawals,
          standingLatenciesMs,
          // The standing ones by what they rest on. Groups of four or five arrivals wait for their
          // seed's window to close in observation time (decision 0010), and the rate at which
          // observation time passes is the posting rate: their latency after it closed is the server's.
          bySources,
          smallGroupsAfterWindowMs,
          unmatched,
          loadAvg1m: loadNow(),
        },
      });
    }
  } finally {
    rmSync(simulationDir, { recursive: true, force: true });
  }
  return makeItem({
    name: 'fusion-stream-latency',
    unit: 'ms p99',
    limitName: 'the target (200 ms)',
    better: 'lower',
    rows: samples.length === 0 ? 0 : Number(samples[0]?.extra?.posted ?? 0),
    samples,
    target: `p99 ≤ ${STREAM_P99_MS} ms while a client posts ${STREAM_PER_TICK} observations every ${STREAM_TICK_MS} ms for ${STREAM_SECONDS} s`,
    met,
    extra: {
      input: `simulate --agreement donbas-2015 --hours ${24 * STREAM_DAYS} --seed 1 --intensity worst-day, posted in the order the network delivers it`,
    },
  });
}
