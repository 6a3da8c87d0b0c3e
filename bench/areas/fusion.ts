/**
 * @module `npm run bench -- fusion`: fusion + attribution + rules in one thread over the observations
 * of `simulate --agreement donbas-2015 --hours 24 --seed 1 --intensity worst-day`, held in memory, no
 * storage — beside JSON parsing of the same lines. Target: ≥ 50,000 observations/s.
 */
import { runTask } from '../lib/child.ts';
import type { Area } from '../lib/context.ts';
import { loadNow, makeItem, type RunSample } from '../lib/results.ts';
import type { FusionThroughputArgs, FusionThroughputResult } from '../tasks/fusion-throughput.ts';

const TARGET_PER_SECOND = 50_000;

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
