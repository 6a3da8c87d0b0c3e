import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { normalCdf, owensT } from './normal.ts';

/** T(h, a) by composite Simpson's rule on its defining integral: slow, simple, independent. */
function owensTSimpson(h: number, a: number, steps = 20_000): number {
  const dx = a / steps;
  let sum = 0;
  for (let i = 0; i <= steps; i++) {
    const x = i * dx;
    const f = Math.exp((-h * h * (1 + x * x)) / 2) / (1 + x * x);
    sum += (i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2) * f;
  }
  return (sum * dx) / 3 / (2 * Math.PI);
}

describe('normalCdf', () => {
  it('gives the quantiles of the standard normal', () => {
    assert.equal(normalCdf(0), 0.5);
    assert.ok(Math.abs(normalCdf(1.959963984540054) - 0.975) < 1e-14);
    assert.ok(Math.abs(normalCdf(2.3263478740408408) - 0.99) < 1e-14);
    assert.ok(Math.abs(normalCdf(-5) - 2.866515718791939e-7) < 1e-15); // absolute: what a probability needs
    assert.equal(normalCdf(-40), 0);
    assert.equal(normalCdf(40), 1);
  });

  it('is symmetric: Φ(x) + Φ(−x) = 1 (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -12, max: 12, noNaN: true }), (x) => {
        return Math.abs(normalCdf(x) + normalCdf(-x) - 1) < 1e-14;
      }),
    );
  });
});

describe("owensT (Owen's T function)", () => {
  it('matches a published value and the direct integral', () => {
    // Patefield & Tandy (2000), table of test values: T(0.0625, 0.25) = 0.0389119302347013668966…
    assert.ok(Math.abs(owensT(0.0625, 0.25) - 0.03891193023470137) < 1e-15);
    for (const [h, a] of [
      [0, 0.5],
      [0.3, 0.9],
      [1, 1],
      [0.5, 3],
      [2, 10],
      [3, 1.5],
      [6, 0.4],
      [0.01, 100],
      [5.5, 2.5],
    ] as const)
      assert.ok(Math.abs(owensT(h, a) - owensTSimpson(h, a)) < 1e-12, `T(${h}, ${a})`);
  });

  it('gives T(h, ∞) = Φ(−|h|)/2 and T(0, a) = atan(a)/2π', () => {
    for (const h of [0, 0.5, 1, 2.5, 5]) assert.ok(Math.abs(owensT(h, Infinity) - normalCdf(-h) / 2) < 1e-16);
    for (const a of [0.2, 1, 4, 50]) assert.ok(Math.abs(owensT(0, a) - Math.atan(a) / (2 * Math.PI)) < 1e-14);
  });

  it('is even in h, odd in a, and increasing in a (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 8, noNaN: true }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        (h, a, b) => {
          const [lo, hi] = a < b ? [a, b] : [b, a];
          return (
            owensT(-h, a) === owensT(h, a) &&
            owensT(h, -a) === -owensT(h, a) &&
            owensT(h, hi) - owensT(h, lo) >= -1e-16
          );
        },
      ),
    );
  });

  it('agrees with the direct integral across both branches (a ≤ 1 and a > 1, property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 7, noNaN: true }),
        fc.double({ min: 0.01, max: 20, noNaN: true }),
        (h, a) => Math.abs(owensT(h, a) - owensTSimpson(h, a, 4000)) < 1e-9,
      ),
      { numRuns: 60 },
    );
  });
});
