import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fixtureText, shippedText } from '../../../test/fixtures/agreements/load.ts';
import { isTrucelineError } from '../errors.ts';
import { distanceToLineKm, findReferenceLine } from './distance-to-line.ts';
import { wgs84 } from './geodesic.ts';
import { parseAgreement } from './parse-agreement.ts';
import { polylineDistance } from './polyline-distance.ts';
import type { Position } from './schema.ts';
import type { Terms } from './terms.ts';
import { termsInForce } from './terms-in-force.ts';

const termsOf = (text: string): Terms => {
  const { agreement } = parseAgreement(text, 'yaml');
  assert.ok(agreement);
  const terms = termsInForce(agreement, Date.parse('2026-06-01T00:00:00Z'));
  assert.ok(terms);
  return terms;
};
const fixture = termsOf(fixtureText('per-party-lines.yaml'));
const paris = termsOf(shippedText('paris-2026-illustrative'));
const front = paris.referenceLines[0]?.geometry.coordinates ?? [];

const geodesicKm = (lat1: number, lon1: number, lat2: number, lon2: number): number =>
  (wgs84.Inverse(lat1, lon1, lat2, lon2).s12 ?? NaN) / 1000;

/** The nearest of `samples` points spaced evenly along every geodesic segment: never nearer than the truth. */
function sampledKm(line: readonly Position[], lat: number, lon: number, samples: number): number {
  let best = Infinity;
  for (let i = 0; i + 1 < line.length; i++) {
    const a = line[i];
    const b = line[i + 1];
    if (a === undefined || b === undefined) continue;
    const segment = wgs84.InverseLine(a[1], a[0], b[1], b[0]);
    for (let k = 0; k <= samples; k++) {
      const p = segment.Position((segment.s13 * k) / samples);
      best = Math.min(best, geodesicKm(lat, lon, p.lat2 ?? 0, p.lon2 ?? 0));
    }
  }
  return best;
}

describe('polylineDistance', () => {
  it('measures from the equator along a meridian, as the geodesic from the foot of the perpendicular', () => {
    // By symmetry the nearest point of an arc of the equator to (1°, 5°) is (0°, 5°).
    const equator: Position[] = [
      [0, 0],
      [10, 0],
    ];
    const found = polylineDistance(equator, 1, 5);
    assert.ok(Math.abs(found.distanceKm - geodesicKm(1, 5, 0, 5)) < 1e-9);
    assert.ok(Math.abs(found.lon - 5) < 1e-9 && Math.abs(found.lat) < 1e-9);
  });

  it('measures to the nearer end for a point beyond the end of the line', () => {
    const found = polylineDistance(front, 46.3, 30.9); // south-west of the Dnipro mouth end
    const end = front[front.length - 1];
    assert.ok(end);
    assert.ok(Math.abs(found.distanceKm - geodesicKm(46.3, 30.9, end[1], end[0])) < 1e-9);
    assert.equal(found.segment, front.length - 2);
  });

  it('is zero on the line (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: front.length - 2 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (i, t) => {
          const a = front[i];
          const b = front[i + 1];
          if (a === undefined || b === undefined) return false;
          const segment = wgs84.InverseLine(a[1], a[0], b[1], b[0]);
          const p = segment.Position(segment.s13 * t);
          return polylineDistance(front, p.lat2 ?? 0, p.lon2 ?? 0).distanceKm < 1e-6;
        },
      ),
    );
  });

  it('is never more than the distance to dense samples of the line, nor less by more than their spacing allows (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 44, max: 52, noNaN: true }),
        fc.double({ min: 28, max: 41, noNaN: true }),
        (lat, lon) => {
          const exact = polylineDistance(front, lat, lon);
          const sampled = sampledKm(front, lat, lon, 400);
          // Samples are at most ~0.4 km apart: the nearest is at most ~0.2 km along the line from the truth.
          return exact.distanceKm <= sampled + 1e-9 && sampled - exact.distanceKm < 0.21;
        },
      ),
      { numRuns: 40 },
    );
  });

  it('does not depend on the direction the line is written in (property)', () => {
    const reversed = [...front].reverse();
    fc.assert(
      fc.property(
        fc.double({ min: 44, max: 52, noNaN: true }),
        fc.double({ min: 28, max: 41, noNaN: true }),
        (lat, lon) =>
          Math.abs(
            polylineDistance(front, lat, lon).distanceKm - polylineDistance(reversed, lat, lon).distanceKm,
          ) < 1e-6,
      ),
    );
  });

  it('gives the nearest point, which lies at the reported distance', () => {
    const found = polylineDistance(front, 48.0, 36.0);
    assert.ok(Math.abs(geodesicKm(48.0, 36.0, found.lat, found.lon) - found.distanceKm) < 1e-9);
  });
});

describe('distanceToLineKm', () => {
  it('measures each party from its own reference line', () => {
    // Bravo's line runs 0.05° of longitude east of alpha's: a point far east is about 3.7 km nearer to it.
    const alpha = distanceToLineKm(fixture, 'alpha', 48.0, 38.8);
    const bravo = distanceToLineKm(fixture, 'bravo', 48.0, 38.8);
    assert.ok(alpha - bravo > 3.3 && alpha - bravo < 3.8, `${alpha} vs ${bravo}`);
    assert.equal(
      bravo,
      polylineDistance(findReferenceLine(fixture, 'bravo')?.geometry.coordinates ?? [], 48.0, 38.8)
        .distanceKm,
    );
  });

  /** The point `km` from the middle of segment i, along the geodesic perpendicular to it (left: +90°). */
  const perpendicular = (i: number, turn: 90 | -90, km: number): { lat: number; lon: number } => {
    const a = front[i];
    const b = front[i + 1];
    assert.ok(a && b);
    const segment = wgs84.InverseLine(a[1], a[0], b[1], b[0]);
    const middle = segment.Position(segment.s13 / 2);
    const p = wgs84.Direct(middle.lat2 ?? 0, middle.lon2 ?? 0, (middle.azi2 ?? 0) + turn, km * 1000);
    return { lat: p.lat2 ?? 0, lon: p.lon2 ?? 0 };
  };

  it('finds a weapon 1 km inside a 50 km zone and not one 1 km outside it', () => {
    // Near Huliaipole the line is straight enough that the perpendicular from its middle is the shortest way.
    for (const turn of [90, -90] as const) {
      const inside = perpendicular(10, turn, 49);
      const outside = perpendicular(10, turn, 51);
      const dInside = distanceToLineKm(paris, 'ru', inside.lat, inside.lon);
      const dOutside = distanceToLineKm(paris, 'ru', outside.lat, outside.lon);
      assert.ok(Math.abs(dInside - 49) < 1e-6 && Math.abs(dOutside - 51) < 1e-6, `${dInside} / ${dOutside}`);
      assert.ok(dInside < 50 && dOutside > 50);
    }
  });

  it('is never more than the distance along a perpendicular to any segment (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: front.length - 2 }),
        fc.constantFrom(90 as const, -90 as const),
        fc.double({ min: 0.1, max: 200, noNaN: true }),
        (i, turn, km) => {
          const p = perpendicular(i, turn, km);
          return distanceToLineKm(paris, 'ua', p.lat, p.lon) <= km + 1e-9;
        },
      ),
    );
  });

  it('throws E_NOT_FOUND for a party without a reference line', () => {
    assert.throws(
      () => distanceToLineKm(fixture, 'charlie', 48, 38),
      (error) => isTrucelineError(error) && error.code === 'E_NOT_FOUND',
    );
  });
});
