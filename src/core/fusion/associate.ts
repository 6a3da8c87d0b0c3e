/**
 * @module Association of acoustic arrivals: which of the arrivals gathered around a seed came from the
 * seed's own happening. Worst-day fire puts several rounds of one battery, seconds apart, into every
 * sensor's window, so the candidates hold many arrivals per sensor; a fit of all of them, or of a
 * random subset, mixes rounds. Here hypotheses are made from the seed and one arrival at each of three
 * other sensors: four arrival times fix a source in closed form (the speed of sound held at its
 * nominal value, or 2.5 % either side when that finds none), and each hypothesis is scored by how many
 * other sensors have an arrival where it predicts one. The best-supported set — at most one arrival
 * per sensor — goes to the full fit.
 *
 * Four arrival times fit almost any source once the speed of sound and the wind are free, so times
 * alone cannot tell a coincidence from a happening (decision 0005). Where the arrays report them, two
 * more things must agree (decision 0014): each array's direction of arrival must point at the source,
 * and the levels must fall off with range as from one source (spherical spreading; the source's own
 * level is unknown, so only their spread counts). A candidate is set aside before any hypothesis is
 * made when its direction and the seed's cannot overlap within hearing range, or when their overlap
 * cannot give the two arrivals' time difference (see `overlapAllows`); members of one hypothesis must
 * pass the same test pairwise.
 */
import { hypot } from '../hypot.ts';
import { cachedFrameAt } from './frame-cache.ts';
import type { LocalFrame } from './local-frame.ts';
import {
  LEVEL_SIGMA_DB,
  MAX_WIND_MS,
  NOMINAL_SOUND_SPEED_MS,
  SOUND_SPEED_SPREAD,
  spreadingLossDb,
} from './propagation.ts';

/** An arrival as association sees it: a sensor, a time (ms) and its 1 σ (ms). */
export interface TimedArrival {
  readonly sensorId: string;
  readonly lat: number;
  readonly lon: number;
  readonly timeMs: number;
  readonly sigmaMs: number;
  /** How loud it arrived, dB over the sensor's noise, when the sensor says. */
  readonly snrDb?: number | undefined;
  /** Where it came from, degrees clockwise from north, and its 1 σ, when the sensor says. */
  readonly bearingDeg?: number | undefined;
  readonly bearingSigmaDeg?: number | undefined;
}

export interface AssociationOptions {
  /** Farthest a sensor hears a happening, m. */
  readonly maxRangeM: number;
  /** The most other sensors (nearest the seed first) the hypotheses draw from. */
  readonly hypothesisSensors?: number;
}

/** The relative error of a travel time from the unknown speed of sound and wind. */
const PROPAGATION_SPREAD = SOUND_SPEED_SPREAD + MAX_WIND_MS / NOMINAL_SOUND_SPEED_MS;

interface Local {
  readonly index: number;
  readonly sensor: number;
  readonly e: number;
  readonly n: number;
  /** Time after the seed, s. */
  readonly dt: number;
  readonly sigmaS: number;
  /** Its level, dB (NaN when unknown). */
  readonly snr: number;
  /** The direction it came from as a unit vector (east, north). */
  readonly ue: number;
  readonly un: number;
  /** The direction's 1 σ, radians (NaN when the sensor gave none). */
  readonly bearingSigma: number;
  /**
   * Unit vectors (east, north pairs) along the direction turned by each of {@link SPREAD_STEPS} × 3.5 σ;
   * empty without a direction.
   */
  readonly spread: Float64Array;
}

/**
 * The best-supported sets of arrivals that may have come from the seed's source, best first (most
 * arrivals, then least misfit), each as indices into `candidates` with the seed (index 0) first; at most
 * `limit` distinct sets. Empty when no hypothesis of four arrivals holds. The caller fits them with the
 * full model (speed of sound and wind free) and keeps the first that fits.
 */
