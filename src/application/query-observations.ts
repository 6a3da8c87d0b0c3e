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

/**
 * The most store pages one request reads for a reader who may read few of the rows: past them, the
 * page comes back short, with the cursor where the scan stopped.
 */
export const MAX_SCANNED_PAGES = 10;

/**
 * A page of the observations `mayRead` lets the reader have (all, when not given). The store is read
 * a page at a time, in commit order, until the page is full: a party that may read one row in a
 * thousand still gets full pages (up to {@link MAX_SCANNED_PAGES} store pages a request), not a
 * thousand empty ones. The cursor is the last row read, so nothing is skipped or given twice.
 */
export async function queryObservations(
  deps: Pick<AppDeps, 'store'>,
  input: QueryObservationsInput,
  mayRead: (row: StoredObservation) => boolean = () => true,
): Promise<ObservationPage> {
  const items: StoredObservation[] = [];
  if (input.limit < 1) return { items, nextAfterSeq: null };
  let afterSeq = input.afterSeq;
  for (let pages = 0; pages < MAX_SCANNED_PAGES; pages += 1) {
    // One extra row tells whether another page follows.
    const rows = await deps.store.observations.query({ ...input, afterSeq, limit: input.limit + 1 });
    const read = Math.min(rows.length, input.limit);
    for (let i = 0; i < read; i += 1) {
      const row = rows[i] as StoredObservation;
      afterSeq = row.seq;
      if (!mayRead(row)) continue;
      items.push(row);
      if (items.length === input.limit) return { items, nextAfterSeq: i + 1 < rows.length ? row.seq : null };
    }
    if (rows.length <= input.limit) return { items, nextAfterSeq: null };
  }
  // The scan's budget is spent: more rows follow (the last store page had its extra one).
  return { items, nextAfterSeq: afterSeq ?? null };
}
