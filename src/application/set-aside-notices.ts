/**
 * @module When to tell the live stream that fusion sets a sensor's reports aside: at the first, and
 * then at most once per interval for each sensor, with what was set aside since the last notice. A
 * flooding sensor is set aside at every drain, and a notice each time would bury the stream.
 */
import type { SetAsideArrival } from '../core/fusion/engine.ts';
import { withSetAside } from '../core/fusion/set-aside.ts';
import type { SetAsideSummary } from '../core/ports/fusion-store.ts';

/** At most one notice a minute for each sensor and reason. */
export const SET_ASIDE_NOTICE_INTERVAL_MS = 60_000;

export class SetAsideNotices {
  readonly #intervalMs: number;
  /** By sensor and reason: when the last notice went, and what was set aside since. */
  readonly #bySource = new Map<string, { lastMs: number; pending: SetAsideSummary | undefined }>();

  constructor(intervalMs = SET_ASIDE_NOTICE_INTERVAL_MS) {
    this.#intervalMs = intervalMs;
  }

  /** Takes what a commit set aside; returns the notices due at `nowMs`, each what was set aside since the last. */
  take(setAside: readonly SetAsideArrival[], nowMs: number): SetAsideSummary[] {
    for (const a of setAside) {
      const key = JSON.stringify([a.sourceId, a.reason]);
      const known = this.#bySource.get(key) ?? { lastMs: Number.NEGATIVE_INFINITY, pending: undefined };
      known.pending = withSetAside(known.pending, a);
      this.#bySource.set(key, known);
    }
    const due: SetAsideSummary[] = [];
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
