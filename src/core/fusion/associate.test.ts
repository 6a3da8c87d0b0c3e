import assert from 'node:assert/strict';
import { test } from 'node:test';
import { soundsMayMeet, type TimedDirected } from './associate.ts';
import { LocalFrame, METRES_PER_DEGREE_LAT, metresPerDegreeLon } from './local-frame.ts';

// Two arrays 20 km apart on an east–west line; a source 10 km north of their midpoint is 45° from the
// western one and 315° from the eastern one, and equally far from both: its sound reaches them together.
const RANGE_M = 45_000;
/** The engine's gate for a seed `p` and a later arrival `q`, in the seed's frame, with no slack. */
const mayMeet = (p: TimedDirected, q: TimedDirected): boolean =>
  soundsMayMeet(p, q, new LocalFrame(p.lat, p.lon), RANGE_M, 0);
const west: TimedDirected = { lat: 48, lon: 37, timeMs: 0, sigmaMs: 10, bearingDeg: 45, bearingSigmaDeg: 4 };
const east = (timeMs: number, bearingDeg: number | undefined): TimedDirected => ({
  lat: 48,
  lon: 37 + 20_000 / metresPerDegreeLon(48),
  timeMs,
  sigmaMs: 10,
  bearingDeg,
  bearingSigmaDeg: bearingDeg === undefined ? undefined : 4,
});

test('two arrivals whose directions meet where the source could give their time difference may be one sound', () => {
  assert.equal(mayMeet(west, east(0, 315)), true);
  assert.equal(mayMeet(east(0, 315), west), true, 'either may be asked first');
});

test('directions that meet are not enough: the time difference must be one their overlap can give', () => {
  // Forty seconds apart is within what sound takes between the arrays (~61 s), but wherever the two
  // directions (± 3.5 σ) overlap, the source is about equally far from both.
  assert.equal(mayMeet(west, east(40_000, 315)), false);
  assert.equal(mayMeet(west, east(-40_000, 315)), false);
});

test('directions that do not overlap within hearing range are not one sound; without a direction, no test', () => {
  assert.equal(mayMeet(west, east(0, 135)), false, 'the eastern array points away');
  assert.equal(mayMeet(west, east(40_000, undefined)), true);
});

test('a direction too uncertain to be a wedge (± 3.5 σ of a quarter turn or more) bounds no time difference', () => {
  // The array to the east points at a source 1 km west of it (264°); the western array, 10 km away and
  // 500 m further north, reports 0° ± 30°: the source, at 94° from it, is within its 3.5 σ. Its sound
  // reaches the western array 23.6 s after the eastern one.
  const eastern: TimedDirected = {
    lat: 48 - 500 / METRES_PER_DEGREE_LAT,
    lon: 37 + 10_000 / metresPerDegreeLon(48),
    timeMs: 0,
    sigmaMs: 10,
    bearingDeg: 264,
    bearingSigmaDeg: 0.86,
  };
  const western: TimedDirected = { ...west, timeMs: 23_600, bearingDeg: 0, bearingSigmaDeg: 30 };
  assert.equal(mayMeet(eastern, western), true);
});
