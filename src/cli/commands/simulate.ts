/** @module `truceline simulate`: a simulated day (or several) on the line, with the ground truth. */
import { performance } from 'node:perf_hooks';
import { simulate, SIMULATION_FILES, writeSimulation } from '../../sim/simulator/simulate.ts';
import type { Intensity } from '../../sim/simulator/truth.ts';
import type { CliRuntime } from '../cli-runtime.ts';
import { readAgreementSource } from '../shipped-agreements.ts';
import { instant } from '../../core/observations/schema.ts';
import { describeError } from '../describe-error.ts';

export interface SimulateOptions {
  /** A shipped agreement id or a .yaml/.yml/.json file. */
  readonly agreement: string;
  readonly hours: number;
  readonly seed: number;
  readonly intensity: Intensity;
  /** Where to write agreement.json, sources.json, observations.ndjson and truth.ndjson. */
  readonly out: string;
  /** RFC 3339 start of the run; default a day after the latest version took effect. */
  readonly start?: string;
}

export async function simulateCommand(
  runtime: Pick<CliRuntime, 'stderr'>,
  options: SimulateOptions,
): Promise<number> {
  const fail = (message: string): number => {
    runtime.stderr(`truceline simulate: ${message}\n`);
    return 1;
  };
  let startMs: number | undefined;
  if (options.start !== undefined) {
    // With its zone: a time without one would be read in this machine's zone.
    const checked = instant.safeParse(options.start);
    if (!checked.success)
      return fail(
        `--start ${checked.error.issues[0]?.message ?? 'is not a time'} (not ${JSON.stringify(options.start)})`,
      );
    startMs = Date.parse(checked.data);
  }
  const began = performance.now();
  try {
    const source = await readAgreementSource(options.agreement);
    const simulation = simulate({
      agreementText: source.text,
      format: source.format,
      hours: options.hours,
      seed: options.seed,
      intensity: options.intensity,
      startMs,
    });
    await writeSimulation(options.out, simulation);
    const run = simulation.truth[0];
    const rounds = run?.type === 'run' ? (run.counts.round ?? 0) : 0;
    runtime.stderr(
      `simulated ${options.hours} h (${options.intensity}, seed ${options.seed}): ${rounds} rounds, ` +
        `${simulation.sources.length} sources, ${simulation.observations.length} observations, ` +
        `${simulation.truth.length} truth records in ${((performance.now() - began) / 1000).toFixed(1)} s → ` +
        `${options.out}/{${Object.values(SIMULATION_FILES).join(',')}}\n`,
    );
    return 0;
  } catch (error) {
    return fail(describeError(error));
  }
}
