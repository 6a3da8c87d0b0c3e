/**
 * @module The grid the SQLite store indexes points by: a 0.1° latitude/longitude cell within a UTC
 * day, as one integer key. A B-tree on (key, observed time) answers "points in this box during this
 * window" by enumerating the keys that cover it; keying by day keeps one batch's inserts in a narrow
 * region of the index, which is what makes ingest fast (docs/decisions/0004-spatial-index.md explains
 * why not an R*Tree). The keys of a day are contiguous, so the same index also answers a window
 * without a box: one range of keys per run of days (`dayRange`).
 *
 * @example
 * // The keys a raw query needs for a box and a window [fromMs, toMs):
 * const keys = spatialGrid.covering(box, spatialGrid.dayOf(fromMs), spatialGrid.dayOf(toMs - 1));
 * // SELECT … FROM observations INDEXED BY observations_grid WHERE grid_key IN (…keys…)
 * //   AND lat >= ? AND lat <= ? AND lon >= ? AND lon <= ? AND observed_at >= ? AND observed_at < ?
 */
import type { BoundingBox } from '../../core/ports/observation-store.ts';

/** Cell size in degrees (about 11 × 7 km in Ukraine). */
const CELL_DEGREES = 0.1;
/** Cells per row of the grid: longitudes −180…180 inclusive. */
const CELLS_PER_ROW = Math.floor(360 / CELL_DEGREES) + 1;
/** Cells in the grid: latitudes −90…90 inclusive. */
const CELLS = (Math.floor(180 / CELL_DEGREES) + 1) * CELLS_PER_ROW;
const DAY_MS = 24 * 3600 * 1000;
/** Beyond this many covering keys (~50 ms of seeks), a query is answered another way. */
const MAX_COVERING_KEYS = 50_000;

const row = (lat: number): number => Math.floor((lat + 90) / CELL_DEGREES);
const column = (lon: number): number => Math.floor((lon + 180) / CELL_DEGREES);
const cellOf = (lat: number, lon: number): number => row(lat) * CELLS_PER_ROW + column(lon);

/**
 * The grid. `keyOf` a point at a time, and the keys `covering` a box over a range of days. Both use
 * the same floating-point steps, which are monotonic, so a point inside a box or on its edge always
 * falls in one of the box's cells; the store then compares the exact coordinates and times.
 */
export const spatialGrid = {
  cellDegrees: CELL_DEGREES,
  dayMs: DAY_MS,
  maxCoveringKeys: MAX_COVERING_KEYS,

  /** The UTC day of a time (ms): the time part of the key. */
  dayOf(ms: number): number {
    return Math.floor(ms / DAY_MS);
  },

  /** The key of a point (latitude −90…90, longitude −180…180) observed at `ms`; below 2^53 until 3000 AD. */
  keyOf(lat: number, lon: number, ms: number): number {
    return Math.floor(ms / DAY_MS) * CELLS + cellOf(lat, lon);
  },

  /** The keys of every cell over days `fromDay`…`toDay` inclusive: `[lowest, beyondHighest)`. */
  dayRange(fromDay: number, toDay: number): readonly [number, number] {
    return [fromDay * CELLS, (toDay + 1) * CELLS];
  },

  /** How many keys cover the box over days `fromDay`…`toDay` inclusive (cheap: no list is built). */
  countCovering(box: BoundingBox, fromDay: number, toDay: number): number {
    const cells = (row(box.north) - row(box.south) + 1) * (column(box.east) - column(box.west) + 1);
    return cells * Math.max(0, toDay - fromDay + 1);
  },

  /** Every key covering the box over days `fromDay`…`toDay` inclusive, ascending. */
  covering(box: BoundingBox, fromDay: number, toDay: number): number[] {
    const keys: number[] = [];
    const [r0, r1, c0, c1] = [row(box.south), row(box.north), column(box.west), column(box.east)];
    for (let day = fromDay; day <= toDay; day++)
      for (let r = r0; r <= r1; r++)
        for (let c = c0; c <= c1; c++) keys.push(day * CELLS + r * CELLS_PER_ROW + c);
    return keys;
  },
} as const;
