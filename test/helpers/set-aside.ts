// What `FusionStore.setAside` answers for one sensor set aside as crowded, for the stores' tests.
import type { SetAsideSummary } from '../../src/core/ports/fusion-store.ts';

export const crowdedSummary = (
  sourceId: string,
  arrivals: number,
  firstMs: number,
  lastMs: number,
): SetAsideSummary => ({ sourceId, reason: 'crowded', arrivals, firstMs, lastMs });
