import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bearingWedge, intersectBearings, type BearingObservation } from './bearings.ts';
import { mahalanobisDistance, seededNormal } from './gaussian.ts';
import { LocalFrame } from './local-frame.ts';
import { wgs84 } from '../agreement/geodesic.ts';

const frame = new LocalFrame(48, 37.8);
const target = frame.toGeo(2_000, 6_000);

/** The true azimuth (degrees) from an observer at local (e, n) to the target. */
function observe(east: number, north: number, extra: Partial<BearingObservation> = {}): BearingObservation {
  const at = frame.toGeo(east, north);
  const azimuth = wgs84.Inverse(at.lat, at.lon, target.lat, target.lon).azi1 ?? NaN;
  return { ...at, bearingDeg: azimuth, ...extra };
}

const distanceM = (a: { lat: number; lon: number }, b: { lat: number; lon: number }): number =>
  wgs84.Inverse(a.lat, a.lon, b.lat, b.lon).s12 ?? Infinity;

describe('intersectBearings', () => {
  it('recovers a known point from exact bearings', () => {
    const fix = intersectBearings([observe(-5_000, 0), observe(6_000, -1_000), observe(0, 12_000)]);
    assert.ok(fix.localised);
    assert.ok(distanceM(fix.position, target) < 0.5, String(distanceM(fix.position, target)));
    assert.equal(fix.degreesOfFreedom, 1);
    assert.ok(fix.chiSquare < 1e-6);
  });

  it('gives a long ellipse across two lines that cross at a shallow angle, a round one at right angles', () => {
    const shallow = intersectBearings([observe(-300, -8_000), observe(300, -8_000)]);
    const square = intersectBearings([observe(2_000, 0), observe(-4_000, 6_000)]);
    assert.ok(shallow.localised && square.localised);
    const ratio = (c: readonly [number, number, number]): number => {
      const m = (c[0] + c[2]) / 2;
      const h = Math.hypot((c[0] - c[2]) / 2, c[1]);
      return Math.sqrt((m + h) / (m - h));
    };
    assert.ok(ratio(shallow.position.covariance) > 5, String(ratio(shallow.position.covariance)));
    assert.ok(ratio(square.position.covariance) < 1.5, String(ratio(square.position.covariance)));
    // The shallow crossing is long north–south (along the lines).
    assert.ok(shallow.position.covariance[2] > 10 * shallow.position.covariance[0]);
  });

  it('states an honest covariance: about 95 % of noisy fixes hold the truth in their 95 % ellipse', () => {
    const normal = seededNormal(11);
    const observers: [number, number][] = [
      [-4_000, 0],
      [6_000, 1_000],
      [1_000, 12_000],
    ];
    let inside = 0;
    let fixes = 0;
    for (let trial = 0; trial < 1500; trial++) {
      const fix = intersectBearings(
        observers.map(([e, n]) => {
          const o = observe(e, n, { sigmaDeg: 3 });
          return { ...o, bearingDeg: o.bearingDeg + 3 * normal() };
        }),
      );
      if (!fix.localised) continue;
      fixes++;
      if (mahalanobisDistance(target, fix.position) ** 2 <= 5.991) inside++;
    }
    assert.ok(fixes >= 1490);
    const coverage = inside / fixes;
    assert.ok(coverage > 0.92 && coverage < 0.98, String(coverage));
  });

  it('uses a distance band to fix the point along a single other bearing', () => {
    const withBand = intersectBearings([
      observe(-5_000, 0, { distanceBandM: [8_000, 10_500] }),
      observe(-5_200, 300),
    ]);
    assert.ok(withBand.localised);
    assert.ok(distanceM(withBand.position, target) < 1_500);
    assert.equal(withBand.degreesOfFreedom, 1);
  });

  it('does not localise one bearing without distance, nor lines that do not meet in front of the observers', () => {
    assert.deepEqual(intersectBearings([]), { localised: false, reason: 'no-observations' });
    assert.deepEqual(intersectBearings([observe(0, 0)]), { localised: false, reason: 'no-distance' });
    const a = frame.toGeo(0, 0);
    const b = frame.toGeo(1_000, 0);
    // Both looking due south from a line, parallel: no crossing.
    const parallel = intersectBearings([
      { ...a, bearingDeg: 180 },
      { ...b, bearingDeg: 180 },
    ]);
    assert.equal(parallel.localised, false);
    // Diverging.
    const diverging = intersectBearings([
      { ...a, bearingDeg: 300 },
      { ...b, bearingDeg: 60 },
    ]);
    assert.equal(diverging.localised, false);
  });

  it('names the field of a bad observation', () => {
    assert.throws(() => intersectBearings([observe(0, 0, { sigmaDeg: 0 })]), /observations\[0\]\.sigmaDeg/);
    assert.throws(
      () => intersectBearings([observe(0, 0), observe(1, 1, { distanceBandM: [5, 2] })]),
      /observations\[1\]\.distanceBandM/,
    );
  });
});

