/**
 * @module When to tell the live stream that fusion sets a sensor's reports aside: at the first, and
 * then at most once per interval for each sensor, with what was set aside since the last notice. A
 * flooding sensor is set aside at every drain, and a notice each time would bury the stream.
 */
import type { SetAsideArrival } from '../core/fusion/engine.ts';

/** What one notice says of one sensor: the arrivals set aside since the last, and their times. */
export interface SetAsideNotice {
  readonly sourceId: string;
  readonly reason: SetAsideArrival['reason'];
  readonly arrivals: number;
  readonly firstMs: number;
  readonly lastMs: number;
}

/** At most one notice a minute for each sensor and reason. */
export const SET_ASIDE_NOTICE_INTERVAL_MS = 60_000;

export class SetAsideNotices {
  readonly #intervalMs: number;
  /** By sensor and reason: when the last notice went, and what was set aside since. */
  readonly #bySource = new Map<string, { lastMs: number; pending: SetAsideNotice | undefined }>();

  constructor(intervalMs = SET_ASIDE_NOTICE_INTERVAL_MS) {
    this.#intervalMs = intervalMs;
  }

  /** Takes what a commit set aside; returns the notices due at `nowMs`. */
  take(setAside: readonly SetAsideArrival[], nowMs: number): SetAsideNotice[] {
    for (const a of setAside) {
      const key = JSON.stringify([a.sourceId, a.reason]);
      const known = this.#bySource.get(key) ?? { lastMs: Number.NEGATIVE_INFINITY, pending: undefined };
      const p = known.pending;
      known.pending =
        p === undefined
          ? { sourceId: a.sourceId, reason: a.reason, arrivals: 1, firstMs: a.timeMs, lastMs: a.timeMs }
          : {
              ...p,
              arrivals: p.arrivals + 1,
              firstMs: Math.min(p.firstMs, a.timeMs),
              lastMs: Math.max(p.lastMs, a.timeMs),
            };
      this.#bySource.set(key, known);
    }
    const due: SetAsideNotice[] = [];
    for (const [key, known] of this.#bySource) {
      if (known.pending === undefined) {
        // Quiet for a whole interval: forgotten, so the next one is told at once.
        if (nowMs - known.lastMs >= this.#intervalMs) this.#bySource.delete(key);
        continue;
      }
      if (nowMs - known.lastMs < this.#intervalMs) continue;
      due.push(known.pending);
      known.pending = undefined;
      known.lastMs = nowMs;
    }
    return due;
  }
}
