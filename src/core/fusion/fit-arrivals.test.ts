import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Arrival, ArrivalFit, GroupFits } from './engine.ts';
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

test('four arrival times that fit one source make no event when the arrays point elsewhere', () => {
  const placed = fitArrivals(heardBy(4, undefined, { directions: true, levels: true }));
  assert.ok(placed, 'four arrivals pointing at their source must be placed');
  assert.equal(placed.inliers.length, 4);
  assert.ok(distanceFromSourceM(placed.location) < 500);
  // The same times, each array hearing the sound from 60° off the source: no one source made them.
  const turned = heardBy(4, undefined, { directions: (_, deg) => (deg + 60) % 360, levels: true });
  assert.equal(fitArrivals(turned), null);
});

test('arrivals whose levels cannot fall off from one source make no event', () => {
  // The times and directions of one source, but every other array hears it 15 dB louder than its
  // range allows: of five, three agree, too few to place anything.
  const loud = heardBy(5, undefined, { directions: true, levels: (i, db) => (i % 2 === 1 ? db + 15 : db) });
  assert.equal(fitArrivals(loud), null);
  assert.ok(fitArrivals(heardBy(5, undefined, { directions: true, levels: true })));
});

test('a seed that fits a larger phantom group in time alone goes with the arrays that point at its source', () => {
  const sensorOf = (a: { input: { sourceId: string } }): number => Number(a.input.sourceId.slice(3));
  // The source at the origin, heard by arrays 0–3.
  const real = heardBy(8, undefined, { directions: true, levels: true }).filter((a) => sensorOf(a) < 4);
  const seed = real[0];
  assert.ok(seed);
  // Arrays 4–7 hear sounds timed exactly as from a point 7 km away that also explains the seed: in
  // time, five arrivals of one phantom beat four of the real source. Their directions point 90° off.
  const phantom = { east: 5_000, north: 5_000 };
  const s = frame.toLocal(seed.lat, seed.lon);
  const atMs = seed.timeMs - (Math.hypot(s.east - phantom.east, s.north - phantom.north) / 340) * 1000;
  const decoys = heardBy(8, () => ({ ...phantom, atMs }), {
    directions: (_, deg) => (deg + 90) % 360,
  }).filter((a) => sensorOf(a) >= 4);
  const fit = fitArrivals([...real, ...decoys].sort((a, b) => a.timeMs - b.timeMs));
  assert.ok(fit);
  assert.deepEqual(fit.inliers.map(sensorOf).sort(), [0, 1, 2, 3]);
  assert.ok(distanceFromSourceM(fit.location) < 500);
});

test('a group whose fit is held is not fitted again, and the fits made are handed to the holder', () => {
  const candidates = heardBy(MIN_TRUSTED_ARRIVALS);
  const held = new Map<string, ArrivalFit | null>();
  const keyOf = (group: readonly Arrival[]): string => group.map((a) => a.input.seq).join(',');
  const groupFits: GroupFits = {
    get: (group) => held.get(keyOf(group)),
    set: (group, fit) => held.set(keyOf(group), fit),
  };
  const fresh = fitArrivals(candidates);
  assert.deepEqual(fitArrivals(candidates, groupFits), fresh, 'holding fits changes no answer');
  assert.ok(held.size >= 1);
  // Every held fit doctored: the answer is the holder's, so nothing was fitted again.
  for (const [key, fit] of held) if (fit !== null) held.set(key, { ...fit, timeMs: fit.timeMs + 1_234 });
  assert.equal(fitArrivals(candidates, groupFits)?.timeMs, (fresh?.timeMs ?? 0) + 1_234);
});
