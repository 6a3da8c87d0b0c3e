/**
 * @module How sound travels, as the simulator draws it and as fusion assumes it: the nominal speed of
 * sound, and the spread of the two nuisance parameters (the true speed on the day, the wind) that
 * fusion estimates with priors rather than fixing. One definition, so the two cannot drift apart.
 */

/** Nominal speed of sound, m/s (dry air at about 14 °C). */
export const NOMINAL_SOUND_SPEED_MS = 340;

/** Per event, the true speed of sound is the nominal times (1 + u), u uniform in ±this fraction. */
export const SOUND_SPEED_SPREAD = 0.02;

/** Per event, a wind of uniform speed in [0, this] m/s from a uniform random direction. */
export const MAX_WIND_MS = 5;

/**
 * How loud an impulse arrives: the level falls by 20 dB per tenfold range (spherical spreading), and
 * each arrival's level is off by a 1 σ error of this many dB (the array's measurement and the path).
 * The source's own level is unknown (it differs by weapon and charge), so fusion compares the levels
 * of one group with each other only: level + 20·log₁₀(range) is the same for every arrival of one
 * source, up to that error.
 */
export const LEVEL_SIGMA_DB = 2;

/** Level lost by spherical spreading from 1 km to `rangeM`, dB. */
export const spreadingLossDb = (rangeM: number): number => 20 * Math.log10(Math.max(rangeM, 100) / 1000);

/** 1 σ timing error of one acoustic arrival, seconds (the simulator's default; a floor for fusion). */
export const ARRIVAL_SIGMA_S = 0.01;

/**
 * The Gaussian priors fusion puts on the nuisance parameters, moment-matched to the distributions
 * above: the speed's standard deviation is that of the uniform spread; each wind component's variance
 * is half the mean square wind speed (E[w²] = MAX²/3, split over two axes).
 */
export const NUISANCE_PRIORS = {
  soundSpeedMeanMs: NOMINAL_SOUND_SPEED_MS,
  soundSpeedSigmaMs: (NOMINAL_SOUND_SPEED_MS * SOUND_SPEED_SPREAD) / Math.sqrt(3),
  windComponentSigmaMs: Math.sqrt((MAX_WIND_MS * MAX_WIND_MS) / 3 / 2),
} as const;
