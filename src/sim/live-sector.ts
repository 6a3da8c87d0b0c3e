/**
 * @module A live simulated sector for the demonstration: the simulator's observations of the last few
 * hours, delivered through the same ingest use case as any sensor's, time-compressed so that the past
 * hours arrive in minutes and fusion, attribution and the rules turn them into events and potential
 * violations as they come. When a run has been delivered, the next one (a new seed) starts. Record ids
 * carry the run's id, so runs never collide.
 */
import type { AppDeps } from '../application/app-deps.ts';
import { recordObservations } from '../application/record-observations.ts';
import { registerSource } from '../application/register-source.ts';
import { simulate } from './simulator/simulate.ts';
import type { Intensity } from './simulator/truth.ts';

export interface LiveSectorOptions {
  readonly agreementText: string;
  readonly format: 'yaml' | 'json';
  /** Hours of simulated time per run. */
  readonly hours: number;
  /** Simulated seconds per wall-clock second. */
  readonly speed: number;
  readonly intensity: Intensity;
  readonly firstSeed: number;
  /** How often observations are delivered, ms. */
  readonly tickMs: number;
  readonly onError: (error: unknown) => void;
}

interface Pending {
  readonly atMs: number;
  readonly record: Record<string, unknown>;
}

/** Starts the feed; returns the function that stops it. */
export async function startLiveSector(deps: AppDeps, options: LiveSectorOptions): Promise<() => void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let seed = options.firstSeed;

  const runOnce = async (): Promise<void> => {
    const spanMs = options.hours * 3_600_000;
    const startMs = Math.floor((deps.clock.now() - spanMs) / 60_000) * 60_000;
    const simulation = simulate({
      agreementText: options.agreementText,
      format: options.format,
      hours: options.hours,
      seed,
      intensity: options.intensity,
      startMs,
    });
    for (const source of simulation.sources) await registerSource(deps, source);
    const runId = `run${seed}`;
    seed += 1;
    const queue: Pending[] = simulation.observations.map((line) => {
      const record = JSON.parse(line) as Record<string, unknown>;
      record.id = `${runId}-${String(record.id)}`;
      return { atMs: Date.parse(String(record.observedAt)), record };
    });
    queue.sort((a, b) => a.atMs - b.atMs);
    const wallStart = deps.clock.now();
    let next = 0;
    await new Promise<void>((resolve) => {
      let busy = false;
      timer = setInterval(() => {
        if (stopped) {
          resolve();
          return;
        }
        if (busy) return;
        const simNow = startMs + (deps.clock.now() - wallStart) * options.speed;
        const batch: Record<string, unknown>[] = [];
        while (next < queue.length && (queue[next]?.atMs ?? Infinity) <= simNow) {
          const item = queue[next];
          if (item !== undefined) batch.push(item.record);
          next += 1;
        }
        if (batch.length === 0) {
          if (next >= queue.length) resolve();
          return;
        }
        busy = true;
        recordObservations(deps, {
          input: { format: 'json', text: JSON.stringify(batch) },
          origin: 'demo',
        })
          .catch(options.onError)
          .finally(() => {
            busy = false;
          });
      }, options.tickMs);
    });
    if (timer !== undefined) clearInterval(timer);
  };

  const loop = async (): Promise<void> => {
    while (!stopped) {
      try {
        await runOnce();
      } catch (error) {
        options.onError(error);
        return;
      }
    }
  };
  void loop();
  return () => {
    stopped = true;
    if (timer !== undefined) clearInterval(timer);
  };
}
