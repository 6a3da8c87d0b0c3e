import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MIN_TRUSTED_ARRIVALS, fitArrivals } from './fit-arrivals.ts';
import { heardBy, START_MS, TEST_FRAME as frame } from './test-arrivals.ts';

const distanceFromSourceM = (point: { lat: number; lon: number }): number => {
  const p = frame.toLocal(point.lat, point.lon);
  return Math.hypot(p.east, p.north);
};

test('a source heard by fewer arrivals than the trust rule asks is placed but claims no point of origin', () => {
  for (const count of [6, MIN_TRUSTED_ARRIVALS - 1]) {
    const fit = fitArrivals(heardBy(count));
    assert.ok(fit, `${count} arrivals of one source must localise`);
    assert.equal(fit.inliers.length, count);
    assert.ok(distanceFromSourceM(fit.location) < 500, `${count} arrivals: the fix is far from the source`);
    assert.equal(fit.trusted, false, `${count} arrivals fit exactly whatever their origin: not trusted`);
  }
});

test('a source heard by enough arrivals to show a coincidence in the fit is trusted', () => {
  const fit = fitArrivals(heardBy(MIN_TRUSTED_ARRIVALS));
  assert.ok(fit);
  assert.equal(fit.inliers.length, MIN_TRUSTED_ARRIVALS);
  assert.ok(distanceFromSourceM(fit.location) < 300);
  assert.equal(fit.trusted, true);
});

test('arrivals of two rounds of one battery, seconds apart, do not make a trusted point of origin', () => {
  for (const count of [8, 10, 12])
    for (const gapMs of [1_000, 3_000, 8_000]) {
      // Every other sensor heard the second round, fired from 200 m away.
      const fit = fitArrivals(
        heardBy(count, (i) =>
          i % 2 === 0
            ? { east: 0, north: 0, atMs: START_MS }
            : { east: 200, north: 0, atMs: START_MS + gapMs },
        ),
      );
      assert.notEqual(fit?.trusted, true, `${count} arrivals, rounds ${gapMs} ms apart, claimed an origin`);
    }
});
