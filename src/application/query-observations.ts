/** @module Use case: find observations by box, time window, kind and source, a page at a time. */
import type { ObservationKind } from '../core/observations/kinds.ts';
import type { BoundingBox, StoredObservation } from '../core/ports/observation-store.ts';
import type { AppDeps } from './app-deps.ts';
import { readablePage } from './readable-page.ts';

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

/**
 * A page of the observations `mayRead` lets the reader have (all, when not given), full where it can
 * be: see {@link readablePage}.
 */
export async function queryObservations(
  deps: Pick<AppDeps, 'store'>,
  input: QueryObservationsInput,
  mayRead?: (row: StoredObservation) => boolean,
): Promise<ObservationPage> {
  return readablePage(
    (afterSeq, limit) => deps.store.observations.query({ ...input, afterSeq, limit }),
    input,
    mayRead,
  );
}
