/** @module What fusion set aside of one sensor, summed arrival by arrival. Pure. */
import type { SetAsideSummary } from '../ports/fusion-store.ts';
import type { SetAsideArrival } from './engine.ts';

/** `summary` (none yet: undefined) with one more arrival of its sensor and reason. */
export const withSetAside = (summary: SetAsideSummary | undefined, a: SetAsideArrival): SetAsideSummary =>
  summary === undefined
    ? { sourceId: a.sourceId, reason: a.reason, arrivals: 1, firstMs: a.timeMs, lastMs: a.timeMs }
    : {
        ...summary,
        arrivals: summary.arrivals + 1,
        firstMs: Math.min(summary.firstMs, a.timeMs),
        lastMs: Math.max(summary.lastMs, a.timeMs),
      };