export function associate(
  candidates: readonly TimedArrival[],
  options: AssociationOptions,
  limit = 6,
): number[][] {
  const seed = candidates[0];
  if (seed === undefined) return [];
  const frame = cachedFrameAt(seed.lat, seed.lon);
  const sensorIds = new Map<string, number>();
  const locals: Local[] = candidates.map((a, index) => {
    let sensor = sensorIds.get(a.sensorId);
    if (sensor === undefined) {
      sensor = sensorIds.size;
      sensorIds.set(a.sensorId, sensor);
    }
    const p = frame.toLocal(a.lat, a.lon);
    return {
      index,
      sensor,
      e: p.east,
      n: p.north,
      dt: (a.timeMs - seed.timeMs) / 1000,
      sigmaS: a.sigmaMs / 1000,
      snr: a.snrDb ?? Number.NaN,
      ...directionOf(a),
    };
  });
  const seedLocal = locals[0];
  if (seedLocal === undefined) return [];
  // Other sensors' arrivals, by sensor, nearest sensors first.
  const bySensor = new Map<number, Local[]>();
  for (const l of locals.slice(1)) {
    if (l.sensor === 0 || !oneSound(seedLocal, l, options.maxRangeM)) continue;
    const list = bySensor.get(l.sensor);
    if (list === undefined) bySensor.set(l.sensor, [l]);
    else list.push(l);
  }
  const sensors = [...bySensor.values()].sort((a, b) => dist(a[0]) - dist(b[0]));
  if (sensors.length < 3) return [];
  const pool = sensors.slice(0, options.hypothesisSensors ?? 6);

  // Whether two candidates could be of one sound — their times no further apart than sound takes
  // between their sensors, and their directions crossing (−1 not known yet): members of one
  // hypothesis must be.
  const n = locals.length;
  const meetCache = new Int8Array(n * n).fill(-1);
  const meet = (p: Local, q: Local): boolean => {
    const at = p.index * n + q.index;
    let known = meetCache[at] ?? -1;
    if (known === -1) {
      known = oneSound(p, q, options.maxRangeM) ? 1 : 0;
      meetCache[at] = known;
    }
    return known === 1;
  };

  const found = new Map<string, { set: Local[]; misfit: number }>();
  const c = NOMINAL_SOUND_SPEED_MS;
  const x: Point = { e: 0, n: 0 };
  for (let i = 0; i < pool.length; i++)
    for (let j = i + 1; j < pool.length; j++)
      for (let k = j + 1; k < pool.length; k++)
        for (const a of pool[i] ?? [])
          for (const b of pool[j] ?? []) {
            if (!meet(a, b)) continue;
            for (const d of pool[k] ?? []) {
              if (!meet(a, d) || !meet(b, d)) continue;
              // The innermost loop runs millions of times on a worst day: nothing in it allocates
              // until a hypothesis holds.
              if (
                !solveFour(a, b, d, c, x) &&
                !solveFour(a, b, d, c * (1 - SOLVE_SPEED_STEP), x) &&
                !solveFour(a, b, d, c * (1 + SOLVE_SPEED_STEP), x)
              )
                continue;
              const r0 = hypot(x.e, x.n);
              if (r0 > options.maxRangeM) continue;
              // Every member must be within range and fit its own predicted time.
              const missA = memberMiss(x, r0, a, c, options.maxRangeM);
              if (missA < 0) continue;
              const missB = memberMiss(x, r0, b, c, options.maxRangeM);
              if (missB < 0) continue;
              const missD = memberMiss(x, r0, d, c, options.maxRangeM);
              if (missD < 0) continue;
              // Each array's direction of arrival must point at x, and the levels agree with one source there.
              if (!pointsAt(seedLocal, x) || !pointsAt(a, x) || !pointsAt(b, x) || !pointsAt(d, x)) continue;
              const levels = new LevelSpread();
              levels.add(seedLocal.snr, r0);
              levels.add(a.snr, hypot(x.e - a.e, x.n - a.n));
              levels.add(b.snr, hypot(x.e - b.e, x.n - b.n));
              levels.add(d.snr, hypot(x.e - d.e, x.n - d.n));
              if (!levels.consistent()) continue;
              let misfit = missA + missB + missD;
              const set: Local[] = [seedLocal, a, b, d];
              // Support: every other sensor's arrival nearest its predicted time, if close enough (each
              // sensor comes once, and the seed's is not among them).
              for (const arrivals of sensors) {
                const first = arrivals[0];
                if (
                  first === undefined ||
                  first.sensor === a.sensor ||
                  first.sensor === b.sensor ||
                  first.sensor === d.sensor
                )
                  continue;
                const r = hypot(x.e - first.e, x.n - first.n);
                if (r > options.maxRangeM) continue;
                const predicted = (r - r0) / c;
                let pick: Local | undefined;
                let pickMiss = Number.POSITIVE_INFINITY;
                for (const m of arrivals) {
                  const miss = Math.abs(m.dt - predicted);
                  if (
                    miss < pickMiss &&
                    miss <= tolerance(r, r0, m.sigmaS) &&
                    pointsAt(m, x) &&
                    levels.admits(m.snr, r)
                  ) {
                    pick = m;
                    pickMiss = miss;
                  }
                }
                if (pick !== undefined) {
                  set.push(pick);
                  misfit += pickMiss;
                  levels.add(pick.snr, r);
                }
              }
              const key = setKey(set, n);
              const known = found.get(key);
              if (known === undefined || misfit < known.misfit) found.set(key, { set, misfit });
            }
          }
  return [...found.values()]
    .sort((a, b) => b.set.length - a.set.length || a.misfit - b.misfit)
    .slice(0, limit)
    .map((h) => h.set.map((l) => l.index));
}

