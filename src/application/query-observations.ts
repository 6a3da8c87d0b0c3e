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
  /**
   * Only the observations of sources this organisation owns: for a reader who may not read the
   * mission's. See {@link queryObservations}.
   */
  readonly ownSourcesOf?: string;
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
 *
 * The page's cursor follows the rows the store matched, readable or not: whether it is null tells
 * whether more rows match the filters. A reader who may not read the mission's observations (a party)
 * could so learn, with a box halved request after request, where a mission sensor stands and when it
 * reported — from empty pages. Its queries are narrowed to the sources its own organisation owns (the
 * only observations released to it: see `observationMarking`), so the store matches no row it may not
 * read.
 *
 * Only what is on disk is shown (`durableSeq()`): a commit a power cut could still take back, its
 * sequence then reused by another record, is left for the next page.
 */
export async function queryObservations(
  deps: Pick<AppDeps, 'store'>,
  input: QueryObservationsInput,
  mayRead?: (row: StoredObservation) => boolean,
): Promise<ObservationPage> {
  const { ownSourcesOf, ...filters } = input;
  let sourceIds = filters.sourceIds;
  if (ownSourcesOf !== undefined) {
    const own = new Set(
      (await deps.store.sources.list()).filter((s) => s.organisation === ownSourcesOf).map((s) => s.id),
    );
    sourceIds = sourceIds === undefined ? [...own] : sourceIds.filter((id) => own.has(id));
    if (sourceIds.length === 0) return { items: [], nextAfterSeq: null };
  }
  const throughSeq = await deps.store.observations.durableSeq();
  return readablePage(
    (afterSeq, limit) =>
      deps.store.observations.query({ ...filters, sourceIds, afterSeq, throughSeq, limit }),
    filters,
    mayRead,
  );
}
