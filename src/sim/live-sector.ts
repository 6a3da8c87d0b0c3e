/**
 * @module A live simulated sector for the demonstration: the simulator's observations delivered through
 * the same ingest use case as any sensor's. It first replays the past few hours time-compressed, so that
 * they arrive in minutes, then goes on in real time, one simulated hour after another; fusion,
 * attribution and the rules turn them into events and potential violations as they come.
 *
 * Observation time only moves forward, across the feed's runs and across restarts of the server: fusion
 * waits for an arrival's partners by the latest observation time its sources have reached, so an
 * arrival dated well before it is late and is grouped alone, without them. A feed that replayed a span
 * already delivered (as one that restarts "the last six hours" would) made about half the acoustic
 * events there, and fusion's cursor stood still until its time caught up. So the feed starts after the latest observation the store holds, when that
 * is within the hours it would replay, and each run starts where the last one ended. Every run uses the
 * same sensor network (the first seed's); its fire and reports come from its own seed. Record ids carry
 * the run's seed and the simulator's stamp of the run's start minute, which only grows: runs never
 * collide, also across restarts.
 */
import type { AppDeps } from '../application/app-deps.ts';
import { recordObservations } from '../application/record-observations.ts';
import { registerSource } from '../application/register-source.ts';
import { simulate } from './simulator/simulate.ts';
import type { Intensity } from './simulator/truth.ts';

export interface LiveSectorOptions {
  readonly agreementText: string;
  readonly format: 'yaml' | 'json';
  /** Hours of the past replayed at the start (fewer when the store holds observations from within them). */
  readonly hours: number;
  /** Simulated seconds per wall-clock second while the feed is behind the wall clock. */
  readonly speed: number;
  /** Intensity of the past hours replayed. */
  readonly intensity: Intensity;
  /** Intensity once the feed has caught up with the wall clock and goes on in real time. */
  readonly liveIntensity: Intensity;
  /** Seed of the first run, and of the sensor network of every run. */
  readonly firstSeed: number;
  /** How often observations are delivered, ms. */
  readonly tickMs: number;
  readonly onError: (error: unknown) => void;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Simulated time of one run once the feed is live (real time). */
export const LIVE_RUN_MS = HOUR_MS;

const floorMinute = (ms: number): number => Math.floor(ms / MINUTE_MS) * MINUTE_MS;
const ceilMinute = (ms: number): number => Math.ceil(ms / MINUTE_MS) * MINUTE_MS;

/**
 * Where the feed starts: `hours` before now, or the first whole minute after the latest observation
 * stored when that is later (a restarted feed goes on after what fusion has seen); never after the
 * minute now is in, so that observations stored with times ahead of the clock do not hold the feed back.
 */
export function feedStartMs(nowMs: number, hours: number, latestObservedMs: number | undefined): number {
  const past = floorMinute(nowMs - hours * HOUR_MS);
  const after = latestObservedMs === undefined ? past : ceilMinute(latestObservedMs + 1);
  return Math.min(Math.max(past, after), ceilMinute(nowMs));
}

export interface FeedRun {
  readonly startMs: number;
  readonly endMs: number;
  readonly intensity: Intensity;
}

/**
 * The run that starts at `startMs`: while the wall clock is more than a live run ahead, up to it (at
 * most `hours`), at the replay's intensity; else a live run at the live intensity. Whole minutes.
 */
export function nextRun(
  startMs: number,
  nowMs: number,
  options: Pick<LiveSectorOptions, 'hours' | 'intensity' | 'liveIntensity'>,
): FeedRun {
  const behindMs = floorMinute(nowMs - startMs);
  if (behindMs > LIVE_RUN_MS)
    return {
      startMs,
      endMs: startMs + Math.min(behindMs, floorMinute(options.hours * HOUR_MS)),
      intensity: options.intensity,
    };
  return { startMs, endMs: startMs + LIVE_RUN_MS, intensity: options.liveIntensity };
}

/**
 * The feed's simulated clock: it runs `speed` times faster than the wall clock while behind it and
 * with it once caught up. Observations are delivered up to `deliverable`, never after the wall clock.
 * A step of the wall clock longer than `maxStepMs` (a suspended machine, a clock set forward) counts
 * as `maxStepMs`: the time it skipped is replayed at `speed` like any other, not delivered at once.
 */
export class FeedClock {
  readonly #speed: number;
  readonly #maxStepMs: number;
  #simMs: number;
  #wallMs: number;

  constructor(startMs: number, wallMs: number, speed: number, maxStepMs = Number.POSITIVE_INFINITY) {
    this.#simMs = startMs;
    this.#wallMs = wallMs;
    this.#speed = speed;
    this.#maxStepMs = maxStepMs;
  }

