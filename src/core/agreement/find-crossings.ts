/**
 * @module Finds where the segments of lines and rings cross or touch, in the plane of longitude and
 * latitude — enough to tell a valid geometry from a broken one (a crossing stays a crossing on the
 * ellipsoid at the scale of a front line).
 */
import type { Position } from './schema.ts';

/** How two segments meet: crossing at a point, one touching the other, or running along each other. */
export type CrossingKind = 'cross' | 'touch' | 'overlap';

/** One place where two segments meet. Segment `i` runs from position `i` to position `i + 1` of its path. */
export interface Crossing {
  readonly kind: CrossingKind;
  readonly a: { readonly path: number; readonly segment: number };
  readonly b: { readonly path: number; readonly segment: number };
  /** Where they meet, `[longitude, latitude]`. */
  readonly at: Position;
}

interface Segment {
  readonly path: number;
  readonly index: number;
  /** Position among the path's segments of non-zero length (repeated positions are skipped). */
  readonly ordinal: number;
  readonly p: Position;
  readonly q: Position;
  readonly minX: number;
  readonly maxX: number;
  readonly minY: number;
  readonly maxY: number;
}

const orient = (a: Position, b: Position, c: Position): number =>
  (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);

const within = (value: number, x: number, y: number): boolean =>
  value >= Math.min(x, y) && value <= Math.max(x, y);

/** True when `c`, collinear with `a`–`b`, lies on that segment. */
const onSegment = (a: Position, b: Position, c: Position): boolean =>
  within(c[0], a[0], b[0]) && within(c[1], a[1], b[1]);

const same = (a: Position, b: Position): boolean => a[0] === b[0] && a[1] === b[1];

/** How segments `p1`–`p2` and `q1`–`q2` meet, or `undefined` when they do not. */
export function meet(
  p1: Position,
  p2: Position,
  q1: Position,
  q2: Position,
): { kind: CrossingKind; at: Position } | undefined {
  const d1 = orient(q1, q2, p1);
  const d2 = orient(q1, q2, p2);
  const d3 = orient(p1, p2, q1);
  const d4 = orient(p1, p2, q2);
  if (d1 === 0 && d2 === 0 && d3 === 0 && d4 === 0) {
    // Collinear: compare their extents along the longer axis.
    const axis =
      Math.abs(p2[0] - p1[0]) + Math.abs(q2[0] - q1[0]) >= Math.abs(p2[1] - p1[1]) + Math.abs(q2[1] - q1[1])
        ? 0
        : 1;
    const lo = Math.max(Math.min(p1[axis], p2[axis]), Math.min(q1[axis], q2[axis]));
    const hi = Math.min(Math.max(p1[axis], p2[axis]), Math.max(q1[axis], q2[axis]));
    if (lo > hi) return undefined;
    const at = [p1, p2, q1, q2].find((point) => point[axis] === lo) ?? p1;
    return { kind: lo === hi ? 'touch' : 'overlap', at };
  }
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) {
    const t = d1 / (d1 - d2);
    return { kind: 'cross', at: [p1[0] + t * (p2[0] - p1[0]), p1[1] + t * (p2[1] - p1[1])] };
  }
  if (d1 === 0 && onSegment(q1, q2, p1)) return { kind: 'touch', at: p1 };
  if (d2 === 0 && onSegment(q1, q2, p2)) return { kind: 'touch', at: p2 };
  if (d3 === 0 && onSegment(p1, p2, q1)) return { kind: 'touch', at: q1 };
  if (d4 === 0 && onSegment(p1, p2, q2)) return { kind: 'touch', at: q2 };
  return undefined;
}

/**
 * Every place where the given paths cross, touch or overlap in a way a valid geometry does not allow,
 * up to `limit`. Within one path any meeting of two segments that are not neighbours counts, and
 * neighbours count when the path turns straight back on itself. Between two paths only crossings and
 * overlaps count: rings may touch at a point. With `closed`, each path is a ring whose last position
 * repeats the first, so its first and last segments are neighbours.
 */
export function findCrossings(
  paths: readonly (readonly Position[])[],
  closed: boolean,
  limit = 1000,
): Crossing[] {
  const segments: Segment[] = [];
  const counts: number[] = [];
  paths.forEach((positions, path) => {
    let ordinal = 0;
    for (let index = 0; index + 1 < positions.length; index++) {
      const p = positions[index];
      const q = positions[index + 1];
      if (p === undefined || q === undefined || same(p, q)) continue;
      segments.push({
        path,
        index,
        ordinal: ordinal++,
        p,
        q,
        minX: Math.min(p[0], q[0]),
        maxX: Math.max(p[0], q[0]),
        minY: Math.min(p[1], q[1]),
        maxY: Math.max(p[1], q[1]),
      });
    }
    counts[path] = ordinal;
  });
  segments.sort((s, t) => s.minX - t.minX);
  const found: Crossing[] = [];
  for (let i = 0; i < segments.length && found.length < limit; i++) {
    const s = segments[i];
    if (s === undefined) continue;
    for (let j = i + 1; j < segments.length && found.length < limit; j++) {
      const t = segments[j];
      if (t === undefined || t.minX > s.maxX) break;
      if (t.minY > s.maxY || t.maxY < s.minY) continue;
      const crossing = classify(s, t, counts, closed);
      if (crossing !== undefined) found.push(crossing);
    }
  }
  return found.sort((x, y) => x.a.path - y.a.path || x.a.segment - y.a.segment || x.b.segment - y.b.segment);
}

function classify(s: Segment, t: Segment, counts: readonly number[], closed: boolean): Crossing | undefined {
  const [first, second] = s.path < t.path || (s.path === t.path && s.index < t.index) ? [s, t] : [t, s];
  const ends = {
    a: { path: first.path, segment: first.index },
    b: { path: second.path, segment: second.index },
  };
  if (first.path === second.path) {
    const last = (counts[first.path] ?? 0) - 1;
    const consecutive = second.ordinal - first.ordinal === 1;
    if (consecutive || (closed && first.ordinal === 0 && second.ordinal === last)) {
      // Neighbours share a vertex; they are wrong only when one runs back along the other.
      const [shared, before, after] = consecutive
        ? [first.q, first.p, second.q]
        : [first.p, first.q, second.p];
      const turn = orient(before, shared, after);
      const dot =
        (shared[0] - before[0]) * (after[0] - shared[0]) + (shared[1] - before[1]) * (after[1] - shared[1]);
      return turn === 0 && dot < 0 ? { kind: 'overlap', ...ends, at: shared } : undefined;
    }
    const meeting = meet(first.p, first.q, second.p, second.q);
    return meeting === undefined ? undefined : { ...meeting, ...ends };
  }
  const meeting = meet(first.p, first.q, second.p, second.q);
  if (meeting === undefined || meeting.kind === 'touch') return undefined;
  return { ...meeting, ...ends };
}

/** Twice the signed area of a ring in the plane of longitude and latitude: positive when it runs counter-clockwise. */
export function signedArea2(ring: readonly Position[]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const p = ring[i];
    const q = ring[i + 1];
    if (p !== undefined && q !== undefined) sum += (p[0] - q[0]) * (p[1] + q[1]);
  }
  return sum;
}
