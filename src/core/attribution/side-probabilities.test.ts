import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixtureText, shippedText } from '../../../test/fixtures/agreements/load.ts';
import { wgs84 } from '../agreement/geodesic.ts';
import {
  getTermsInForce,
  parseAgreement,
  type AreaGeometry,
  type Position,
  type Terms,
} from '../agreement/index.ts';
import { isTrucelineError } from '../errors.ts';
import type { GaussianPoint } from '../fusion/event.ts';
import { normalCdf } from './normal.ts';
import { sideProbabilities, sideProbability } from './side-probabilities.ts';
import { circular, offsetFromSegment, quasiRandomShares, stepFrom } from './test-support.ts';

const termsOf = (text: string, iso: string): Terms => {
  const { agreement } = parseAgreement(text, 'yaml');
  assert.ok(agreement);
  return getTermsInForce(agreement, Date.parse(iso));
};
const donbas = termsOf(shippedText('donbas-2015'), '2020-01-01T00:00:00Z');
const paris = termsOf(shippedText('paris-2026-illustrative'), '2026-06-01T00:00:00Z');
const fixture = termsOf(fixtureText('per-party-lines.yaml'), '2026-06-01T00:00:00Z');

type SyntheticTerms = Pick<Terms, 'parties' | 'sides'>;
const names = { en: 'x', uk: 'x', ru: 'x' };
const synthetic = (sides: Record<string, AreaGeometry>): SyntheticTerms => ({
  parties: Object.keys(sides).map((id) => ({ id, names })),
  sides: Object.entries(sides).map(([party, geometry]) => ({ party, geometry })),
});
const ring = (west: number, south: number, east: number, north: number): Position[] => [
  [west, south],
  [east, south],
  [east, north],
  [west, north],
  [west, south],
];

/** Metres per degree of longitude and latitude at a place, measured on the ellipsoid. */
function metresPerDegree(lat: number, lon: number): { east: number; north: number } {
  return {
    east: (wgs84.Inverse(lat, lon, lat, lon + 1e-3).s12 ?? 0) / 1e-3,
    north: (wgs84.Inverse(lat, lon, lat + 1e-3, lon).s12 ?? 0) / 1e-3,
  };
}

/** The mass of a circular Gaussian over a longitude/latitude rectangle: a product of two Φ differences. */
function rectangleMass(point: GaussianPoint, box: readonly [number, number, number, number]): number {
  const sigma = Math.sqrt(point.covariance[0]);
  const k = metresPerDegree(point.lat, point.lon);
  const along = (lo: number, hi: number, at: number, scale: number): number =>
    normalCdf(((hi - at) * scale) / sigma) - normalCdf(((lo - at) * scale) / sigma);
  return along(box[0], box[2], point.lon, k.east) * along(box[1], box[3], point.lat, k.north);
}

describe('sideProbabilities against exact answers', () => {
  const box = [38.0, 48.0, 38.2, 48.1] as const;
  const square = synthetic({ a: { type: 'Polygon', coordinates: [ring(...box)] } });

  it('integrates a circular Gaussian over a rectangle near its corner, inside and outside', () => {
    for (const point of [
      circular({ lat: 48.004, lon: 38.006 }, 600),
      circular({ lat: 47.998, lon: 37.995 }, 500),
      circular({ lat: 48.099, lon: 38.19 }, 900),
    ]) {
      const result = sideProbabilities(square, point);
      assert.equal(result.method, 'integrated');
      const expected = rectangleMass(point, box);
      assert.ok(
        Math.abs((result.probabilities.a ?? 0) - expected) < 1e-4,
        `${result.probabilities.a} vs ${expected}`,
      );
      assert.ok(Math.abs(result.nobodyProbability - (1 - expected)) < 1e-4);
    }
  });

  it('gives the same answer when a ring runs the wrong way round', () => {
    const clockwise = synthetic({ a: { type: 'Polygon', coordinates: [ring(...box).reverse()] } });
    const point = circular({ lat: 48.004, lon: 38.006 }, 600);
    const a = sideProbabilities(square, point).probabilities.a ?? 0;
    assert.ok(Math.abs((sideProbabilities(clockwise, point).probabilities.a ?? 0) - a) < 1e-12);
  });

  it('leaves out a hole: a point in a hole is in the side only by what spills over the hole’s edge', () => {
    const hole = [38.09, 48.04, 38.11, 48.06] as const;
    const withHole = synthetic({
      a: { type: 'Polygon', coordinates: [ring(...box), ring(...hole).reverse()] },
    });
    const point = circular({ lat: 48.05, lon: 38.1 }, 400);
    const expected = 1 - rectangleMass(point, hole);
    assert.ok(expected > 0.01 && expected < 0.5);
    assert.ok(Math.abs(sideProbability(withHole, 'a', point) - expected) < 1e-4);
  });

  it('uses Φ(d/σ) across one straight shared edge, and gives each side its share', () => {
    const halves = synthetic({
      west: { type: 'Polygon', coordinates: [ring(37.9, 48.0, 38.0, 48.1)] },
      east: { type: 'Polygon', coordinates: [ring(38.0, 48.0, 38.1, 48.1)] },
    });
    const point = circular({ lat: 48.05, lon: 37.999 }, 100);
    const result = sideProbabilities(halves, point);
    assert.equal(result.method, 'closed-form');
    const d = 0.001 * metresPerDegree(48.05, 37.999).east;
    assert.ok(Math.abs((result.probabilities.west ?? 0) - normalCdf(d / 100)) < 1e-5);
    assert.ok(Math.abs((result.probabilities.east ?? 0) - normalCdf(-d / 100)) < 1e-5);
  });

  it('gives a circular Gaussian centred on a vertex the share of the angle of each side', () => {
    // per-party-lines: alpha's side meets the bend [38.1, 48.2] in a wedge of 143.3°.
    const north = (wgs84.Inverse(48.2, 38.1, 48.35, 38.05).azi1 ?? 0) + 360;
    const south = (wgs84.Inverse(48.2, 38.1, 47.9, 37.9).azi1 ?? 0) + 360;
    const result = sideProbabilities(fixture, circular({ lat: 48.2, lon: 38.1 }, 100));
    assert.ok(Math.abs((result.probabilities.alpha ?? 0) - (north - south) / 360) < 1e-3);
    assert.ok(Math.abs((result.probabilities.bravo ?? 0) - (1 - (north - south) / 360)) < 1e-3);
  });

  it('treats an exact point (zero covariance) as the side that holds it', () => {
    const exact = { lat: 48.05, lon: 38.1, covariance: [0, 0, 0] as const };
    assert.deepEqual(sideProbabilities(square, exact).probabilities, { a: 1 });
    assert.equal(sideProbabilities(square, { ...exact, lon: 38.3 }).nobodyProbability, 1);
  });
});

