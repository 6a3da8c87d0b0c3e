/**
 * @module The boundary edges of a side, indexed in a grid of cells, prepared once per geometry: so that
 * attribution finds the few edges near a point of origin among the thousands of a country-sized side.
 */
import type { AreaGeometry } from '../agreement/index.ts';

/** The edges of one area, each oriented with the area's interior on its left. */
export interface BoundaryIndex {
  readonly west: number;
  readonly south: number;
  readonly east: number;
  readonly north: number;
  /** Edges as [lon1, lat1, lon2, lat2, …], in degrees, interior on the left of the first → second. */
  readonly edges: Float64Array;
  /** Cell size in degrees, and the grid's size. */
  readonly cell: number;
  readonly columns: number;
  readonly rows: number;
  /** The edges reaching into cell c are `cellEdges[cellStart[c] … cellStart[c + 1] − 1]`. */
  readonly cellStart: Int32Array;
  readonly cellEdges: Int32Array;
  /** For each edge, the number of the last query that returned it (to return it once per query). */
  readonly seen: Int32Array;
  query: number;
}

const indexes = new WeakMap<AreaGeometry, BoundaryIndex>();

/** At most this many cells along the longer side of the grid. */
const GRID = 256;

/** Twice the signed area of a ring in the longitude/latitude plane: positive when counter-clockwise. */
function signedArea2(ring: readonly (readonly [number, number])[]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const p = ring[i];
    const q = ring[i + 1];
    if (p !== undefined && q !== undefined) sum += p[0] * q[1] - q[0] * p[1];
  }
  return sum;
}

function build(geometry: AreaGeometry): BoundaryIndex {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const flat: number[] = [];
  let west = Infinity;
  let south = Infinity;
  let east = -Infinity;
  let north = -Infinity;
  for (const polygon of polygons)
    polygon.forEach((ring, r) => {
      // Interior on the left: exterior rings counter-clockwise, holes clockwise. The format requires
      // this already; turning a ring that breaks it costs nothing and keeps the integral right.
      const area = signedArea2(ring);
      const reverse = r === 0 ? area < 0 : area > 0;
      for (let i = 0; i + 1 < ring.length; i++) {
        const p = ring[i];
        const q = ring[i + 1];
        if (p === undefined || q === undefined || (p[0] === q[0] && p[1] === q[1])) continue;
        if (reverse) flat.push(q[0], q[1], p[0], p[1]);
        else flat.push(p[0], p[1], q[0], q[1]);
        west = Math.min(west, p[0], q[0]);
        east = Math.max(east, p[0], q[0]);
        south = Math.min(south, p[1], q[1]);
        north = Math.max(north, p[1], q[1]);
      }
    });
  const edges = Float64Array.from(flat);
  const count = edges.length / 4;
  if (count === 0)
    return {
      west: 0,
      south: 0,
      east: -1,
      north: -1,
      edges,
      cell: 1,
      columns: 0,
      rows: 0,
      cellStart: new Int32Array(1),
      cellEdges: new Int32Array(0),
      seen: new Int32Array(0),
      query: 0,
    };
  const cell = Math.max(east - west, north - south, 1e-6) / GRID;
  const columns = Math.max(1, Math.ceil((east - west) / cell));
  const rows = Math.max(1, Math.ceil((north - south) / cell));
  const column = (x: number): number => Math.min(columns - 1, Math.max(0, Math.floor((x - west) / cell)));
  const row = (y: number): number => Math.min(rows - 1, Math.max(0, Math.floor((y - south) / cell)));
  // Two passes: count the edges of each cell, then fill (a compact layout without a list per cell).
  const counts = new Int32Array(columns * rows + 1);
  const visit = (e: number, each: (c: number) => void): void => {
    const x1 = edges[e * 4] ?? 0;
    const y1 = edges[e * 4 + 1] ?? 0;
    const x2 = edges[e * 4 + 2] ?? 0;
    const y2 = edges[e * 4 + 3] ?? 0;
    // The edge's bounding box of cells: a slight over-approximation for diagonal edges, which only
    // adds candidates that the exact distance test drops.
    for (let j = row(Math.min(y1, y2)); j <= row(Math.max(y1, y2)); j++)
      for (let i = column(Math.min(x1, x2)); i <= column(Math.max(x1, x2)); i++) each(j * columns + i);
  };
  for (let e = 0; e < count; e++)
    visit(e, (c) => {
      counts[c + 1] = (counts[c + 1] ?? 0) + 1;
    });
  const cellStart = new Int32Array(columns * rows + 1);
  for (let c = 0; c < columns * rows; c++) cellStart[c + 1] = (cellStart[c] ?? 0) + (counts[c + 1] ?? 0);
  const fill = cellStart.slice(0, columns * rows);
  const cellEdges = new Int32Array(cellStart[columns * rows] ?? 0);
  for (let e = 0; e < count; e++)
    visit(e, (c) => {
      const at = fill[c] ?? 0;
      cellEdges[at] = e;
      fill[c] = at + 1;
    });
  return {
    west,
    south,
    east,
    north,
    edges,
    cell,
    columns,
    rows,
    cellStart,
    cellEdges,
    seen: new Int32Array(count),
    query: 0,
  };
}

/** The boundary index of an area, built on first use and kept as long as the geometry lives. */
export function boundaryIndex(geometry: AreaGeometry): BoundaryIndex {
  let index = indexes.get(geometry);
  if (index === undefined) {
    index = build(geometry);
    indexes.set(geometry, index);
  }
  return index;
}

/**
 * Calls `each` once with every edge that may reach into the box [west, south, east, north] (degrees),
 * by the edge's number (its coordinates are `index.edges[4e … 4e + 3]`). Edges outside the box may be
 * included; none inside it is left out.
 */
export function edgesNear(
  index: BoundaryIndex,
  west: number,
  south: number,
  east: number,
  north: number,
  each: (edge: number) => void,
): void {
  if (east < index.west || west > index.east || north < index.south || south > index.north) return;
  const { cell, columns, rows, cellStart, cellEdges, seen } = index;
  const i0 = Math.max(0, Math.floor((west - index.west) / cell));
  const i1 = Math.min(columns - 1, Math.floor((east - index.west) / cell));
  const j0 = Math.max(0, Math.floor((south - index.south) / cell));
  const j1 = Math.min(rows - 1, Math.floor((north - index.south) / cell));
  index.query = index.query === 0x7fffffff ? 1 : index.query + 1;
  if (index.query === 1) seen.fill(0);
  const query = index.query;
  for (let j = j0; j <= j1; j++)
    for (let i = i0; i <= i1; i++) {
      const c = j * columns + i;
      for (let k = cellStart[c] ?? 0, end = cellStart[c + 1] ?? 0; k < end; k++) {
        const e = cellEdges[k] ?? 0;
        if (seen[e] === query) continue;
        seen[e] = query;
        each(e);
      }
    }
}
