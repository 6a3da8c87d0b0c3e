/**
 * @module Pages of what a reader may read, full where they can be: store pages are read in order
 * until the reader's page is full, so a reader who may read one row in a thousand (a party among the
 * mission's sensor data: its own submissions) gets full pages, not a thousand empty ones.
 */

/**
 * The most store pages one request reads for a reader who may read few of the rows: past them, the
 * page comes back short, with the cursor where the scan stopped.
 */
export const MAX_SCANNED_PAGES = 10;

export interface ReadablePage<T> {
  readonly items: readonly T[];
  /** The cursor for the next page (the last row read), or null when nothing follows. */
  readonly nextAfterSeq: number | null;
}

/**
 * Up to `limit` rows that `mayRead` lets the reader have, from `read` — a store's listing in `seq`
 * order after a cursor — read `limit + 1` rows at a time (the extra one tells whether more follow),
 * up to {@link MAX_SCANNED_PAGES} times. The cursor is the last row read, so nothing is skipped or
 * given twice; a reader who may read every row gets exactly one store read a page.
 */
export async function readablePage<T extends { readonly seq: number }>(
  read: (afterSeq: number | undefined, limit: number) => Promise<readonly T[]>,
  page: { readonly afterSeq?: number; readonly limit: number },
  mayRead: (row: T) => boolean = () => true,
): Promise<ReadablePage<T>> {
  const items: T[] = [];
  const { limit } = page;
  if (limit < 1) return { items, nextAfterSeq: null };
  let afterSeq = page.afterSeq;
  for (let pages = 0; pages < MAX_SCANNED_PAGES; pages += 1) {
    const rows = await read(afterSeq, limit + 1);
    const consumed = Math.min(rows.length, limit);
    for (let i = 0; i < consumed; i += 1) {
      const row = rows[i] as T;
      afterSeq = row.seq;
      if (!mayRead(row)) continue;
      items.push(row);
      if (items.length === limit) return { items, nextAfterSeq: i + 1 < rows.length ? row.seq : null };
    }
    if (rows.length <= limit) return { items, nextAfterSeq: null };
  }
  // The scan's budget is spent, and the last store page had its extra row: more follow.
  return { items, nextAfterSeq: afterSeq ?? null };
}