/**
 * A set's key: its members' indices in ascending order, one UTF-16 code unit each while the candidates
 * are fewer than 65,536 (on a worst day, a seed's are at most ~100), decimals otherwise. Every
 * hypothesis that holds makes one: ~340,000 on a worst day.
 */
function setKey(set: readonly Local[], candidates: number): string {
  const indices = set.map((l) => l.index).sort((x, y) => x - y);
  return candidates <= 0xffff ? String.fromCharCode(...indices) : indices.join(',');
}

const dist = (l: Local | undefined): number => (l === undefined ? Infinity : hypot(l.e, l.n));

/** Slowest sound association allows between two sensors, m/s (the nominal speed less its spread). */
const MIN_SPEED_MS = NOMINAL_SOUND_SPEED_MS * (1 - PROPAGATION_SPREAD);

/** Whether `p` and `q` are close enough in time for one sound to have reached both sensors. */
const timesAllow = (p: Local, q: Local): boolean =>
  Math.abs(p.dt - q.dt) <= hypot(p.e - q.e, p.n - q.n) / MIN_SPEED_MS + 4 * hypot(p.sigmaS, q.sigmaS);

/** How far an arrival may be from its predicted time: timing error, and propagation over its extra path. */
const tolerance = (r: number, r0: number, sigmaS: number): number =>
  4 * hypot(sigmaS, 0.01) + (PROPAGATION_SPREAD * (r + r0)) / NOMINAL_SOUND_SPEED_MS;

/**
 * When the nominal speed of sound gives no consistent source for four arrivals, it is tried this
 * fraction slower and faster: the day's speed is within 2 % and the wind adds up to 1.5 %.
 */
const SOLVE_SPEED_STEP = 0.025;

/** A point in the seed's local frame, m (written in place by {@link solveFour}). */
interface Point {
  e: number;
  n: number;
}

/**
 * The source of four arrivals — the seed at the origin at time 0 and three others — with the speed of
 * sound `c`: with r0 the seed's range, each other arrival gives (r0 + c·dtᵢ)² = |x − sᵢ|², and
 * subtracting |x|² = r0² leaves 2 x·sᵢ + 2 c dtᵢ r0 = |sᵢ|² − (c dtᵢ)², linear in (x, y, r0).
 * Writes the source into `out`; false when there is none.
 */
