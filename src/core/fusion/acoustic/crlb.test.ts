import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LocalFrame } from '../local-frame.ts';
import { NUISANCE_PRIORS } from '../propagation.ts';
import { acousticCrlb, type TimedSensor } from './crlb.ts';
import { localiseAcoustic } from './localise.ts';

const frame = new LocalFrame(48, 37.8);
const sensorsAt = (points: readonly (readonly [number, number])[], sigmaS = 0.01): TimedSensor[] =>
  points.map(([e, n]) => ({ ...frame.toGeo(e, n), sigmaS }));
const SQUARE: [number, number][] = [
  [0, 0],
  [12_000, 1_000],
  [11_000, 13_000],
  [-1_000, 12_000],
  [6_000, -3_000],
];

describe('acousticCrlb', () => {
  it('equals the covariance the fit states for noise-free arrivals at the prior means', () => {
    const source: [number, number] = [4_000, 6_000];
    const at = frame.toGeo(...source);
    const arrivals = SQUARE.map(([e, n]) => ({
      ...frame.toGeo(e, n),
      timeS: 50 + Math.hypot(e - source[0], n - source[1]) / NUISANCE_PRIORS.soundSpeedMeanMs,
      sigmaS: 0.01,
    }));
    const fix = localiseAcoustic(arrivals);
    const bound = acousticCrlb({ source: at, sensors: sensorsAt(SQUARE) });
    assert.ok(fix.localised && bound !== null);
    for (let k = 0; k < 3; k++) {
      const a = fix.position.covariance[k] ?? NaN;
      const b = bound.positionCovariance[k] ?? NaN;
      assert.ok(
        Math.abs(a - b) < 1e-3 * Math.max(bound.positionCovariance[0], bound.positionCovariance[2]),
        `${a} vs ${b}`,
      );
    }
    assert.ok(Math.abs(bound.emissionTimeSigmaS - fix.emissionTimeSigmaS) < 1e-6);
  });

  it('scales with the timing error when the priors do not bind, and never exceeds the prior-only bound', () => {
    const small = acousticCrlb({ source: frame.toGeo(4_000, 6_000), sensors: sensorsAt(SQUARE, 0.001) });
    const large = acousticCrlb({ source: frame.toGeo(4_000, 6_000), sensors: sensorsAt(SQUARE, 0.01) });
    assert.ok(small !== null && large !== null);
    // Ten times the timing error is at most ten times the bound (the priors' share does not scale).
    assert.ok(large.sqrtTraceM <= 10 * small.sqrtTraceM * (1 + 1e-9));
    assert.ok(large.sqrtTraceM > small.sqrtTraceM);
  });

  it('only shrinks as sensors are added (information adds up)', () => {
    const point = fc.tuple(
      fc.integer({ min: -20_000, max: 20_000 }),
      fc.integer({ min: -20_000, max: 20_000 }),
    );
    fc.assert(
      fc.property(fc.array(point, { minLength: 4, maxLength: 8 }), point, point, (sensors, extra, source) => {
        const before = acousticCrlb({ source: frame.toGeo(...source), sensors: sensorsAt(sensors) });
        const after = acousticCrlb({
          source: frame.toGeo(...source),
          sensors: sensorsAt([...sensors, extra]),
        });
        fc.pre(before !== null && after !== null);
        assert.ok(after !== null && before !== null);
        assert.ok(
          after.sqrtTraceM <= before.sqrtTraceM * (1 + 1e-6),
          `${after.sqrtTraceM} > ${before.sqrtTraceM}`,
        );
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('grows in range for a source beyond the hull', () => {
    const inside = acousticCrlb({ source: frame.toGeo(5_000, 6_000), sensors: sensorsAt(SQUARE) });
    const beyond = acousticCrlb({ source: frame.toGeo(5_000, 40_000), sensors: sensorsAt(SQUARE) });
    assert.ok(inside !== null && beyond !== null);
    assert.ok(beyond.sqrtTraceM > 5 * inside.sqrtTraceM);
    // North–south (range) dominates.
    assert.ok(beyond.positionCovariance[2] > 10 * beyond.positionCovariance[0]);
  });

  it('names a bad timing σ', () => {
    assert.throws(
      () =>
        acousticCrlb({
          source: frame.toGeo(0, 0),
          sensors: [...sensorsAt(SQUARE), { ...frame.toGeo(1, 1), sigmaS: -1 }],
        }),
      /sensors\[5\]\.sigmaS/,
    );
  });
});
