import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkGeometry } from './check-geometry.ts';
import { findCrossings } from './find-crossings.ts';
import type { Bbox, Position } from './schema.ts';

/** An area of application like Ukraine's: longitudes 22–41, latitudes 44–53, so a swap always falls outside. */
const EXTENT: Bbox = [22, 44, 41, 53];

const polygon = (...rings: Position[][]) => ({ type: 'Polygon' as const, coordinates: rings });
const line = (...positions: Position[]) => ({ type: 'LineString' as const, coordinates: positions });
const close = (ring: Position[]): Position[] => [...ring, ring[0] ?? [0, 0]];
const reasons = (issues: { reason: string }[]): string => issues.map((issue) => issue.reason).join(' | ');

/**
 * A star-shaped ring round (lon, lat): n ≥ 4 angles spread round the circle with some jitter, each gap
 * at most 135°, so it never crosses itself and holds its centre; counter-clockwise.
 */
const starRing = fc
  .tuple(
    fc.double({ min: 25, max: 38, noNaN: true }),
    fc.double({ min: 46, max: 51, noNaN: true }),
    fc.integer({ min: 4, max: 24 }),
    fc.array(fc.double({ min: 0, max: 0.5, noNaN: true }), { minLength: 24, maxLength: 24 }),
    fc.array(fc.double({ min: 0.2, max: 1, noNaN: true }), { minLength: 24, maxLength: 24 }),
  )
  .map(([lon, lat, n, jitter, radii]) =>
    close(
      Array.from({ length: n }, (_, i): Position => {
        const angle = ((i + (jitter[i] ?? 0)) * 2 * Math.PI) / n;
        const radius = radii[i] ?? 1;
        return [lon + radius * Math.cos(angle), lat + radius * Math.sin(angle)];
      }),
    ),
  );

describe('checkGeometry: ring order (RFC 7946 right-hand rule)', () => {
  it('accepts counter-clockwise exterior rings and reports each clockwise one (property)', () => {
    fc.assert(
      fc.property(starRing, (ring) => {
        const good = checkGeometry(polygon(ring), 'zones[0].geometry', EXTENT);
        const bad = checkGeometry(polygon([...ring].reverse()), 'zones[0].geometry', EXTENT);
        return (
          good.length === 0 &&
          bad.length === 1 &&
          bad[0]?.path === 'zones[0].geometry.coordinates[0]' &&
          /^the exterior ring runs clockwise/.test(bad[0].reason)
        );
      }),
    );
  });

  it('wants holes clockwise', () => {
    const outer = close([
      [30, 50],
      [31, 50],
      [31, 51],
      [30, 51],
    ]);
    const hole = close([
      [30.4, 50.4],
      [30.6, 50.4],
      [30.6, 50.6],
      [30.4, 50.6],
    ]);
    const issues = checkGeometry(polygon(outer, hole), 'sides[0].geometry', EXTENT);
    assert.deepEqual(
      issues.map((i) => i.path),
      ['sides[0].geometry.coordinates[1]'],
    );
    assert.match(issues[0]?.reason ?? '', /^the hole runs counter-clockwise/);
    assert.deepEqual(checkGeometry(polygon(outer, [...hole].reverse()), 'sides[0].geometry', EXTENT), []);
  });

  it('names the polygon and ring of a MultiPolygon', () => {
    const a = close([
      [30, 50],
      [31, 50],
      [31, 51],
      [30, 51],
    ]);
    const b = close([
      [32, 50],
      [32, 51],
      [33, 51],
      [33, 50],
    ]); // clockwise
    const issues = checkGeometry(
      { type: 'MultiPolygon', coordinates: [[a], [b]] },
      'sides[1].geometry',
      EXTENT,
    );
    assert.deepEqual(
      issues.map((i) => i.path),
      ['sides[1].geometry.coordinates[1][0]'],
    );
  });
});

