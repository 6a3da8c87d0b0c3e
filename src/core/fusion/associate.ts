/**
 * @module Association of acoustic arrivals: which of the arrivals gathered around a seed came from the
 * seed's own happening. Worst-day fire puts several rounds of one battery, seconds apart, into every
 * sensor's window, so the candidates hold many arrivals per sensor; a fit of all of them, or of a
 * random subset, mixes rounds. Here hypotheses are made from the seed and one arrival at each of three
 * other sensors: four arrival times fix a source in closed form (the speed of sound held at its
 * nominal value), and each hypothesis is scored by how many other sensors have an arrival where it
 * predicts one. The best-supported set — at most one arrival per sensor — goes to the full fit.
 */
import { LocalFrame } from './local-frame.ts';
import { NOMINAL_SOUND_SPEED_MS, SOUND_SPEED_SPREAD, MAX_WIND_MS } from './propagation.ts';

/** An arrival as association sees it: a sensor, a time (ms) and its 1 σ (ms). */
export interface TimedArrival {
  readonly sensorId: string;
  readonly lat: number;
  readonly lon: number;
  readonly timeMs: number;
  readonly sigmaMs: number;
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
  const frame = new LocalFrame(seed.lat, seed.lon);
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
    };
  });
  // Other sensors' arrivals, by sensor, nearest sensors first.
  const bySensor = new Map<number, Local[]>();
  for (const l of locals.slice(1)) {
    if (l.sensor === 0) continue;
    const list = bySensor.get(l.sensor);
    if (list === undefined) bySensor.set(l.sensor, [l]);
    else list.push(l);
  }
  const sensors = [...bySensor.values()].sort((a, b) => dist(a[0]) - dist(b[0]));
  if (sensors.length < 3) return [];
  const pool = sensors.slice(0, options.hypothesisSensors ?? 6);
  const seedLocal = locals[0];
  if (seedLocal === undefined) return [];

  const found = new Map<string, { set: Local[]; misfit: number }>();
  const c = NOMINAL_SOUND_SPEED_MS;
  const x: Point = { e: 0, n: 0 };
  for (let i = 0; i < pool.length; i++)
    for (let j = i + 1; j < pool.length; j++)
      for (let k = j + 1; k < pool.length; k++)
        for (const a of pool[i] ?? [])
          for (const b of pool[j] ?? [])
            for (const d of pool[k] ?? []) {
              // The innermost loop runs millions of times on a worst day: nothing in it allocates
              // until a hypothesis holds.
              if (!solveFour(a, b, d, c, x)) continue;
              const r0 = Math.hypot(x.e, x.n);
              if (r0 > options.maxRangeM) continue;
              // Every member must be within range and fit its own predicted time.
              const missA = memberMiss(x, r0, a, c, options.maxRangeM);
              if (missA < 0) continue;
              const missB = memberMiss(x, r0, b, c, options.maxRangeM);
              if (missB < 0) continue;
              const missD = memberMiss(x, r0, d, c, options.maxRangeM);
              if (missD < 0) continue;
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
                const r = Math.hypot(x.e - first.e, x.n - first.n);
                if (r > options.maxRangeM) continue;
                const predicted = (r - r0) / c;
                let pick: Local | undefined;
                let pickMiss = Number.POSITIVE_INFINITY;
                for (const m of arrivals) {
                  const miss = Math.abs(m.dt - predicted);
                  if (miss < pickMiss && miss <= tolerance(r, r0, m.sigmaS)) {
                    pick = m;
                    pickMiss = miss;
                  }
                }
                if (pick !== undefined) {
                  set.push(pick);
                  misfit += pickMiss;
                }
              }
              const key = set
                .map((l) => l.index)
                .sort((x, y) => x - y)
                .join(',');
              const known = found.get(key);
              if (known === undefined || misfit < known.misfit) found.set(key, { set, misfit });
            }
  return [...found.values()]
    .sort((a, b) => b.set.length - a.set.length || a.misfit - b.misfit)
    .slice(0, limit)
    .map((h) => h.set.map((l) => l.index));
}

const dist = (l: Local | undefined): number => (l === undefined ? Infinity : Math.hypot(l.e, l.n));

/** How far an arrival may be from its predicted time: timing error, and propagation over its extra path. */
const tolerance = (r: number, r0: number, sigmaS: number): number =>
  4 * Math.hypot(sigmaS, 0.01) + (PROPAGATION_SPREAD * (r + r0)) / NOMINAL_SOUND_SPEED_MS;

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
  if (!(r0 >= 0) || Math.abs(Math.hypot(e, n) - r0) > 0.05 * r0 + 500) return false;
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
  const r = Math.hypot(x.e - m.e, x.n - m.n);
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
