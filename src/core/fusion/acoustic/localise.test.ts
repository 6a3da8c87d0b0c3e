import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { wgs84 } from '../../agreement/geodesic.ts';
import { mahalanobisDistance } from '../gaussian.ts';
import { LocalFrame } from '../local-frame.ts';
import { NOMINAL_SOUND_SPEED_MS, NUISANCE_PRIORS } from '../propagation.ts';
import { acousticCrlb } from './crlb.ts';
import { localiseAcoustic, type AcousticArrival, type AcousticFix } from './localise.ts';
import { SCENARIO_ORIGIN, scenarioGenerator } from './test-scenario.ts';

const frame = new LocalFrame(SCENARIO_ORIGIN.lat, SCENARIO_ORIGIN.lon);
const EPOCH_S = 1_780_000_000.25;

const distanceM = (a: { lat: number; lon: number }, b: { lat: number; lon: number }): number =>
  wgs84.Inverse(a.lat, a.lon, b.lat, b.lon).s12 ?? Infinity;

/** Noise-free arrivals at local sensor positions from a local source, speed c and wind w. */
function arrivalsAt(
  sensors: readonly (readonly [number, number])[],
  source: readonly [number, number],
  options: { c?: number; wind?: readonly [number, number]; t0?: number; sigmaS?: number } = {},
): AcousticArrival[] {
  const c = options.c ?? NOMINAL_SOUND_SPEED_MS;
  const [we, wn] = options.wind ?? [0, 0];
  const from = frame.toGeo(source[0], source[1]);
  return sensors.map(([e, n]) => {
    const at = frame.toGeo(e, n);
    // The geodesic range, as sound travels it; the wind's share from the plane's direction.
    const r = distanceM(from, at);
    const dx = e - source[0];
    const dy = n - source[1];
    const planar = Math.hypot(dx, dy);
    return {
      ...at,
      timeS: (options.t0 ?? EPOCH_S) + r / (c + (we * dx + wn * dy) / planar),
      sigmaS: options.sigmaS ?? 0.01,
    };
  });
}

function fixOf(result: ReturnType<typeof localiseAcoustic>): AcousticFix {
  assert.ok(result.localised, JSON.stringify(result));
  return result;
}

const SQUARE: [number, number][] = [
  [0, 0],
  [12_000, 1_000],
  [11_000, 13_000],
  [-1_000, 12_000],
  [6_000, -3_000],
];