describe('sideProbabilities against sampling', () => {
  it('the closed form on a straight stretch agrees with quasi-random sampling within 1e-3', () => {
    const line = donbas.referenceLines[0]?.geometry.coordinates ?? [];
    for (const [segment, offset] of [
      [17, 350],
      [18, -500],
      [2, 200],
    ] as const) {
      const a = line[segment];
      const b = line[segment + 1];
      assert.ok(a && b);
      const point = circular(offsetFromSegment(a, b, 0.5, offset), 700);
      const result = sideProbabilities(donbas, point);
      assert.equal(result.method, 'closed-form');
      const sampled = quasiRandomShares(donbas, point);
      for (const party of ['ua', 'ru-af'])
        assert.ok(Math.abs((result.probabilities[party] ?? 0) - (sampled.get(party) ?? 0)) < 1e-3);
    }
  });

  it('the integral near bends, with tilted ellipses, agrees with quasi-random sampling within 1e-3', () => {
    const cases: [Pick<Terms, 'parties' | 'sides'>, GaussianPoint][] = [
      [fixture, { ...stepFrom(48.2, 38.1, 100, 900), covariance: [900 ** 2, 300_000, 500 ** 2] }],
      [paris, { ...stepFrom(48.85, 38.15, 240, 2000), covariance: [2500 ** 2, -1_500_000, 1200 ** 2] }],
      [donbas, { ...stepFrom(48.33, 37.9, 180, 500), covariance: [1500 ** 2, 0, 1500 ** 2] }],
      [paris, { lat: 46.55, lon: 31.6, covariance: [3000 ** 2, 0, 3000 ** 2] }], // the Dnipro mouth: water
    ];
    for (const [terms, point] of cases) {
      const result = sideProbabilities(terms, point);
      assert.equal(result.method, 'integrated');
      const sampled = quasiRandomShares(terms, point);
      for (const party of terms.parties.map((p) => p.id))
        assert.ok(
          Math.abs((result.probabilities[party] ?? 0) - (sampled.get(party) ?? 0)) < 1e-3,
          `${party}: ${result.probabilities[party]} vs ${sampled.get(party)}`,
        );
      assert.ok(Math.abs(result.nobodyProbability - (sampled.get(null) ?? 0)) < 1e-3);
    }
  });

  it('handles an ellipse wider than many cells of the index', () => {
    const point = circular({ lat: 47.8, lon: 37.6 }, 20_000);
    const result = sideProbabilities(donbas, point);
    const sampled = quasiRandomShares(donbas, point);
    for (const party of ['ua', 'ru-af'])
      assert.ok(Math.abs((result.probabilities[party] ?? 0) - (sampled.get(party) ?? 0)) < 2e-3);
    assert.ok(Math.abs(result.nobodyProbability - (sampled.get(null) ?? 0)) < 2e-3);
  });
});

describe('sideProbabilities input', () => {
  const check = (point: GaussianPoint, path: string): void =>
    assert.throws(
      () => sideProbabilities(donbas, point),
      (error: unknown) =>
        isTrucelineError(error) && error.code === 'E_VALIDATION' && error.issues.some((i) => i.path === path),
    );

  it('refuses a covariance that is not one, and a position that is not one, naming the field', () => {
    check({ lat: 48, lon: 37.6, covariance: [-1, 0, 100] }, 'covariance');
    check({ lat: 48, lon: 37.6, covariance: [100, 200, 100] }, 'covariance');
    check({ lat: 48, lon: 37.6, covariance: [100, 0, Number.NaN] }, 'covariance');
    check({ lat: 91, lon: 37.6, covariance: [100, 0, 100] }, 'lat');
    check({ lat: 48, lon: Number.POSITIVE_INFINITY, covariance: [100, 0, 100] }, 'lon');
  });

  it('answers 0 for a party without a side', () => {
    assert.equal(sideProbability(donbas, 'nobody-at-all', circular({ lat: 48, lon: 37.6 }, 100)), 0);
  });
});
