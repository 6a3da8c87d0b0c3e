/** @module Test support: acoustic arrivals of known sources on a ring of sensors, as the engine takes them. */
import type { Arrival } from './engine.ts';
import { fusionInputOfRecord } from './inputs.ts';
import { LocalFrame } from './local-frame.ts';
import { spreadingLossDb } from './propagation.ts';

/** The frame the arrivals are laid out in; the source is at its origin by default. */
export const TEST_FRAME = new LocalFrame(48.3, 38.0);
const frame = TEST_FRAME;
export const START_MS = Date.parse('2020-07-28T10:00:00Z');

/** What the sensors report besides the time: by default nothing. */
export interface HeardOptions {
  /** Each array's direction of arrival, degrees (4° σ stated): by default the true one. */
  readonly directions?: boolean | ((i: number, trueDeg: number) => number);
  /** Each arrival's level, dB: by default a source of 45 dB at 1 km, spreading spherically. */
  readonly levels?: boolean | ((i: number, trueDb: number) => number);
}

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
  options: HeardOptions = {},
): Arrival[] {
  const arrivals = Array.from({ length: count }, (_, i): Arrival => {
    const angle = (i / count) * 2 * Math.PI + 0.3;
    const radius = 6_000 + (i % 3) * 4_000;
    const east = radius * Math.sin(angle);
    const north = radius * Math.cos(angle);
    const { lat, lon } = frame.toGeo(east, north);
    const round = roundOf(i);
    const rangeM = Math.hypot(east - round.east, north - round.north);
    const travelMs = (rangeM / 340) * 1000;
    const trueDeg = ((Math.atan2(round.east - east, round.north - north) * 180) / Math.PI + 360) % 360;
    const trueDb = 45 - spreadingLossDb(rangeM);
    const { directions, levels } = options;
    const bearingDeg =
      directions === undefined || directions === false
        ? undefined
        : directions === true
          ? trueDeg
          : directions(i, trueDeg);
    const snrDb =
      levels === undefined || levels === false ? undefined : levels === true ? trueDb : levels(i, trueDb);
    const timeMs = round.atMs + travelMs + ((i * 7) % 11) - 5;
    const record = {
      id: `a-${i}`,
      sourceId: `ac-${i}`,
      kind: 'acoustic',
      observedAt: new Date(Math.round(timeMs)).toISOString(),
      timeUncertaintyMs: 10,
      location: { lat, lon, ceM: 5 },
      payload: {
        signal: 'launch',
        ...(snrDb === undefined ? {} : { snrDb }),
        ...(bearingDeg === undefined ? {} : { bearingDeg, bearingSigmaDeg: 4 }),
      },
    } as const;
    return {
      // The arrival's time unrounded, as a sensor's own clock would give it.
      input: { ...fusionInputOfRecord(record, i + 1), observedAtMs: timeMs },
      sensorId: record.sourceId,
      lat,
      lon,
      signal: 'launch',
      snrDb,
      bearingDeg,
      bearingSigmaDeg: bearingDeg === undefined ? undefined : 4,
      timeMs,
      sigmaMs: 10,
    };
  });
  return arrivals.sort((a, b) => a.timeMs - b.timeMs);
}
