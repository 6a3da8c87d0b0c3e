/**
 * @module The engine's acoustic fitter: the arrivals a seed gathered, fitted robustly — the worst
 * arrival is set aside and the rest refitted until the fit is consistent with the timing errors, or
 * fewer than four arrivals remain.
 */
import type { AcousticFitter, Arrival, ArrivalFit } from './engine.ts';
import { localiseAcoustic, type AcousticFix } from './acoustic/localise.ts';

/** A fix this far (in standardised residuals) from an arrival does not count it. */
const MAX_STANDARDISED_RESIDUAL = 4;

export const fitArrivals: AcousticFitter = (candidates) => {
  let members = [...candidates];
  while (members.length >= 4) {
    const fix = localiseAcoustic(
      members.map((a) => ({ lat: a.lat, lon: a.lon, timeS: a.timeMs / 1000, sigmaS: a.sigmaMs / 1000 })),
    );
    if (!fix.localised) return null;
    const worst = worstArrival(fix);
    if (fix.quality !== 'inconsistent' && worst.value <= MAX_STANDARDISED_RESIDUAL)
      return toFit(members, fix);
    members = members.filter((_, i) => i !== worst.index);
  }
  return null;
};

function worstArrival(fix: AcousticFix): { index: number; value: number } {
  let index = 0;
  let value = -1;
  fix.standardisedResiduals.forEach((r, i) => {
    if (Math.abs(r) > value) {
      value = Math.abs(r);
      index = i;
    }
  });
  return { index, value };
}

function toFit(members: readonly Arrival[], fix: AcousticFix): ArrivalFit {
  return {
    inliers: members,
    location: fix.position,
    timeMs: fix.emissionTimeS * 1000,
    timeSigmaMs: fix.emissionTimeSigmaS * 1000,
    residualsS: fix.residualsS,
  };
}
