/**
 * @module The typical acoustic geometry, drawn the way the simulator draws it, for the Monte Carlo tests
 * and benchmarks of the localiser: a straight line of contact, a row of sensors every 15 km on each
 * side 5–20 km back from it (the depths drawn afresh for each scenario), a source 5–20 km behind the line heard by the sensors within 20 km, the
 * speed of sound and the wind drawn per event, Gaussian timing errors.
 */
import { seededNormal, seededUniform } from '../gaussian.ts';
import { LocalFrame, type LatLon } from '../local-frame.ts';
import {
  ARRIVAL_SIGMA_S,
  MAX_WIND_MS,
  NOMINAL_SOUND_SPEED_MS,
  NUISANCE_PRIORS,
  SOUND_SPEED_SPREAD,
} from '../propagation.ts';
import type { AcousticArrival } from './model.ts';

/** The geographic reference of the scenarios: the line of contact runs east through it. */
export const SCENARIO_ORIGIN = { lat: 48.0, lon: 37.8 } as const;

export interface AcousticScenario {
  readonly source: LatLon;
  /** The source in the scenario's frame (east/north metres from {@link SCENARIO_ORIGIN}). */
  readonly sourceEast: number;
  readonly sourceNorth: number;
  readonly emissionTimeS: number;
  readonly soundSpeedMs: number;
  readonly windMs: readonly [east: number, north: number];
  /** The arrivals at the sensors that heard it, with the drawn timing errors. */
  readonly arrivals: readonly AcousticArrival[];
  /** The same arrivals without timing errors. */
  readonly exactArrivals: readonly AcousticArrival[];
}

export interface ScenarioOptions {
  /** Timing σ, seconds; default ARRIVAL_SIGMA_S. */
  readonly sigmaS?: number;
  /** How far a sensor hears, metres; default 20 km. */
  readonly hearingRangeM?: number;
  /** Fewest arrivals a scenario must have (redrawn until it does); default 4. */
  readonly minArrivals?: number;
  /** The source's distance behind the line, metres; default [5 km, 20 km]. */
  readonly sourceDepthM?: readonly [number, number];
  /**
   * How the speed of sound and the wind are drawn: as the simulator does (`uniform`: c uniform in
   * ±SOUND_SPEED_SPREAD, wind speed uniform up to MAX_WIND_MS from a uniform direction; the default), or
   * from the fusion's Gaussian priors (`prior`), under which the stated covariance is exact to first order.
   */
  readonly nuisance?: 'uniform' | 'prior';
  /** Override the source's position (east, north metres in the scenario frame). */
  readonly source?: readonly [east: number, north: number];
}

/** A seeded stream of scenarios: the same seed gives the same sequence. */
export function scenarioGenerator(seed: number, options: ScenarioOptions = {}): () => AcousticScenario {
  const uniform = seededUniform(seed);
  const normal = seededNormal(seed ^ 0x5bd1e995);
  const frame = new LocalFrame(SCENARIO_ORIGIN.lat, SCENARIO_ORIGIN.lon);
  const between = (lo: number, hi: number): number => lo + (hi - lo) * uniform();
  const drawSensors = (): { east: number; north: number; lat: number; lon: number }[] => {
    const sensors: { east: number; north: number; lat: number; lon: number }[] = [];
    for (let k = -6; k <= 6; k++) {
      for (const side of [-1, 1]) {
        const east = k * 15_000;
        const north = side * between(5_000, 20_000);
        sensors.push({ east, north, ...frame.toGeo(east, north) });
      }
    }
    return sensors;
  };
  const sigmaS = options.sigmaS ?? ARRIVAL_SIGMA_S;
  const hearing = options.hearingRangeM ?? 20_000;
  const minArrivals = options.minArrivals ?? 4;
  const [depthLo, depthHi] = options.sourceDepthM ?? [5_000, 20_000];
  return () => {
    for (let attempt = 0; attempt < 10_000; attempt++) {
      const sensors = drawSensors();
      const [sourceEast, sourceNorth] = options.source ?? [
        between(-30_000, 30_000),
        -between(depthLo, depthHi),
      ];
      let soundSpeedMs: number;
      let windMs: readonly [number, number];
      if (options.nuisance === 'prior') {
        soundSpeedMs = NUISANCE_PRIORS.soundSpeedMeanMs + NUISANCE_PRIORS.soundSpeedSigmaMs * normal();
        windMs = [
          NUISANCE_PRIORS.windComponentSigmaMs * normal(),
          NUISANCE_PRIORS.windComponentSigmaMs * normal(),
        ];
      } else {
        soundSpeedMs = NOMINAL_SOUND_SPEED_MS * (1 + between(-SOUND_SPEED_SPREAD, SOUND_SPEED_SPREAD));
        const speed = between(0, MAX_WIND_MS);
        const direction = between(0, 2 * Math.PI);
        windMs = [speed * Math.sin(direction), speed * Math.cos(direction)];
      }
      const emissionTimeS = 1_780_000_000 + between(0, 86_400);
      const arrivals: AcousticArrival[] = [];
      const exactArrivals: AcousticArrival[] = [];
      for (const s of sensors) {
        const dx = s.east - sourceEast;
        const dy = s.north - sourceNorth;
        const r = Math.hypot(dx, dy);
        if (r > hearing) continue;
        const v = soundSpeedMs + (windMs[0] * dx + windMs[1] * dy) / r;
        const exact = emissionTimeS + r / v;
        exactArrivals.push({ lat: s.lat, lon: s.lon, timeS: exact, sigmaS });
        arrivals.push({ lat: s.lat, lon: s.lon, timeS: exact + sigmaS * normal(), sigmaS });
      }
      if (arrivals.length < minArrivals) continue;
      return {
        source: frame.toGeo(sourceEast, sourceNorth),
        sourceEast,
        sourceNorth,
        emissionTimeS,
        soundSpeedMs,
        windMs,
        arrivals,
        exactArrivals,
      };
    }
    throw new RangeError(`no scenario with ${minArrivals} arrivals in 10,000 draws`);
  };
}
