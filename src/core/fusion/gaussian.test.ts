import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  chiSquare2Quantile,
  chiSquareSurvival,
  combineByInformation,
  combineGaussianPoints,
  confidenceEllipse,
  insideEllipse,
  invert2,
  isInsideConfidenceEllipse,
  mahalanobisDistance,
  mahalanobisSquared,
  normalCdf,
  normalQuantile,
  quasiRandomDraws,
  seededNormal,
  seededUniform,
  type Covariance2,
} from './gaussian.ts';
import { LocalFrame } from './local-frame.ts';

const close = (actual: number, expected: number, tolerance: number, what = ''): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what} ${actual} vs ${expected}`);

/** A random positive-definite covariance from its axes (σ₁, σ₂) and orientation. */
const covariance = fc
  .record({
    s1: fc.double({ min: 1, max: 5000, noNaN: true }),
    s2: fc.double({ min: 1, max: 5000, noNaN: true }),
    angle: fc.double({ min: 0, max: Math.PI, noNaN: true }),
  })
  .map(({ s1, s2, angle }): Covariance2 => {
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    return [
      s1 * s1 * c * c + s2 * s2 * s * s,
      (s1 * s1 - s2 * s2) * c * s,
      s1 * s1 * s * s + s2 * s2 * c * c,
    ];
  });
const coordinate = fc.double({ min: -50_000, max: 50_000, noNaN: true });

describe('combineByInformation', () => {
  it('matches the closed form (P₁⁻¹ + P₂⁻¹)⁻¹ and P (P₁⁻¹x₁ + P₂⁻¹x₂) for two estimates', () => {
    fc.assert(
      fc.property(
        covariance,
        covariance,
        coordinate,
        coordinate,
        coordinate,
        coordinate,
        (c1, c2, e1, n1, e2, n2) => {
          const combined = combineByInformation([
            { east: e1, north: n1, covariance: c1 },
            { east: e2, north: n2, covariance: c2 },
          ]);
          // Closed form written out with Cramer's rule, independently of the implementation.
          const det1 = c1[0] * c1[2] - c1[1] ** 2;
          const det2 = c2[0] * c2[2] - c2[1] ** 2;
          const i1 = [c1[2] / det1, -c1[1] / det1, c1[0] / det1];
          const i2 = [c2[2] / det2, -c2[1] / det2, c2[0] / det2];
          const s = [(i1[0] ?? 0) + (i2[0] ?? 0), (i1[1] ?? 0) + (i2[1] ?? 0), (i1[2] ?? 0) + (i2[2] ?? 0)];
          const ds = (s[0] ?? 0) * (s[2] ?? 0) - (s[1] ?? 0) ** 2;
          const p = [(s[2] ?? 0) / ds, -(s[1] ?? 0) / ds, (s[0] ?? 0) / ds];
          const ve = (i1[0] ?? 0) * e1 + (i1[1] ?? 0) * n1 + (i2[0] ?? 0) * e2 + (i2[1] ?? 0) * n2;
          const vn = (i1[1] ?? 0) * e1 + (i1[2] ?? 0) * n1 + (i2[1] ?? 0) * e2 + (i2[2] ?? 0) * n2;
          const scale = Math.max(c1[0], c1[2], c2[0], c2[2]);
          for (let k = 0; k < 3; k++)
            close(combined.covariance[k] ?? NaN, p[k] ?? NaN, 1e-6 * scale, `P[${k}]`);
          close(combined.east, (p[0] ?? 0) * ve + (p[1] ?? 0) * vn, 1e-6 * (1 + Math.abs(e1) + Math.abs(e2)));
          close(
            combined.north,
            (p[1] ?? 0) * ve + (p[2] ?? 0) * vn,
            1e-6 * (1 + Math.abs(n1) + Math.abs(n2)),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('weights by information, not by averaging: a sharp estimate dominates a vague one', () => {
    const combined = combineByInformation([
      { east: 0, north: 0, covariance: [1, 0, 1] },
      { east: 1000, north: 1000, covariance: [10_000, 0, 10_000] },
    ]);
    close(combined.east, 1000 / 10_001, 1e-9);
    close(combined.covariance[0], 10_000 / 10_001, 1e-12);
  });

  it('crosses two elongated estimates into the small area where they agree', () => {
    // One long east–west, one long north–south: each fixes the other's weak axis.
    const combined = combineByInformation([
      { east: 0, north: 100, covariance: [1e6, 0, 100] },
      { east: 100, north: 0, covariance: [100, 0, 1e6] },
    ]);
    close(combined.east, 100, 0.02);
    close(combined.north, 100, 0.02);
    assert.ok(combined.covariance[0] < 100 && combined.covariance[2] < 100);
  });

  it('halves the covariance of an estimate combined with an independent copy of itself', () => {
    const c = combineByInformation([
      { east: 3, north: 4, covariance: [50, 10, 20] },
      { east: 3, north: 4, covariance: [50, 10, 20] },
    ]);
    assert.deepEqual(
      c.covariance.map((v) => Math.round(v * 1e9) / 1e9),
      [25, 5, 10],
    );
  });

  it('refuses an empty list and a covariance that is not positive definite', () => {
    assert.throws(() => combineByInformation([]), /at least one/);
    assert.throws(
      () => combineByInformation([{ east: 0, north: 0, covariance: [1, 2, 1] }]),
      /positive-definite/,
    );
    assert.throws(() => invert2([0, 0, 1]), /positive-definite/);
  });
});

describe('combineGaussianPoints', () => {
  it('combines geographic estimates in a common frame', () => {
    const frame = new LocalFrame(48, 37.8);
    const a = frame.toGaussianPoint(0, 2000, [4e6, 0, 2500]);
    const b = frame.toGaussianPoint(2000, 0, [2500, 0, 4e6]);
    const combined = combineGaussianPoints([a, b]);
    const at = frame.toLocal(combined.lat, combined.lon);
    close(at.east, 2000, 5);
    close(at.north, 2000, 5);
    assert.ok(combined.covariance[0] < 2500 && combined.covariance[2] < 2500);
  });
});

describe('ellipses and Mahalanobis distance', () => {
  it('gives the semi-axes and orientation of the p ellipse', () => {
    const e = confidenceEllipse([4, 0, 1], 0.95);
    close(e.semiMajorM, 2 * Math.sqrt(5.991464547), 1e-6);
    close(e.semiMinorM, Math.sqrt(5.991464547), 1e-6);
    close(e.majorAxisAzimuthDeg, 90, 1e-9, 'east–west major axis');
    close(confidenceEllipse([1, 0, 4], 0.95).majorAxisAzimuthDeg, 0, 1e-9, 'north–south');
    // Equal variances, positive correlation: the major axis runs north-east.
    close(confidenceEllipse([2, 1, 2], 0.5).majorAxisAzimuthDeg, 45, 1e-9, 'north-east');
    close(confidenceEllipse([2, -1, 2], 0.5).majorAxisAzimuthDeg, 135, 1e-9, 'south-east');
  });

  it('contains about p of seeded Gaussian draws', () => {
    const c: Covariance2 = [900, -500, 400];
    const normal = seededNormal(7);
    const l11 = Math.sqrt(c[0]);
    const l21 = c[1] / l11;
    const l22 = Math.sqrt(c[2] - l21 * l21);
    let inside = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const z1 = normal();
      const z2 = normal();
      if (insideEllipse(l11 * z1, l21 * z1 + l22 * z2, c, 0.95)) inside++;
    }
    close(inside / n, 0.95, 0.006);
  });

  it('measures a geographic point against an estimate', () => {
    const frame = new LocalFrame(48, 37.8);
    const estimate = frame.toGaussianPoint(0, 0, [100, 0, 10_000]);
    // 30 m east is 3 σ; 30 m north is 0.3 σ.
    close(mahalanobisDistance(frame.toGeo(30, 0), estimate), 3, 1e-4);
    close(mahalanobisDistance(frame.toGeo(0, 30), estimate), 0.3, 1e-5);
    assert.equal(isInsideConfidenceEllipse(frame.toGeo(0, 200), estimate, 0.95), true);
    assert.equal(isInsideConfidenceEllipse(frame.toGeo(30, 0), estimate, 0.95), false);
    close(mahalanobisSquared(1, 1, [1, 0.5, 1]), 2 / 1.5, 1e-12);
  });
});

describe('distributions', () => {
  it('inverts the normal distribution function', () => {
    for (const p of [1e-9, 0.001, 0.025, 0.3, 0.5, 0.9, 0.975, 0.999999])
      close(normalCdf(normalQuantile(p)), p, 2e-7 + p * 1e-6);
    close(normalQuantile(0.975), 1.959963985, 1e-8);
    close(normalCdf(-1), 0.158655254, 2e-7);
  });

  it('gives chi-square tail probabilities', () => {
    close(chiSquareSurvival(3.841458821, 1), 0.05, 1e-8);
    close(chiSquareSurvival(5.991464547, 2), 0.05, 1e-8);
    close(chiSquareSurvival(18.30703805, 10), 0.05, 1e-8);
    close(chiSquareSurvival(0.5, 3), 0.918891412, 1e-8);
    assert.equal(chiSquareSurvival(0, 4), 1);
    close(chiSquare2Quantile(0.95), 5.991464547, 1e-8);
  });

  it('draws the same seeded sequence every time, and different ones for different seeds', () => {
    const a = seededUniform(42);
    const b = seededUniform(42);
    const c = seededUniform(43);
    const first = Array.from({ length: 5 }, a);
    assert.deepEqual(first, Array.from({ length: 5 }, b));
    assert.notDeepEqual(first, Array.from({ length: 5 }, c));
    assert.ok(first.every((u) => u >= 0 && u < 1));
  });

  it('spreads quasi-random draws with the mean and covariance asked for', () => {
    const c: Covariance2 = [400, 150, 100];
    const draws = quasiRandomDraws({ east: 10, north: -5 }, c, 4096);
    const me = draws.reduce((s, d) => s + d.east, 0) / draws.length;
    const mn = draws.reduce((s, d) => s + d.north, 0) / draws.length;
    close(me, 10, 0.2);
    close(mn, -5, 0.2);
    const cee = draws.reduce((s, d) => s + (d.east - me) ** 2, 0) / draws.length;
    const cen = draws.reduce((s, d) => s + (d.east - me) * (d.north - mn), 0) / draws.length;
    const cnn = draws.reduce((s, d) => s + (d.north - mn) ** 2, 0) / draws.length;
    close(cee, 400, 8);
    close(cen, 150, 5);
    close(cnn, 100, 2);
  });
});
