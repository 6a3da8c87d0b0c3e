/**
 * @module `npm run bench -- fusion`: fusion + attribution + rules in one thread over the observations
 * of `simulate --agreement donbas-2015 --hours 24 --seed 1 --intensity worst-day`, held in memory, no
 * storage — beside JSON parsing of the same lines. Target: ≥ 50,000 observations/s.
 */
import { runTask } from '../lib/child.ts';
import type { Area, AreaContext } from '../lib/context.ts';
import { loadNow, makeItem, type BenchItem, type RunSample } from '../lib/results.ts';
import type { FusionThroughputArgs, FusionThroughputResult } from '../tasks/fusion-throughput.ts';
import type { FusionReplayArgs, FusionReplayResult } from '../tasks/fusion-replay.ts';

const TARGET_PER_SECOND = 50_000;
/** Replay targets: a worst day in ≤ 24 minutes, peak memory ≤ 400 MB, heap after GC after a second day ≤ 1.1 × after the first. */
const REPLAY_MAX_MINUTES = 24;
const REPLAY_MAX_RSS_MB = 400;
const REPLAY_MAX_HEAP_GROWTH = 1.1;

export const fusionArea: Area = async (context) => {
  const samples: RunSample[] = [];
  let last: FusionThroughputResult | undefined;
  for (let run = 1; run <= context.runs; run += 1) {
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
    await replayItem(context),
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
  ];
};

/**
 * `fusion-replay`: `simulate --agreement donbas-2015 --hours 24 --seed 1 --intensity worst-day` and the
 * next day of the same network, each taken whole through ingest, fusion, attribution, the rules and
 * storage (what `truceline ingest DIR` does) into one fresh SQLite file. The figure is the first day's
 * wall time; memory is the process's peak over that day, and the heap after a full collection after
 * each day.
 */
async function replayItem(context: AreaContext): Promise<BenchItem> {
  const samples: RunSample[] = [];
  let last: FusionReplayResult | undefined;
  let met = true;
  for (let run = 1; run <= context.runs; run += 1) {
    context.log(`fusion replay of two worst days, run ${run}/${context.runs}`);
    const { result } = await runTask<FusionReplayResult>(
      'fusion-replay',
      { agreement: 'donbas-2015', seed: 1, days: 2 } satisfies FusionReplayArgs,
      [...context.nodeOptions, '--expose-gc'],
    );
    last = result;
    const [first, second] = result.days;
    if (first === undefined || second === undefined) throw new Error('fusion-replay: two days expected');
    const heapGrowth = second.heapAfterGcMb / first.heapAfterGcMb;
    const minutes = first.seconds / 60;
    met &&=
      minutes <= REPLAY_MAX_MINUTES &&
      first.peakRssMb <= REPLAY_MAX_RSS_MB &&
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
      peakRssMb: first.peakRssMb,
      limitPeakRssMb: first.peakRssMb,
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
