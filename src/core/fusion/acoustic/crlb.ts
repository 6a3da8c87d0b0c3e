/**
 * @module The Cramér–Rao bound of acoustic localisation: for a true source, sensors, their timing σ and
 * the nuisance priors, the least position covariance any unbiased estimator can reach — the yardstick
 * the fit's accuracy is reported against.
 */
import type { LatLon } from '../local-frame.ts';
import { LocalFrame } from '../local-frame.ts';
import type { Covariance2 } from '../gaussian.ts';
import {
  DEFAULT_PRIORS,
  UNKNOWNS,
  addPriorInformation,
  invertSymmetric,
  travelTime,
  type NuisancePriors,
} from './model.ts';

/** A sensor and the 1 σ of its arrival times. */
export interface TimedSensor extends LatLon {
  readonly sigmaS: number;
}

export interface AcousticCrlbInput {
  readonly source: LatLon;
  readonly sensors: readonly TimedSensor[];
  /** The true speed of sound, m/s; default the prior mean. */
  readonly soundSpeedMs?: number;
  /** The true wind (east, north), m/s; default calm. */
  readonly windMs?: readonly [east: number, north: number];
  /** Default NUISANCE_PRIORS. */
  readonly priors?: NuisancePriors;
}

export interface AcousticCrlb {
  /** The 2×2 position block of the inverse Fisher information, m², in east/north at the source. */
  readonly positionCovariance: Covariance2;
  /** √trace of that block, metres: the bound on the root-mean-square position error. */
  readonly sqrtTraceM: number;
  /** The bound on the emission time's 1 σ, seconds. */
  readonly emissionTimeSigmaS: number;
}

/**
 * The Cramér–Rao bound: Fisher information J = Σ gᵢgᵢᵀ/σᵢ² over the six unknowns (gᵢ the gradient of
 * the arrival time at sensor i, evaluated at the truth) plus the priors' information on c and w; the
 * position block of J⁻¹. Returns null when the information is numerically singular (for example, fewer
 * than three sensors, or every sensor at one place).
 */
export function acousticCrlb(input: AcousticCrlbInput): AcousticCrlb | null {
  const priors = input.priors ?? DEFAULT_PRIORS;
  const c = input.soundSpeedMs ?? priors.soundSpeedMeanMs;
  const [we, wn] = input.windMs ?? [0, 0];
  const frame = new LocalFrame(input.source.lat, input.source.lon);
  const information = new Float64Array(UNKNOWNS * UNKNOWNS);
  const row = new Float64Array(UNKNOWNS);
  input.sensors.forEach((sensor, i) => {
    if (!(sensor.sigmaS > 0))
      throw new RangeError(`sensors[${i}].sigmaS must be positive, got ${sensor.sigmaS}`);
    const s = frame.toLocal(sensor.lat, sensor.lon);
    travelTime(s.east, s.north, 0, 0, c, we, wn, row, 0);
    const weight = 1 / sensor.sigmaS ** 2;
    for (let a = 0; a < UNKNOWNS; a++) {
      for (let b = 0; b < UNKNOWNS; b++) {
        information[a * UNKNOWNS + b] =
          (information[a * UNKNOWNS + b] ?? 0) + weight * (row[a] ?? 0) * (row[b] ?? 0);
      }
    }
  });
  addPriorInformation(information, priors);
  const inverse = invertSymmetric(information, UNKNOWNS);
  if (inverse === null) return null;
  const ee = inverse[0] ?? 0;
  const en = inverse[1] ?? 0;
  const nn = inverse[UNKNOWNS + 1] ?? 0;
  if (!(ee > 0 && nn > 0) || ee * nn - en * en <= 0) return null;
  return {
    positionCovariance: [ee, en, nn],
    sqrtTraceM: Math.sqrt(ee + nn),
    emissionTimeSigmaS: Math.sqrt(inverse[2 * UNKNOWNS + 2] ?? 0),
  };
}
