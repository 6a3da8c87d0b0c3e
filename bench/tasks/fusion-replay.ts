/**
 * @module A worst day replayed as fast as it goes through what `truceline ingest DIR` does — ingest,
 * fusion, attribution, the rules and storage, on a fresh SQLite file — then a second worst day (the
 * next day of the same network) into the same file, through the same fusion pipeline, as a server
 * would take them. Wall time of each day, the process's peak memory after each, and the heap after a
 * full garbage collection after each (run with --expose-gc).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FusionPipeline } from '../../src/application/fusion-pipeline.ts';
import {
  ingestFused,
  registerSimulation,
  SIMULATION_FILES,
} from '../../src/cli/commands/ingest-simulation.ts';
import { DEFAULT_INGEST_BATCH } from '../../src/cli/commands/ingest.ts';
import { SHIPPED_AGREEMENTS_DIR } from '../../src/cli/shipped-agreements.ts';
import { fusionLogic, openDeps } from '../../src/main.ts';
import { defaultStartMs, simulate, writeSimulation } from '../../src/sim/simulator/simulate.ts';
import { parseAgreement } from '../../src/core/agreement/parse-agreement.ts';
import { peakRssMb } from '../lib/child.ts';
import type { TaskControl } from './task.ts';

export interface FusionReplayArgs {
  readonly agreement: string;
  readonly seed: number;
  readonly days: number;
}

export interface ReplayDay {
  readonly observations: number;
  readonly seconds: number;
  readonly events: number;
  readonly violations: number;
  /** Peak resident memory of the process from the replay's start until this day was done, MB. */
  readonly peakRssMb: number;
  /** V8 heap in use after a full collection once this day was done, MB. */
  readonly heapAfterGcMb: number;
}

export interface FusionReplayResult {
  readonly days: readonly ReplayDay[];
}

const DAY_MS = 86_400_000;

export async function run(args: unknown, _control: TaskControl): Promise<FusionReplayResult> {
  const { agreement: id, seed, days } = args as FusionReplayArgs;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('fusion-replay needs --expose-gc');
  const text = readFileSync(`${SHIPPED_AGREEMENTS_DIR}/${id}.yaml`, 'utf8');
  const { agreement } = parseAgreement(text, 'yaml');
  if (agreement === undefined) throw new Error(`${id} does not parse`);
  const work = mkdtempSync(join(tmpdir(), 'truceline-replay-'));
  try {
    // Every day is simulated and written before the clock starts.
    const dirs: { dir: string; observations: number }[] = [];
    for (let day = 0; day < days; day++) {
      const simulation = simulate({
        agreementText: text,
        format: 'yaml',
        hours: 24,
        seed,
        intensity: 'worst-day',
        startMs: defaultStartMs(agreement) + day * DAY_MS,
      });
      const dir = join(work, `day-${day + 1}`);
      await writeSimulation(dir, simulation);
      dirs.push({ dir, observations: simulation.observations.length });
    }
    // The simulation's memory is not the replay's: collect it and restart the high-water mark.
    gc();
    writeFileSync('/proc/self/clear_refs', '5');
    // As `truceline ingest DIR` opens it: a bulk command's page cache and heap growth.
    const deps = await openDeps({ db: join(work, 'replay.db') }, { purpose: 'bulk' });
    const out: ReplayDay[] = [];
    try {
      // One pipeline for both days, as a server runs one: what it keeps from day to day shows in the heap.
      let pipeline: FusionPipeline | undefined;
      for (const [day, { dir, observations }] of dirs.entries()) {
        const started = performance.now();
        const { agreementId } = await registerSimulation(deps, dir);
        pipeline ??= new FusionPipeline(deps, fusionLogic, { agreementId });
        // The last day ends the input; an earlier one leaves what waits for the next day's observations.
        const { events, violations, ...summary } = await ingestFused(
          deps,
          pipeline,
          join(dir, SIMULATION_FILES.observations),
          { batchSize: DEFAULT_INGEST_BATCH, operator: 'bench' },
          day === dirs.length - 1,
        );
        const seconds = (performance.now() - started) / 1000;
        if (summary.accepted !== observations)
          throw new Error(`${dir}: ${summary.accepted} of ${observations} observations accepted`);
        gc();
        gc();
        out.push({
          observations,
          seconds,
          events,
          violations,
          peakRssMb: peakRssMb(),
          heapAfterGcMb: process.memoryUsage().heapUsed / 1_048_576,
        });
      }
    } finally {
      await deps.store.close();
    }
    return { days: out };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
