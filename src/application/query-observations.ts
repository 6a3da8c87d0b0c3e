/** @module Use case: find observations by box, time window, kind and source, a page at a time. */
import type { ObservationKind } from '../core/observations/kinds.ts';
import type { BoundingBox, StoredObservation } from '../core/ports/observation-store.ts';
import type { AppDeps } from './app-deps.ts';

export interface QueryObservationsInput {
  readonly bbox?: BoundingBox;
  /** Observed at or after this time (ms). */
  readonly fromMs?: number;
  /** Observed before this time (ms). */
  readonly toMs?: number;
  readonly kinds?: readonly ObservationKind[];
  readonly sourceIds?: readonly string[];
  /** The cursor from the previous page. */
  readonly afterSeq?: number;
  readonly limit: number;
}

export interface ObservationPage {
  readonly items: readonly StoredObservation[];
  /** The cursor for the next page, or null when this is the last. */
  readonly nextAfterSeq: number | null;
}

export async function queryObservations(
  deps: Pick<AppDeps, 'store'>,
  input: QueryObservationsInput,
): Promise<ObservationPage> {
  // One extra row tells whether another page follows.
  const rows = await deps.store.observations.query({ ...input, limit: input.limit + 1 });
  const items = rows.slice(0, input.limit);
  const last = items.at(-1);
  return { items, nextAfterSeq: rows.length > input.limit && last !== undefined ? last.seq : null };
}