describe('localiseAcoustic', () => {
  it('recovers a source exactly from noise-free arrivals at the prior speed and calm', () => {
    const source = [4_300, 7_100] as const;
    const fix = fixOf(localiseAcoustic(arrivalsAt(SQUARE, source)));
    assert.ok(
      distanceM(fix.position, frame.toGeo(...source)) < 0.01,
      String(distanceM(fix.position, frame.toGeo(...source))),
    );
    assert.ok(Math.abs(fix.emissionTimeS - EPOCH_S) < 1e-6);
    assert.ok(Math.abs(fix.soundSpeedMs - NOMINAL_SOUND_SPEED_MS) < 1e-4);
    assert.ok(Math.hypot(...fix.windMs) < 1e-4);
    assert.ok(fix.chiSquare < 1e-6);
    assert.equal(fix.degreesOfFreedom, 2);
    assert.equal(fix.quality, 'good');
    assert.equal(fix.insideSensorHull, true);
    assert.ok(fix.residualsS.every((r) => Math.abs(r) < 1e-6));
  });

  it('recovers any source near four or more random sensors from noise-free arrivals', () => {
    const point = fc.tuple(
      fc.integer({ min: -15_000, max: 15_000 }),
      fc.integer({ min: -15_000, max: 15_000 }),
    );
    fc.assert(
      fc.property(fc.array(point, { minLength: 5, maxLength: 10 }), point, (sensors, source) => {
        // Sensors spread over the area, not bunched or in a line.
        fc.pre(new Set(sensors.map(([e, n]) => `${Math.round(e / 3000)},${Math.round(n / 3000)}`)).size >= 5);
        const fix = localiseAcoustic(arrivalsAt(sensors, source));
        assert.ok(fix.localised);
        // An ambiguous fix (a near-mirror geometry) must hold the source as one of its two answers.
        const answers =
          fix.quality === 'ambiguous' && fix.alternative ? [fix.position, fix.alternative] : [fix.position];
        const error = Math.min(...answers.map((p) => distanceM(p, frame.toGeo(...source))));
        assert.ok(error < 0.5, `${error} m`);
      }),
      { numRuns: 60, seed: 20260601 },
    );
  });

  it('estimates the speed of sound and the wind, pulled towards the priors only as far as the data allow', () => {
    const ring: [number, number][] = Array.from({ length: 10 }, (_, k) => [
      15_000 * Math.sin((k * Math.PI) / 5),
      15_000 * Math.cos((k * Math.PI) / 5),
    ]);
    const fix = fixOf(localiseAcoustic(arrivalsAt(ring, [2_000, -3_000], { c: 346, wind: [3, -2] })));
    // Without noise, what remains is the priors' pull: within the stated uncertainty.
    assert.ok(mahalanobisDistance(frame.toGeo(2_000, -3_000), fix.position) < 2);
    assert.ok(Math.abs(fix.soundSpeedMs - 346) < 2 * fix.soundSpeedSigmaMs, String(fix.soundSpeedMs));
    assert.ok(Math.abs(fix.windMs[0] - 3) < 2 * fix.windSigmaMs[0], String(fix.windMs));
    assert.ok(Math.abs(fix.windMs[1] + 2) < 2 * fix.windSigmaMs[1], String(fix.windMs));
    // And the data do inform them: the posterior σ is below the prior's.
    assert.ok(fix.soundSpeedSigmaMs < NUISANCE_PRIORS.soundSpeedSigmaMs);
    assert.ok(fix.windSigmaMs[0] < 0.9 * NUISANCE_PRIORS.windComponentSigmaMs);
  });

  it('leaves the speed of sound to its prior when the source is equidistant from every sensor', () => {
    const ring: [number, number][] = Array.from({ length: 8 }, (_, k) => [
      10_000 * Math.sin((k * Math.PI) / 4),
      10_000 * Math.cos((k * Math.PI) / 4),
    ]);
    const fix = fixOf(localiseAcoustic(arrivalsAt(ring, [0, 0], { c: 345 })));
    assert.ok(distanceM(fix.position, frame.toGeo(0, 0)) < 1);
    assert.ok(
      Math.abs(fix.soundSpeedSigmaMs - NUISANCE_PRIORS.soundSpeedSigmaMs) <
        0.01 * NUISANCE_PRIORS.soundSpeedSigmaMs,
    );
    // The emission time absorbs the speed: t₀'s σ reflects the speed's.
    assert.ok(fix.emissionTimeSigmaS > 0.2);
  });

  it('detects but does not localise three arrivals', () => {
    const result = localiseAcoustic(arrivalsAt(SQUARE.slice(0, 3), [4_000, 4_000]));
    assert.deepEqual(result, { localised: false, reason: 'too-few-arrivals', arrivalCount: 3 });
  });

  it('loses no precision to epoch-scale times', () => {
    const near = fixOf(localiseAcoustic(arrivalsAt(SQUARE, [3_000, 9_000], { t0: 12.5 })));
    const epoch = fixOf(localiseAcoustic(arrivalsAt(SQUARE, [3_000, 9_000], { t0: EPOCH_S })));
    assert.ok(distanceM(near.position, epoch.position) < 0.01);
    assert.ok(Math.abs(epoch.emissionTimeS - EPOCH_S) < 1e-5);
  });

  it('gives a source outside the sensors hull an ellipse elongated along the range', () => {
    const inside = fixOf(localiseAcoustic(arrivalsAt(SQUARE, [5_000, 6_000])));
    // 35 km north of the array: the bearing is well fixed, the range is not.
    const outside = fixOf(localiseAcoustic(arrivalsAt(SQUARE, [5_000, 47_000])));
    assert.equal(outside.insideSensorHull, false);
    const axes = (c: readonly [number, number, number]): [number, number] => {
      const m = (c[0] + c[2]) / 2;
      const h = Math.hypot((c[0] - c[2]) / 2, c[1]);
      return [Math.sqrt(m + h), Math.sqrt(m - h)];
    };
    const [majorIn, minorIn] = axes(inside.position.covariance);
    const [majorOut, minorOut] = axes(outside.position.covariance);
    assert.ok(majorIn / minorIn < 3, `inside ${majorIn} / ${minorIn}`);
    assert.ok(majorOut / minorOut > 5, `outside ${majorOut} / ${minorOut}`);
    assert.ok(majorOut > 10 * majorIn);
    // The long axis runs north–south, along the line from the array to the source.
    assert.ok(outside.position.covariance[2] > 10 * outside.position.covariance[0]);
  });

  it('flags a mirror ambiguity across a line of sensors instead of picking one side silently', () => {
    const line: [number, number][] = [
      [0, 0],
      [5_000, 0],
      [10_000, 0],
      [15_000, 0],
    ];
    const fix = fixOf(localiseAcoustic(arrivalsAt(line, [7_000, 6_000])));
    assert.equal(fix.quality, 'ambiguous');
    assert.ok(fix.alternative !== null);
    const positions = [fix.position, fix.alternative].map((p) => frame.toLocal(p.lat, p.lon));
    const norths = positions.map((p) => Math.round(p.north / 100) * 100).sort((a, b) => a - b);
    assert.deepEqual(norths, [-6_000, 6_000]);
  });

  it('flags an arrival that does not fit as inconsistent', () => {
    const arrivals = arrivalsAt(SQUARE, [4_000, 5_000]);
    const late = arrivals.map((a, i) => (i === 2 ? { ...a, timeS: a.timeS + 1.5 } : a));
    const fix = fixOf(localiseAcoustic(late));
    assert.equal(fix.quality, 'inconsistent');
    assert.ok(fix.pValue < 0.001);
  });

  it('names the field of a bad arrival', () => {
    const arrivals = arrivalsAt(SQUARE, [4_000, 5_000]);
    assert.throws(
      () => localiseAcoustic(arrivals.map((a, i) => (i === 3 ? { ...a, sigmaS: 0 } : a))),
      /arrivals\[3\]\.sigmaS/,
    );
    assert.throws(
      () => localiseAcoustic(arrivals.map((a, i) => (i === 1 ? { ...a, timeS: Number.NaN } : a))),
      /arrivals\[1\]\.timeS/,
    );
  });

  it('states an honest covariance and nearly reaches the Cramér–Rao bound on the typical geometry', () => {
    // Sources 5–20 km behind the line, sensors every 15 km on both sides 5–20 km back, those within
    // 20 km hear it, σ = 10 ms, speed of sound and wind drawn as the simulator draws them.
    const next = scenarioGenerator(20260601);
    const trials = 3000;
    let inside = 0;
    const ratios: number[] = [];
    for (let k = 0; k < trials; k++) {
      const scenario = next();
      const fix = fixOf(localiseAcoustic(scenario.arrivals));
      if (mahalanobisDistance(scenario.source, fix.position) ** 2 <= 5.991464547) inside++;
      const bound = acousticCrlb({
        source: scenario.source,
        sensors: scenario.arrivals,
        soundSpeedMs: scenario.soundSpeedMs,
        windMs: scenario.windMs,
      });
      assert.ok(bound !== null);
      ratios.push(distanceM(scenario.source, fix.position) / bound.sqrtTraceM);
    }
    const coverage = inside / trials;
    ratios.sort((a, b) => a - b);
    const median = ratios[Math.floor(trials / 2)] ?? Infinity;
    assert.ok(coverage >= 0.93 && coverage <= 0.97, `95 % ellipse coverage ${coverage}`);
    assert.ok(median <= 1.5, `median error / √trace(CRLB) ${median}`);
  });

  it('states an honest covariance for sources beyond the hull too', () => {
    // The source 25–35 km behind the line: most sensors that hear it are on one side.
    const next = scenarioGenerator(7, { sourceDepthM: [25_000, 35_000], hearingRangeM: 30_000 });
    const trials = 800;
    let inside = 0;
    let outsideHull = 0;
    for (let k = 0; k < trials; k++) {
      const scenario = next();
      const fix = fixOf(localiseAcoustic(scenario.arrivals));
      if (!fix.insideSensorHull) outsideHull++;
      if (mahalanobisDistance(scenario.source, fix.position) ** 2 <= 5.991464547) inside++;
    }
    assert.ok(outsideHull > trials / 2, `${outsideHull} of ${trials} outside the hull`);
    const coverage = inside / trials;
    assert.ok(coverage >= 0.92 && coverage <= 0.98, `95 % ellipse coverage ${coverage}`);
  });
});
