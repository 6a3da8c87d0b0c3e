/**
 * @module Says what is wrong with a line or an area of an agreement, in words a person can act on:
 * positions outside the area of application (and whether latitude and longitude look swapped),
 * repeated positions, open rings, lines and rings that cross themselves, rings that run the wrong way
 * round (RFC 7946's right-hand rule), holes outside their exterior.
 */
import type { FieldIssue } from '../errors.ts';
import { findCrossings, signedArea2, type Crossing } from './find-crossings.ts';
import type { AreaGeometry, Bbox, LineStringGeometry, Position } from './schema.ts';

/** At most this many issues of one kind for one geometry; a last issue says how many more there are. */
const MAX_ISSUES_PER_KIND = 10;

const fmt = (value: number): string => String(Math.round(value * 1e6) / 1e6);
const show = (position: Position): string => `[${fmt(position[0])}, ${fmt(position[1])}]`;
const showBbox = (bbox: Bbox): string => `[${bbox.map(fmt).join(', ')}]`;

/** True when `[lon, lat]` lies inside (or on the edge of) `bbox`. */
export const inBbox = (bbox: Bbox, lon: number, lat: number): boolean =>
  lon >= bbox[0] && lon <= bbox[2] && lat >= bbox[1] && lat <= bbox[3];

interface Part {
  /** The path of the part's positions, e.g. `zones[3].geometry.coordinates[0][1]`. */
  readonly path: string;
  readonly positions: readonly Position[];
  /** For rings: the polygon it belongs to and whether it is the exterior (ring 0). */
  readonly polygon: number;
  readonly ring: number;
}

function partsOf(geometry: LineStringGeometry | AreaGeometry, path: string): Part[] {
  const base = `${path}.coordinates`;
  switch (geometry.type) {
    case 'LineString':
      return [{ path: base, positions: geometry.coordinates, polygon: 0, ring: 0 }];
    case 'Polygon':
      return geometry.coordinates.map((positions, ring) => ({
        path: `${base}[${ring}]`,
        positions,
        polygon: 0,
        ring,
      }));
    case 'MultiPolygon':
      return geometry.coordinates.flatMap((rings, polygon) =>
        rings.map((positions, ring) => ({ path: `${base}[${polygon}][${ring}]`, positions, polygon, ring })),
      );
  }
}

/** Collects issues, keeping at most `MAX_ISSUES_PER_KIND` of each kind and counting the rest. */
class Collector {
  readonly issues: FieldIssue[] = [];
  private readonly counts = new Map<string, { shown: number; more: number; path: string; what: string }>();

  add(kind: string, path: string, reason: string, summaryPath: string, what: string): void {
    const count = this.counts.get(kind) ?? { shown: 0, more: 0, path: summaryPath, what };
    this.counts.set(kind, count);
    if (count.shown < MAX_ISSUES_PER_KIND) {
      count.shown++;
      this.issues.push({ path, reason });
    } else count.more++;
  }

  finish(): FieldIssue[] {
    for (const { more, path, what } of this.counts.values())
      if (more > 0) this.issues.push({ path, reason: `and ${more} more ${what}` });
    return this.issues;
  }
}

/**
 * Every problem of one geometry. `path` names the geometry (e.g. `referenceLines[0].geometry`);
 * `extent`, when given, is the area of application's bounding box that every position must lie in.
 */
