import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Arrival } from './engine.ts';
import { MIN_TRUSTED_ARRIVALS, fitArrivals } from './fit-arrivals.ts';
import { LocalFrame } from './local-frame.ts';

const frame = new LocalFrame(48.3, 38.0);
const START_MS = Date.parse('2020-07-28T10:00:00Z');

/**
 * Arrivals at `count` sensors on a ring of 6–14 km around the scenario's origin, sound at 340 m/s, a
 * few milliseconds of fixed jitter, the earliest first (the seed). Sensor i hears the round
 * `roundOf(i)`: by default one source at the origin, emitting at the start.
 */
function heardBy(
  count: number,
  roundOf: (i: number) => { east: number; north: number; atMs: number } = () => ({
    east: 0,
    north: 0,
    atMs: START_MS,
  }),
): Arrival[] {
  const arrivals = Array.from({ length: count }, (_, i): Arrival => {
    const angle = (i / count) * 2 * Math.PI + 0.3;
    const radius = 6_000 + (i % 3) * 4_000;
    const east = radius * Math.sin(angle);
    const north = radius * Math.cos(angle);
    const { lat, lon } = frame.toGeo(east, north);
    const round = roundOf(i);
    const travelMs = (Math.hypot(east - round.east, north - round.north) / 340) * 1000;
    const timeMs = round.atMs + travelMs + ((i * 7) % 11) - 5;
    const record = {
      id: `a-${i}`,
      sourceId: `ac-${i}`,
      kind: 'acoustic',
      observedAt: new Date(Math.round(timeMs)).toISOString(),
      timeUncertaintyMs: 10,
      location: { lat, lon, ceM: 5 },
      payload: { signal: 'launch' },
    } as const;
    return {
      input: {
        seq: i + 1,
        sourceId: record.sourceId,
        recordId: record.id,
        observedAtMs: timeMs,
        timeUncertaintyMs: 10,
        record,
      },
      lat,
      lon,
      signal: 'launch',
      timeMs,
      sigmaMs: 10,
    };
  });
  return arrivals.sort((a, b) => a.timeMs - b.timeMs);
}

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
