/**
 * @module Runs a task when asked, but starts it at most once per interval: a request within the
 * interval after the last start waits for its end, and every request made meanwhile shares that one
 * start. A live server asks fusion to run after every commit; at hundreds of small commits a second,
 * running it on each cost more in per-run work (reading the cursor, grouping the waiting arrivals
 * again, committing) than the observations themselves did.
 */

export interface RunAtMostEvery {
  /** Asks for a run: now if the interval since the last start has passed, else at its end. */
  request(): void;
  /** Drops a deferred run and refuses new ones. */
  stop(): void;
}

/** `run` at most once per `intervalMs` between starts, measured with `now` (ms). */
export function runAtMostEvery(
  run: () => void,
  intervalMs: number,
  now: () => number = () => performance.now(),
): RunAtMostEvery {
  let lastStart = Number.NEGATIVE_INFINITY;
  let deferred: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const start = (): void => {
    deferred = undefined;
    lastStart = now();
    run();
  };
  return {
    request(): void {
      if (stopped || deferred !== undefined) return;
      const wait = lastStart + intervalMs - now();
      if (wait <= 0) start();
      else deferred = setTimeout(start, wait);
    },
    stop(): void {
      stopped = true;
      if (deferred !== undefined) clearTimeout(deferred);
      deferred = undefined;
    },
  };
}
