/**
 * @module A worst day replayed as fast as it goes through what `truceline ingest DIR` does — ingest,
 * fusion, attribution, the rules and storage, on a fresh SQLite file — then a second worst day (the
 * next day of the same network) into the same file, through the same fusion pipeline, as a server
 * would take them. Wall time of each day, the process's peak memory after each, and the heap after a
 * full garbage collection after each (run with --expose-gc). The days are simulated by the parent, so
 * this process holds only what the command would.
 */
import { join } from 'node:path';
import { FusionPipeline } from '../../src/application/fusion-pipeline.ts';
import {
  ingestFused,
  registerSimulation,
  SIMULATION_FILES,
} from '../../src/cli/commands/ingest-simulation.ts';
import { DEFAULT_INGEST_BATCH } from '../../src/cli/commands/ingest.ts';
import { fusionLogic, openDeps } from '../../src/main.ts';
import { peakRssMb } from '../lib/child.ts';
import type { TaskControl } from './task.ts';

export interface FusionReplayArgs {
  /** Simulator directories, one per day, written by the parent before this process started. */
  readonly days: readonly { readonly dir: string; readonly observations: number }[];
  /** Where the replay's database goes (a fresh file). */
  readonly dbPath: string;
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

export async function run(args: unknown, _control: TaskControl): Promise<FusionReplayResult> {
  const { days: dirs, dbPath } = args as FusionReplayArgs;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('fusion-replay needs --expose-gc');
  // As `truceline ingest DIR` opens it: a bulk command's page cache and heap growth.
  const deps = await openDeps({ db: dbPath }, { purpose: 'bulk' });
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
}