function solveFour(a: Local, b: Local, d: Local, c: number, out: Point): boolean {
  const [a0, a1, a2, a3] = rowOf(a, c);
  const [b0, b1, b2, b3] = rowOf(b, c);
  const [d0, d1, d2, d3] = rowOf(d, c);
  const det = det3(a0, a1, a2, b0, b1, b2, d0, d1, d2);
  if (Math.abs(det) < 1e-6) return false;
  const e = det3(a3, a1, a2, b3, b1, b2, d3, d1, d2) / det;
  const n = det3(a0, a3, a2, b0, b3, b2, d0, d3, d2) / det;
  const r0 = det3(a0, a1, a3, b0, b1, b3, d0, d1, d3) / det;
  // The solution must be consistent with its own range (the linear system dropped that constraint).
  if (!(r0 >= 0) || Math.abs(hypot(e, n) - r0) > 0.05 * r0 + 500) return false;
  out.e = e;
  out.n = n;
  return true;
}

/** One arrival's row of the linear system (V8 keeps the destructured tuple off the heap). */
const rowOf = (m: Local, c: number): readonly [number, number, number, number] => {
  const cd = c * m.dt;
  return [2 * m.e, 2 * m.n, 2 * cd, m.e * m.e + m.n * m.n - cd * cd];
};

/**
 * How far arrival `m` is from the time a source at `x` (range `r0` from the seed) predicts, s; −1 when
 * it is out of range or past its tolerance.
 */
function memberMiss(x: Point, r0: number, m: Local, c: number, maxRangeM: number): number {
  const r = hypot(x.e - m.e, x.n - m.n);
  const miss = Math.abs(m.dt - (r - r0) / c);
  return r > maxRangeM || miss > tolerance(r, r0, m.sigmaS) ? -1 : miss;
}

const det3 = (
  a: number,
  b: number,
  c: number,
  d: number,
  e: number,
  f: number,
  g: number,
  h: number,
  i: number,
): number => a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);

const DEG = Math.PI / 180;

/** A sensor that gives a direction but no error for it is taken at this 1 σ, degrees. */
export const DEFAULT_BEARING_SIGMA_DEG = 10;

/** Quantiles of the standard normal used below. */
const Z_99 = 2.3263;
const Z_999 = 3.0902;

/** The χ² quantile for `k` degrees of freedom at the normal quantile `z` (Wilson–Hilferty). */
export function chiSquaredQuantile(k: number, z: number = Z_999): number {
  const v = 2 / (9 * k);
  return k * (1 - v + z * Math.sqrt(v)) ** 3;
}

/**
 * The levels of a group's arrivals, each carried back to 1 km from the source (level + spreading
 * loss): one source gives them all the same value up to the level error, whatever its own loudness.
 * Arrivals without a level are left out.
 */
export class LevelSpread {
  #count = 0;
  #sum = 0;
  #sumSq = 0;

  add(snrDb: number, rangeM: number): void {
    if (Number.isNaN(snrDb)) return;
    const level = snrDb + spreadingLossDb(rangeM);
    this.#count += 1;
    this.#sum += level;
    this.#sumSq += level * level;
  }