describe('checkGeometry: crossings', () => {
  it('never reports a crossing in a star-shaped ring, and always in one with two neighbours swapped into a bow tie', () => {
    fc.assert(fc.property(starRing, (ring) => checkGeometry(polygon(ring), 'g', EXTENT).length === 0));
    const bowTie = close([
      [30, 50],
      [31, 51],
      [31, 50],
      [30, 51],
    ]);
    const issues = checkGeometry(polygon(bowTie), 'zones[1].geometry', EXTENT);
    assert.equal(issues[0]?.path, 'zones[1].geometry.coordinates[0]');
    assert.match(issues[0]?.reason ?? '', /^the ring crosses itself near \[30\.5, 50\.5\]/);
  });

  it('reports a line that crosses itself, touches itself, or runs back along itself', () => {
    const crossing = checkGeometry(
      line([30, 50], [31, 51], [31, 50], [30, 51]),
      'referenceLines[0].geometry',
      EXTENT,
    );
    assert.deepEqual(crossing, [
      {
        path: 'referenceLines[0].geometry.coordinates',
        reason:
          'the line crosses itself near [30.5, 50.5]: the segment from position 0 to 1 meets the segment from position 2 to 3',
      },
    ]);
    const touching = checkGeometry(line([30, 50], [31, 50], [31, 51], [30.5, 50]), 'l', EXTENT);
    assert.match(reasons(touching), /the line touches itself near \[30\.5, 50\]/);
    const back = checkGeometry(line([30, 50], [31, 50], [30.5, 50]), 'l', EXTENT);
    assert.match(reasons(back), /the line runs back along itself near \[31, 50\]/);
  });

  it('finds a crossing wherever a random segment is made to cross an earlier one (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.double({ min: 30, max: 31, noNaN: true }),
            fc.double({ min: 50, max: 51, noNaN: true }),
          ),
          {
            minLength: 4,
            maxLength: 12,
          },
        ),
        (points) => {
          // Walk east in steps, then go north of the walk and come straight down across it between two steps.
          const walk: Position[] = points.map(([, lat], i): Position => [30 + i * 0.1, lat]);
          const across = 30 + 0.1 * Math.floor((walk.length - 1) / 2) + 0.05;
          const crossing: Position[] = [...walk, [across, 52], [across, 49]];
          const found = findCrossings([crossing], false);
          return found.some((c) => c.kind === 'cross' && c.b.segment === walk.length);
        },
      ),
    );
  });

  it('reports a hole that crosses its exterior, and polygons of a MultiPolygon that overlap', () => {
    const outer = close([
      [30, 50],
      [31, 50],
      [31, 51],
      [30, 51],
    ]);
    const hole = close([
      [30.8, 50.4],
      [30.8, 50.6],
      [31.2, 50.6],
      [31.2, 50.4],
    ]);
    assert.match(
      reasons(checkGeometry(polygon(outer, hole), 'g', EXTENT)),
      /this ring crosses the exterior ring of polygon 0/,
    );
    const other = close([
      [30.5, 50.5],
      [31.5, 50.5],
      [31.5, 51.5],
      [30.5, 51.5],
    ]);
    assert.match(
      reasons(checkGeometry({ type: 'MultiPolygon', coordinates: [[outer], [other]] }, 'g', EXTENT)),
      /polygon 1 overlaps polygon 0/,
    );
    const inner = close([
      [30.2, 50.2],
      [30.4, 50.2],
      [30.4, 50.4],
      [30.2, 50.4],
    ]);
    assert.match(
      reasons(checkGeometry({ type: 'MultiPolygon', coordinates: [[outer], [inner]] }, 'g', EXTENT)),
      /polygon 1 lies inside polygon 0/,
    );
  });

  it('reports a position repeated straight after itself', () => {
    assert.deepEqual(checkGeometry(line([30, 50], [30, 50], [31, 50]), 'l', EXTENT), [
      { path: 'l.coordinates[1]', reason: 'repeats the position before it [30, 50]' },
    ]);
  });
});

describe('checkGeometry: positions outside the area of application', () => {
  const inside = fc.tuple(
    fc.double({ min: 22.5, max: 40.5, noNaN: true }),
    fc.double({ min: 44.5, max: 52.5, noNaN: true }),
  );

  it('says latitude and longitude appear swapped when every swapped position would be inside (property)', () => {
    fc.assert(
      // Distinct positions: a position repeated straight after itself is its own issue, reported first.
      fc.property(
        fc.uniqueArray(inside, { minLength: 2, maxLength: 20, selector: ([lon, lat]) => `${lon},${lat}` }),
        (positions) => {
          const ok = checkGeometry(line(...positions), 'referenceLines[0].geometry', EXTENT);
          const swapped = checkGeometry(
            line(...positions.map(([lon, lat]): Position => [lat, lon])),
            'referenceLines[0].geometry',
            EXTENT,
          );
          return (
            ok.filter((i) => /area of application/.test(i.reason)).length === 0 &&
            swapped.length >= 1 &&
            swapped[0]?.path === 'referenceLines[0].geometry.coordinates' &&
            /^latitude and longitude appear swapped: all \d+ positions/.test(swapped[0].reason)
          );
        },
      ),
    );
  });

  it('names the one swapped position of a line, and a position that is simply outside', () => {
    const issues = checkGeometry(
      line([37, 48], [48.5, 37.5], [36, 47], [10, 10]),
      'referenceLines[1].geometry',
      EXTENT,
    );
    assert.deepEqual(
      issues.map((i) => i.path),
      ['referenceLines[1].geometry.coordinates[1]', 'referenceLines[1].geometry.coordinates[3]'],
    );
    assert.match(
      issues[0]?.reason ?? '',
      /^latitude and longitude appear swapped: \[48\.5, 37\.5\] lies outside .* but \[37\.5, 48\.5\] lies inside/,
    );
    assert.match(
      issues[1]?.reason ?? '',
      /^\[10, 10\] lies outside the area of application \[22, 44, 41, 53\]$/,
    );
  });

  it('does not also report the ring order of a polygon that is swapped as a whole (swapping mirrors it)', () => {
    const ring = close([
      [37.96, 48.03],
      [38.04, 48.03],
      [38.04, 48.07],
      [37.96, 48.07],
    ]);
    const issues = checkGeometry(
      polygon(ring.map(([lon, lat]): Position => [lat, lon])),
      'zones[3].geometry',
      EXTENT,
    );
    assert.equal(issues.length, 1);
    assert.match(issues[0]?.reason ?? '', /appear swapped/);
  });

  it('keeps to ten issues of a kind and counts the rest', () => {
    const far = Array.from({ length: 15 }, (_, i): Position => [0, i]);
    const issues = checkGeometry(line([30, 50], ...far), 'l', EXTENT);
    assert.equal(issues.length, 11);
    assert.deepEqual(issues[10], {
      path: 'l',
      reason: 'and 5 more positions outside the area of application',
    });
  });
});
