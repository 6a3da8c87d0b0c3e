import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { wgs84 } from '../../agreement/geodesic.ts';
import { seededNormal } from '../gaussian.ts';
import { LocalFrame } from '../local-frame.ts';
import type { AcousticArrival } from './localise.ts';
import { MAX_EFFECTIVE_SOUND_SPEED_MS, localiseAcousticRobust, withinAssociationGate } from './robust.ts';

const frame = new LocalFrame(48, 37.8);
const EPOCH_S = 1_780_000_000;
const SENSORS: [number, number][] = [
  [0, 0],
  [12_000, 1_000],
  [11_000, 13_000],
  [-1_000, 12_000],
  [6_000, -3_000],
  [16_000, 7_000],
  [-4_000, 5_000],
  [5_000, 16_000],
];

/** Arrivals with seeded 10 ms noise from a source at local (e, n), c = 343, a 3 m/s wind. */
function arrivals(
  source: readonly [number, number],
  t0: number,
  seed: number,
  sensors = SENSORS,
): AcousticArrival[] {
  const normal = seededNormal(seed);
  const [we, wn] = [2, -2.2];
  return sensors.map(([e, n]) => {
    const dx = e - source[0];
    const dy = n - source[1];
    const r = Math.hypot(dx, dy);
    return {
      ...frame.toGeo(e, n),
      timeS: t0 + r / (343 + (we * dx + wn * dy) / r) + 0.01 * normal(),
      sigmaS: 0.01,
    };
  });
}

const errorM = (
  fix: ReturnType<typeof localiseAcousticRobust>['fix'],
  source: readonly [number, number],
): number => {
  assert.ok(fix.localised);
  const at = frame.toGeo(source[0], source[1]);
  return wgs84.Inverse(fix.position.lat, fix.position.lon, at.lat, at.lon).s12 ?? Infinity;
};

describe('localiseAcousticRobust', () => {
  it('keeps every arrival of a clean group without searching', () => {
    const result = localiseAcousticRobust(arrivals([5_000, 6_000], EPOCH_S, 1));
    assert.deepEqual(result.outliers, []);
    assert.equal(result.inliers.length, SENSORS.length);
    assert.equal(result.searched, false);
    assert.ok(errorM(result.fix, [5_000, 6_000]) < 200);
  });

  it('rejects a false alarm and refits on the rest', () => {
    for (const [bad, offsetS] of [
      [2, 0.9],
      [0, -0.4],
      [6, 2.5],
    ] as const) {
      const group = arrivals([5_000, 6_000], EPOCH_S, 10 + bad).map((a, i) =>
        i === bad ? { ...a, timeS: a.timeS + offsetS } : a,
      );
      const plain = localiseAcousticRobust(group, { maxSubsets: 0 });
      const result = localiseAcousticRobust(group);
      assert.deepEqual(result.outliers, [bad], `false alarm at ${bad}`);
      assert.equal(result.searched, true);
      assert.ok(result.fix.localised && result.fix.quality === 'good');
      assert.ok(errorM(result.fix, [5_000, 6_000]) < 200);
      // Without the search the false alarm would have spoiled the fit.
      assert.ok(plain.fix.localised && plain.fix.quality === 'inconsistent');
    }
  });

  it('separates the arrivals of another event seconds later and keeps the larger consistent group', () => {
    const launch = arrivals([2_000, 3_000], EPOCH_S, 3);
    const impact = arrivals([4_000, 7_000], EPOCH_S + 2, 4);
    // Five sensors heard the launch, three the impact.
    const group = [...launch.slice(0, 5), ...impact.slice(5)];
    assert.ok(
      group.every((a) => group.every((b) => withinAssociationGate(a, b))),
      `group ${group.length}`,
    );
    const result = localiseAcousticRobust(group);
    assert.deepEqual(result.inliers, [0, 1, 2, 3, 4]);
    assert.deepEqual(result.outliers, [5, 6, 7]);
    assert.ok(errorM(result.fix, [2_000, 3_000]) < 300);
  });

  it('gives the same answer every time (no hidden randomness)', () => {
    const group = arrivals([5_000, 6_000], EPOCH_S, 5).map((a, i) =>
      i === 4 ? { ...a, timeS: a.timeS + 1 } : a,
    );
    const first = localiseAcousticRobust(group, { seed: 9 });
    assert.deepEqual(localiseAcousticRobust(group, { seed: 9 }), first);
  });

  it('cannot tell an outlier among four: the fit is kept and called inconsistent', () => {
    const group = arrivals([5_000, 6_000], EPOCH_S, 6)
      .slice(0, 4)
      .map((a, i) => (i === 1 ? { ...a, timeS: a.timeS + 1.2 } : a));
    const result = localiseAcousticRobust(group);
    assert.deepEqual(result.outliers, []);
    assert.ok(result.fix.localised && result.fix.quality === 'inconsistent');
  });

  it('detects but does not localise three arrivals', () => {
    const result = localiseAcousticRobust(arrivals([5_000, 6_000], EPOCH_S, 7).slice(0, 3));
    assert.equal(result.fix.localised, false);
    assert.deepEqual(result.inliers, [0, 1, 2]);
  });
});

describe('withinAssociationGate', () => {
  const a = { ...frame.toGeo(0, 0), timeS: 100, sigmaS: 0.01 };
  const bAt = frame.toGeo(10_000, 0);
  const crossing = 10_000 / MAX_EFFECTIVE_SOUND_SPEED_MS;

  it('lets through any time difference the sound can make between two sensors', () => {
    assert.equal(withinAssociationGate(a, { ...bAt, timeS: 100 + crossing - 0.01, sigmaS: 0.01 }), true);
    assert.equal(withinAssociationGate(a, { ...bAt, timeS: 100 - crossing + 0.01, sigmaS: 0.01 }), true);
  });

  it('refuses a difference longer than the crossing time plus the timing slack', () => {
    assert.equal(withinAssociationGate(a, { ...bAt, timeS: 100 + crossing + 0.1, sigmaS: 0.01 }), false);
    assert.equal(withinAssociationGate(a, { ...bAt, timeS: 100 - crossing - 0.1, sigmaS: 0.01 }), false);
    // A looser timing widens the gate.
    assert.equal(withinAssociationGate(a, { ...bAt, timeS: 100 + crossing + 0.1, sigmaS: 0.05 }), true);
    assert.equal(
      withinAssociationGate(a, { ...bAt, timeS: 100 + crossing + 0.1, sigmaS: 0.01 }, { slackS: 0.2 }),
      true,
    );
  });

  it('uses the fastest possible sound: the top of the speed range plus the strongest wind', () => {
    assert.ok(Math.abs(MAX_EFFECTIVE_SOUND_SPEED_MS - (340 * 1.02 + 5)) < 1e-9);
  });
});