  /** Whether the levels so far could be of one source (their spread within χ² at 0.99). */
  consistent(): boolean {
    if (this.#count < 2) return true;
    const spread = this.#sumSq - (this.#sum * this.#sum) / this.#count;
    return spread / (LEVEL_SIGMA_DB * LEVEL_SIGMA_DB) <= chiSquaredQuantile(this.#count - 1, Z_99);
  }

  /** Whether one more arrival's level at `rangeM` fits the mean of those so far (within 3.3 σ). */
  admits(snrDb: number, rangeM: number): boolean {
    if (Number.isNaN(snrDb) || this.#count === 0) return true;
    const miss = snrDb + spreadingLossDb(rangeM) - this.#sum / this.#count;
    return Math.abs(miss) <= 3.3 * LEVEL_SIGMA_DB * Math.sqrt(1 + 1 / this.#count);
  }
}

const NO_DIRECTION: Pick<Local, 'ue' | 'un' | 'bearingSigma' | 'spread'> = {
  ue: 0,
  un: 0,
  bearingSigma: Number.NaN,
  spread: new Float64Array(0),
};

/** What a direction test needs of an arrival: where the sensor is and what direction it gave. */
export interface Directed {
  readonly lat: number;
  readonly lon: number;
  readonly bearingDeg?: number | undefined;
  readonly bearingSigmaDeg?: number | undefined;
}

/** Each arrival's direction terms, kept while the caller keeps the arrival (one arrival meets many seeds). */
const directions = new WeakMap<Directed, Pick<Local, 'ue' | 'un' | 'bearingSigma' | 'spread'>>();

function directionOf(a: Directed): Pick<Local, 'ue' | 'un' | 'bearingSigma' | 'spread'> {
  let known = directions.get(a);
  if (known === undefined) {
    known = directionTerms(a);
    directions.set(a, known);
  }
  return known;
}

function directionTerms(a: Directed): Pick<Local, 'ue' | 'un' | 'bearingSigma' | 'spread'> {
  if (a.bearingDeg === undefined) return NO_DIRECTION;
  const bearingSigma = (a.bearingSigmaDeg ?? DEFAULT_BEARING_SIGMA_DEG) * DEG;
  const bearing = a.bearingDeg * DEG;
  // A direction whose ± 3.5 σ spans half the horizon or more is no wedge: where two such rays cross
  // says nothing (and the pair tests' corners would not bound it). Only `pointsAt` uses it then.
  if (3.5 * bearingSigma >= Math.PI / 2)
    return { ue: Math.sin(bearing), un: Math.cos(bearing), bearingSigma, spread: new Float64Array(0) };
  const spread = new Float64Array(2 * SPREAD_STEPS.length);
  SPREAD_STEPS.forEach((step, i) => {
    const angle = bearing + step * 3.5 * bearingSigma;
    spread[2 * i] = Math.sin(angle);
    spread[2 * i + 1] = Math.cos(angle);
  });
  return { ue: Math.sin(bearing), un: Math.cos(bearing), bearingSigma, spread };
}

/**
 * How far a hypothesis solved at a fixed speed of sound may lie from the true source, m: the speed
 * and the wind it does not solve for move it by a share of its range.
 */
const hypothesisErrorM = (rangeM: number): number => 300 + 0.05 * rangeM;

/**
 * Whether arrival `m`'s direction points at `x` (the seed's frame): within 3.5 σ of the direction's
 * own error combined with the angle the hypothesis's error subtends at that range. True without one.
 */
function pointsAt(m: Local, x: Point): boolean {
  if (Number.isNaN(m.bearingSigma)) return true;
  const de = x.e - m.e;
  const dn = x.n - m.n;
  const r = hypot(de, dn);
  if (r < 1) return true;
  const angle = Math.atan2(Math.abs(m.ue * dn - m.un * de), m.ue * de + m.un * dn);
  return angle <= 3.5 * hypot(m.bearingSigma, Math.atan(hypothesisErrorM(r) / r));
}

/** Whether `p` and `q` could be arrivals of one sound (see {@link overlapAllows}). */
function oneSound(p: Local, q: Local, rangeM: number): boolean {
  return (
    timesAllow(p, q) &&
    overlapAllows(p.spread, q.spread, q.e - p.e, q.n - p.n, q.dt - p.dt, hypot(p.sigmaS, q.sigmaS), rangeM)
  );
}

/** The turns of a direction, in units of 3.5 σ, its crossing is tried at. */
const SPREAD_STEPS = [-1, -0.5, 0, 0.5, 1];

/**
 * Whether a sound could have reached a sensor at the origin from along `ps` and one at (we, wn) m from
 * along `qs` (unit vectors, east and north pairs, the direction's turns by {@link SPREAD_STEPS}), the
 * second `dtS` s later; `sigmaS` is the two times' combined 1 σ. The source lies where the two
 * directions (each give or take 3.5 σ) overlap within `rangeM` of both sensors; none there, no sound.
 * When the overlap is bounded by its four corners, the difference of its ranges from the two sensors
 * is at its largest and smallest at those corners (along each edge it changes one way only), so the
 * time difference must lie between the corners' — give or take the timing error and what the unknown
 * speed of sound and wind do over those ranges (and `slackS` more). True when either sensor gave no
 * direction.
 */
function overlapAllows(
  ps: Float64Array,
  qs: Float64Array,
  we: number,
  wn: number,
  dtS: number,
  sigmaS: number,
  rangeM: number,
  slackS = 0,
): boolean {
  if (ps.length === 0 || qs.length === 0) return true;
  const lastP = ps.length - 2;
  const lastQ = qs.length - 2;
  // The corners first: when all four lie within range, the overlap is bounded by them.
  let corners = 0;
  let least = Number.POSITIVE_INFINITY;
  let most = Number.NEGATIVE_INFINITY;
  let farthest = 0;
  for (let k = 0; k < 4; k++) {
    if (!crossing(ps, k < 2 ? 0 : lastP, qs, k % 2 === 0 ? 0 : lastQ, we, wn, rangeM)) continue;
    const s = RANGES[0];
    const t = RANGES[1];
    corners += 1;
    least = Math.min(least, t - s);
    most = Math.max(most, t - s);
    farthest = Math.max(farthest, s + t);
  }
  // An overlap that runs out of range (or never closes) is not bounded by its corners, but any
  // crossing within range is a place the sound may have come from.
  if (corners > 0 && corners < 4) return true;
  if (corners === 0) {
    for (let i = 0; i < ps.length; i += 2)
      for (let j = 0; j < qs.length; j += 2) if (crossing(ps, i, qs, j, we, wn, rangeM)) return true;
    return false;
  }
  const c = NOMINAL_SOUND_SPEED_MS;
  const margin = 4 * hypot(sigmaS, 0.01) + (PROPAGATION_SPREAD * farthest) / c + slackS;
  return dtS >= least / c - margin && dtS <= most / c + margin;
}

/** The two ranges {@link crossing} found last (s from the first sensor, t from the second), m. */
const RANGES: [number, number] = [0, 0];

/**
 * Whether ray `i` of `ps` from the origin and ray `j` of `qs` from (we, wn) cross ahead of both within
 * `rangeM`; the ranges go into {@link RANGES}. With u and v the unit vectors, s·u = w + t·v.
 */
function crossing(
  ps: Float64Array,
  i: number,
  qs: Float64Array,
  j: number,
  we: number,
  wn: number,
  rangeM: number,
): boolean {
  const ue = ps[i] ?? 0;
  const un = ps[i + 1] ?? 0;
  const ve = qs[j] ?? 0;
  const vn = qs[j + 1] ?? 0;
  const cross = ue * vn - un * ve;
  if (Math.abs(cross) < 1e-9) return false;
  const s = (we * vn - wn * ve) / cross;
  const t = (we * un - wn * ue) / cross;
  RANGES[0] = s;
  RANGES[1] = t;
  return s > 0 && t > 0 && s <= rangeM && t <= rangeM;
}

/** What the engine's gate needs of an arrival: a direction, if any, and a time (ms) with its 1 σ. */
export interface TimedDirected extends Directed {
  readonly timeMs: number;
  readonly sigmaMs: number;
}

/**
 * {@link overlapAllows} for a seed `p` and a later arrival `q` as the engine holds them, in `frame` —
 * the seed's local frame, as association's, so both compute the same offsets (`slackS` covers the
 * rounding of times taken apart): the engine's gate, so that association is not handed arrivals it
 * would set aside.
 */
export function soundsMayMeet(
  p: TimedDirected,
  q: TimedDirected,
  frame: Pick<LocalFrame, 'toLocal'>,
  rangeM: number,
  slackS: number,
): boolean {
  if (p.bearingDeg === undefined || q.bearingDeg === undefined) return true;
  const { east: we, north: wn } = frame.toLocal(q.lat, q.lon);
  const dtS = (q.timeMs - p.timeMs) / 1000;
  const sigmaS = hypot(p.sigmaMs, q.sigmaMs) / 1000;
  return overlapAllows(directionOf(p).spread, directionOf(q).spread, we, wn, dtS, sigmaS, rangeM, slackS);
}
