/**
 * @module The coarse latitude/longitude grid the SQLite store indexes points by: a B-tree on
 * (cell, observed time) answers "points in this box during this window" by enumerating the cells that
 * cover the box (docs/decisions/0004-spatial-index.md explains why not an R*Tree).
 */
import type { BoundingBox } from '../../core/ports/observation-store.ts';

/** Cell size in degrees (about 11 × 7 km in Ukraine). */
const CELL_DEGREES = 0.1;
/** Cells per row of the grid: longitudes −180…180 inclusive. */
const CELLS_PER_ROW = Math.floor(360 / CELL_DEGREES) + 1;
/** Beyond this many covering cells, a box is "huge": the store answers it from the time index. */
const MAX_COVERING_CELLS = 2000;

const row = (lat: number): number => Math.floor((lat + 90) / CELL_DEGREES);
const column = (lon: number): number => Math.floor((lon + 180) / CELL_DEGREES);

/**
 * The grid: `cellOf` a point, and the cells `covering` a box. Both use the same floating-point steps,
 * which are monotonic, so a point inside a box or on its edge always falls in one of the box's cells;
 * the store then compares the exact coordinates.
 */
export const spatialGrid = {
  cellDegrees: CELL_DEGREES,
  maxCoveringCells: MAX_COVERING_CELLS,

  /** The cell of a point (an integer); latitude −90…90, longitude −180…180. */
  cellOf(lat: number, lon: number): number {
    return row(lat) * CELLS_PER_ROW + column(lon);
  },

  /** How many cells cover the box (cheap: no list is built). */
  countCovering(box: BoundingBox): number {
    return (row(box.north) - row(box.south) + 1) * (column(box.east) - column(box.west) + 1);
  },

  /** Every cell that covers the box, ascending. */
  covering(box: BoundingBox): number[] {
    const cells: number[] = [];
    const [r0, r1, c0, c1] = [row(box.south), row(box.north), column(box.west), column(box.east)];
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) cells.push(r * CELLS_PER_ROW + c);
    return cells;
  },
} as const;
