import assert from 'node:assert/strict';
import { test } from 'node:test';
import { soundsMayMeet, type TimedDirected } from './associate.ts';
import { metresPerDegreeLon } from './local-frame.ts';

// Two arrays 20 km apart on an east–west line; a source 10 km north of their midpoint is 45° from the
// western one and 315° from the eastern one, and equally far from both: its sound reaches them together.
const RANGE_M = 45_000;
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
  assert.equal(soundsMayMeet(west, east(0, 315), RANGE_M, 0), true);
  assert.equal(soundsMayMeet(east(0, 315), west, RANGE_M, 0), true, 'either may be asked first');
});

test('directions that meet are not enough: the time difference must be one their overlap can give', () => {
  // Forty seconds apart is within what sound takes between the arrays (~61 s), but wherever the two
  // directions (± 3.5 σ) overlap, the source is about equally far from both.
  assert.equal(soundsMayMeet(west, east(40_000, 315), RANGE_M, 0), false);
  assert.equal(soundsMayMeet(west, east(-40_000, 315), RANGE_M, 0), false);
});

test('directions that do not overlap within hearing range are not one sound; without a direction, no test', () => {
  assert.equal(soundsMayMeet(west, east(0, 135), RANGE_M, 0), false, 'the eastern array points away');
  assert.equal(soundsMayMeet(west, east(40_000, undefined), RANGE_M, 0), true);
});
