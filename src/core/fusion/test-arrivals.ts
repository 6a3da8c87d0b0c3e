/** @module Test support: acoustic arrivals of known sources on a ring of sensors, as the engine takes them. */
import type { Arrival } from './engine.ts';
import { fusionInputOfRecord } from './inputs.ts';
import { LocalFrame } from './local-frame.ts';

/** The frame the arrivals are laid out in; the source is at its origin by default. */
export const TEST_FRAME = new LocalFrame(48.3, 38.0);
const frame = TEST_FRAME;
export const START_MS = Date.parse('2020-07-28T10:00:00Z');

/**
 * Arrivals at `count` sensors on a ring of 6–14 km around the scenario's origin, sound at 340 m/s, a
 * few milliseconds of fixed jitter, the earliest first (the seed). Sensor i hears the round
 * `roundOf(i)`: by default one source at the origin, emitting at the start.
 */
export function heardBy(
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
      // The arrival's time unrounded, as a sensor's own clock would give it.
      input: { ...fusionInputOfRecord(record, i + 1), observedAtMs: timeMs },
      lat,
      lon,
      signal: 'launch',
      timeMs,
      sigmaMs: 10,
    };
  });
  return arrivals.sort((a, b) => a.timeMs - b.timeMs);
}