  /** Moves to the wall time `wallMs`; returns the time up to which observations may be delivered. */
  advance(wallMs: number): number {
    const elapsed = Math.min(this.#maxStepMs, Math.max(0, wallMs - this.#wallMs));
    this.#wallMs = Math.max(this.#wallMs, wallMs);
    this.#simMs = Math.max(this.#simMs, Math.min(this.#wallMs, this.#simMs + elapsed * this.#speed));
    return this.deliverable;
  }

  /** Moves the simulated time forward to `ms` (never back): what lies between is not replayed. */
  skipTo(ms: number): void {
    this.#simMs = Math.max(this.#simMs, ms);
  }

  get deliverable(): number {
    return Math.min(this.#simMs, this.#wallMs);
  }
}

interface Pending {
  readonly atMs: number;
  readonly record: Record<string, unknown>;
}

/** After the store refused a batch or a registration, how long the feed waits before it asks again, ms. */
const RETRY_AFTER_MS = 5_000;

/**
 * Starts the feed; returns the function that stops it, which settles once a delivery in progress has
 * (nothing is delivered after it settles).
 */
export async function startLiveSector(
  deps: AppDeps,
  options: LiveSectorOptions,
): Promise<() => Promise<void>> {
  let stopped = false;
  let seed = options.firstSeed;
  const latest = await deps.store.observations.latestObservedAtMs();
  let runStart = feedStartMs(deps.clock.now(), options.hours, latest);
  // A tick normally sees tickMs go by; a few seconds more is a stalled loop, far more a skipped span.
  const clock = new FeedClock(
    runStart,
    deps.clock.now(),
    options.speed,
    Math.max(5_000, 20 * options.tickMs),
  );
  /** The observations still to deliver, in time order (`runStart` is the current run's end). */
  let queue: Pending[] = [];
  let next = 0;
  /** Wall time before which no batch is offered again after a failure. */
  let retryAtMs = Number.NEGATIVE_INFINITY;

  /** Simulates the next run and merges it with what is left of the last (arrivals after its end). */
  const addRun = async (): Promise<void> => {
    const now = deps.clock.now();
    // More than the replayed hours behind (the clock jumped): the span before them is skipped.
    const skipTo = floorMinute(now - options.hours * HOUR_MS);
    if (skipTo > runStart) {
      runStart = skipTo;
      clock.skipTo(skipTo);
    }
    const run = nextRun(runStart, now, options);
    let simulation;
    try {
      simulation = simulate({
        agreementText: options.agreementText,
        format: options.format,
        hours: (run.endMs - run.startMs) / HOUR_MS,
        seed,
        networkSeed: options.firstSeed,
        intensity: run.intensity,
        startMs: run.startMs,
      });
    } catch (error) {
      // A run that cannot be simulated now cannot later either: the feed stops rather than retry.
      stopped = true;
      clearInterval(timer);
      throw error;
    }
    // A registration the store refuses is tried again, with the same seed, after a pause.
    for (const source of simulation.sources) await registerSource(deps, source);
    const runId = `run${seed}`;
    seed += 1;
    const added = simulation.observations.map((line): Pending => {
      const record = JSON.parse(line) as Record<string, unknown>;
      record.id = `${runId}-${String(record.id)}`;
      return { atMs: Date.parse(String(record.observedAt)), record };
    });
    queue = [...queue.slice(next), ...added].sort((a, b) => a.atMs - b.atMs);
    next = 0;
    runStart = run.endMs;
  };

  const tick = async (): Promise<void> => {
    if (deps.clock.now() < retryAtMs) return;
    const upTo = clock.advance(deps.clock.now());
    // The next run is made in the tick its predecessor's span is delivered, before anything of this
    // tick goes: its first arrivals are then merged ahead of the predecessor's late ones, and
    // observation time never steps back between batches.
    while (upTo >= runStart && !stopped) await addRun();
    const from = next;
    const batch: Record<string, unknown>[] = [];
    while (next < queue.length && (queue[next]?.atMs ?? Infinity) <= upTo) {
      const item = queue[next];
      if (item !== undefined) batch.push(item.record);
      next += 1;
    }
    if (batch.length === 0 || stopped) return;
    try {
      const report = await recordObservations(deps, {
        input: { format: 'json', text: JSON.stringify(batch) },
        origin: 'demo',
      });
      if (report.conflicts > 0 || report.rejected > 0)
        options.onError(
          new Error(
            `demo feed: ${report.conflicts} conflicts and ${report.rejected} rejections in a batch of ${batch.length}: ${JSON.stringify(report.rejections.slice(0, 3))}`,
          ),
        );
    } catch (error) {
      // Nothing of a failed batch is stored: it is offered again, whole (after a pause, below).
      next = from;
      throw error;
    }
  };

  let running: Promise<void> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    if (stopped || busy) return;
    busy = true;
    running = tick()
      .catch((error: unknown) => {
        // A store that refused something (busy, or down for a moment) is asked again after a pause.
        retryAtMs = deps.clock.now() + RETRY_AFTER_MS;
        options.onError(error);
      })
      .finally(() => {
        busy = false;
      });
  }, options.tickMs);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