describe('bearingWedge', () => {
  it('matches the moments of the wedge: along the bearing the band, across it range × bearing error', () => {
    const observer = frame.toGeo(0, 0);
    const wedge = bearingWedge({ ...observer, bearingDeg: 90, sigmaDeg: 10, distanceBandM: [4_000, 6_000] });
    const at = frame.toLocal(wedge.lat, wedge.lon);
    const s = (10 * Math.PI) / 180;
    // The mean sits just short of mid-band (the arc bends back), due east.
    assert.ok(Math.abs(at.east - 5_000 * Math.exp((-s * s) / 2)) < 1, String(at.east));
    assert.ok(Math.abs(at.north) < 1);
    // Across (north): E[r²]·(1 − e^{−2σ²})/2; along (east): about the band's variance plus a bending term.
    const er2 = (4_000 ** 2 + 4_000 * 6_000 + 6_000 ** 2) / 3;
    assert.ok(Math.abs(wedge.covariance[2] - (er2 * (1 - Math.exp(-2 * s * s))) / 2) < 1);
    assert.ok(wedge.covariance[0] > 2_000 ** 2 / 12 && wedge.covariance[0] < 2_000 ** 2 / 12 + 20_000);
    // Uncorrelated in the observer's axes; at the mean, 5 km east, the meridian has turned by ~0.05°.
    assert.ok(Math.abs(wedge.covariance[1]) < 0.002 * (wedge.covariance[2] - wedge.covariance[0]));
  });

  it('agrees with a Monte Carlo of the wedge', () => {
    const normal = seededNormal(3);
    const observer = frame.toGeo(0, 0);
    const wedge = bearingWedge({ ...observer, bearingDeg: 30, sigmaDeg: 12, distanceBandM: [1_000, 9_000] });
    const mean = frame.toLocal(wedge.lat, wedge.lon);
    let see = 0;
    let sen = 0;
    let snn = 0;
    let me = 0;
    let mn = 0;
    const n = 40_000;
    const samples: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      const r = 1_000 + 8_000 * ((i + 0.5) / n);
      const b = ((30 + 12 * normal()) * Math.PI) / 180;
      samples.push([r * Math.sin(b), r * Math.cos(b)]);
      me += r * Math.sin(b);
      mn += r * Math.cos(b);
    }
    me /= n;
    mn /= n;
    for (const [e, nn] of samples) {
      see += (e - me) ** 2;
      sen += (e - me) * (nn - mn);
      snn += (nn - mn) ** 2;
    }
    assert.ok(Math.hypot(mean.east - me, mean.north - mn) < 40);
    const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e5);
    assert.ok(rel(wedge.covariance[0], see / n) < 0.03, `${wedge.covariance[0]} vs ${see / n}`);
    assert.ok(rel(wedge.covariance[1], sen / n) < 0.03, `${wedge.covariance[1]} vs ${sen / n}`);
    assert.ok(rel(wedge.covariance[2], snn / n) < 0.03, `${wedge.covariance[2]} vs ${snn / n}`);
  });
});