export function checkGeometry(
  geometry: LineStringGeometry | AreaGeometry,
  path: string,
  extent: Bbox | undefined,
): FieldIssue[] {
  const out = new Collector();
  const parts = partsOf(geometry, path);
  const isLine = geometry.type === 'LineString';

  // Repeated positions and open rings.
  let open = false;
  for (const part of parts) {
    part.positions.forEach((position, i) => {
      const previous = part.positions[i - 1];
      if (previous !== undefined && previous[0] === position[0] && previous[1] === position[1])
        out.add(
          'repeat',
          `${part.path}[${i}]`,
          `repeats the position before it ${show(position)}`,
          path,
          'repeated positions',
        );
    });
    const first = part.positions[0];
    const last = part.positions[part.positions.length - 1];
    if (
      !isLine &&
      first !== undefined &&
      last !== undefined &&
      (first[0] !== last[0] || first[1] !== last[1])
    ) {
      open = true;
      out.add(
        'open',
        part.path,
        `the ring is not closed: its last position ${show(last)} must repeat its first ${show(first)}`,
        path,
        'open rings',
      );
    }
  }

  // Positions outside the area of application, and whether they look swapped.
  let swappedWhole = false;
  if (extent !== undefined) {
    let total = 0;
    let outside = 0;
    let swappedInside = 0;
    for (const part of parts)
      for (const [lon, lat] of part.positions) {
        total++;
        if (inBbox(extent, lon, lat)) continue;
        outside++;
        if (inBbox(extent, lat, lon)) swappedInside++;
      }
    if (outside > 0 && outside === total && swappedInside === total) {
      swappedWhole = true;
      out.add(
        'swapped',
        `${path}.coordinates`,
        `latitude and longitude appear swapped: all ${total} positions lie outside the area of application ${showBbox(extent)}, and every one would lie inside it with its two numbers exchanged (GeoJSON positions are [longitude, latitude])`,
        path,
        'positions with latitude and longitude swapped',
      );
    } else if (outside > 0) {
      for (const part of parts)
        part.positions.forEach(([lon, lat], i) => {
          if (inBbox(extent, lon, lat)) return;
          if (inBbox(extent, lat, lon))
            out.add(
              'swapped',
              `${part.path}[${i}]`,
              `latitude and longitude appear swapped: ${show([lon, lat])} lies outside the area of application ${showBbox(extent)}, but ${show([lat, lon])} lies inside (GeoJSON positions are [longitude, latitude])`,
              path,
              'positions with latitude and longitude swapped',
            );
          else
            out.add(
              'outside',
              `${part.path}[${i}]`,
              `${show([lon, lat])} lies outside the area of application ${showBbox(extent)}`,
              path,
              'positions outside the area of application',
            );
        });
    }
  }

  // Crossings.
  const crossings = findCrossings(
    parts.map((part) => part.positions),
    !isLine,
    MAX_ISSUES_PER_KIND * 10,
  );
  const involved = new Set<number>();
  for (const crossing of crossings) {
    involved.add(crossing.a.path);
    involved.add(crossing.b.path);
    const [kind, where, reason] = describeCrossing(crossing, parts, isLine);
    out.add(kind, where, reason, path, 'crossings');
  }

  if (isLine || open) return out.finish();

  // Orientation (not reported when the whole geometry is swapped: swapping mirrors it and flips every ring).
  if (!swappedWhole)
    parts.forEach((part) => {
      const area2 = signedArea2(part.positions);
      if (area2 === 0) out.add('empty', part.path, 'the ring encloses no area', path, 'rings without area');
      else if (part.ring === 0 && area2 < 0)
        out.add(
          'orientation',
          part.path,
          'the exterior ring runs clockwise, but RFC 7946 wants exterior rings counter-clockwise (the right-hand rule): list its positions in reverse order',
          path,
          'rings running the wrong way round',
        );
      else if (part.ring > 0 && area2 > 0)
        out.add(
          'orientation',
          part.path,
          'the hole runs counter-clockwise, but RFC 7946 wants holes clockwise (the right-hand rule): list its positions in reverse order',
          path,
          'rings running the wrong way round',
        );
    });

  // Holes inside their exterior; polygons of a MultiPolygon not inside one another.
  parts.forEach((part, index) => {
    if (involved.has(index)) return;
    const exteriorIndex = parts.findIndex((p) => p.polygon === part.polygon && p.ring === 0);
    const exterior = parts[exteriorIndex];
    if (part.ring > 0 && exterior !== undefined && !involved.has(exteriorIndex)) {
      const probe = part.positions.find((position) => !onRing(exterior.positions, position));
      if (probe !== undefined && !insideRing(exterior.positions, probe))
        out.add(
          'hole',
          part.path,
          'the hole lies outside its exterior ring',
          path,
          'holes outside their exterior',
        );
    }
    if (part.ring === 0)
      parts.forEach((other, otherIndex) => {
        if (other.ring !== 0 || other.polygon === part.polygon || involved.has(otherIndex)) return;
        const probe = part.positions.find((position) => !onRing(other.positions, position));
        if (
          probe !== undefined &&
          insideRing(other.positions, probe) &&
          !inAHole(parts, other.polygon, probe)
        )
          out.add(
            'nested',
            part.path,
            `polygon ${part.polygon} lies inside polygon ${other.polygon}: the polygons of a MultiPolygon must not overlap`,
            path,
            'overlapping polygons',
          );
      });
  });

  return out.finish();
}

function describeCrossing(
  crossing: Crossing,
  parts: readonly Part[],
  isLine: boolean,
): [string, string, string] {
  const a = parts[crossing.a.path];
  const b = parts[crossing.b.path];
  const near = show(crossing.at);
  if (a === undefined || b === undefined) return ['cross', '(root)', `crosses itself near ${near}`];
  const segment = (s: number): string => `the segment from position ${s} to ${s + 1}`;
  if (crossing.a.path === crossing.b.path) {
    const what = isLine ? 'line' : 'ring';
    const verb =
      crossing.kind === 'cross' ? 'crosses' : crossing.kind === 'touch' ? 'touches' : 'runs back along';
    return [
      'cross',
      a.path,
      `the ${what} ${verb} itself near ${near}: ${segment(crossing.a.segment)} meets ${segment(crossing.b.segment)}`,
    ];
  }
  const verb = crossing.kind === 'overlap' ? 'runs along' : 'crosses';
  const name = (part: Part): string =>
    part.ring === 0
      ? `the exterior ring of polygon ${part.polygon}`
      : `hole ${part.ring} of polygon ${part.polygon}`;
  if (a.polygon === b.polygon)
    return ['cross', b.path, `this ring ${verb} ${name(a)} near ${near}: rings of a polygon must not cross`];
  return [
    'cross',
    b.path,
    `polygon ${b.polygon} overlaps polygon ${a.polygon}: ${name(b)} ${verb} ${name(a)} near ${near}`,
  ];
}

/** Even-odd test of a point against one closed ring (planar, in longitude and latitude). */
export function insideRing(ring: readonly Position[], [x, y]: Position): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const p = ring[i];
    const q = ring[j];
    if (p === undefined || q === undefined) continue;
    if (p[1] > y !== q[1] > y && x < ((q[0] - p[0]) * (y - p[1])) / (q[1] - p[1]) + p[0]) inside = !inside;
  }
  return inside;
}

const onRing = (ring: readonly Position[], position: Position): boolean =>
  ring.some((p) => p[0] === position[0] && p[1] === position[1]);

const inAHole = (parts: readonly Part[], polygon: number, probe: Position): boolean =>
  parts.some((part) => part.polygon === polygon && part.ring > 0 && insideRing(part.positions, probe));
