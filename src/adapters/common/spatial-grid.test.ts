import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { spatialGrid } from './spatial-grid.ts';

const DAY = spatialGrid.dayMs;

it('puts the key of every point observed on a day inside that day’s range and outside its neighbours’', () => {
  fc.assert(
    fc.property(
      fc.double({ min: -90, max: 90, noNaN: true }),
      fc.double({ min: -180, max: 180, noNaN: true }),
      fc.integer({ min: 0, max: 40_000 * DAY }),
      (lat, lon, ms) => {
        const key = spatialGrid.keyOf(lat, lon, ms);
        const day = spatialGrid.dayOf(ms);
        const inside = ([low, beyond]: readonly [number, number]) => key >= low && key < beyond;
        assert.ok(inside(spatialGrid.dayRange(day, day)));
        assert.ok(inside(spatialGrid.dayRange(day - 3, day + 2)));
        assert.ok(!inside(spatialGrid.dayRange(day - 3, day - 1)));
        assert.ok(!inside(spatialGrid.dayRange(day + 1, day + 4)));
      },
    ),
  );
});

it('gives the keys covering a box over some days from inside those days’ range', () => {
  const box = { west: 37.05, south: 47.95, east: 38.25, north: 48.4 };
  const keys = spatialGrid.covering(box, 20_600, 20_602);
  const [low, beyond] = spatialGrid.dayRange(20_600, 20_602);
  assert.equal(keys.length, spatialGrid.countCovering(box, 20_600, 20_602));
  assert.ok(keys.every((k) => k >= low && k < beyond));
  assert.ok(keys.some((k) => k < spatialGrid.dayRange(20_601, 20_602)[0]));
});
