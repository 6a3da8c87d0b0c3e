import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FusionEngine,
  MIN_POSITION_SIGMA_M,
  MIN_PROVISIONAL_ARRIVALS,
  RADAR_COVARIANCE_WIDENING,
  type AcousticFitter,
} from './engine.ts';
import { fitArrivals } from './fit-arrivals.ts';
import { isPositiveDefinite2 } from './gaussian.ts';
import { fusionInputOfRecord, type FusionInput } from './inputs.ts';
import { heardBy, START_MS, TEST_FRAME } from './test-arrivals.ts';

/** A counter-battery radar's track of the launch at the frame's origin, reported 0.1 s after it. */
function radarTrack(
  seq: number,
  originEllipse: { semiMajorM: number; semiMinorM: number; orientationDeg: number } = {
    semiMajorM: 60,
    semiMinorM: 30,
    orientationDeg: 30,
  },
): FusionInput {
  const origin = TEST_FRAME.toGeo(30, -20);
  const impact = TEST_FRAME.toGeo(12_000, 9_000);
  const record = {
    id: 'rd-1-000001',
    sourceId: 'rd-1',
    kind: 'radar',
    observedAt: new Date(START_MS + 100).toISOString(),
    timeUncertaintyMs: 500,
    location: { ...TEST_FRAME.toGeo(-20_000, -30_000), ceM: 10 },
    payload: {
      track: 'origin-and-impact',
      origin: { ...origin, ellipse: originEllipse },
      impact: { ...impact, ellipse: { semiMajorM: 80, semiMinorM: 40, orientationDeg: 60 } },
    },
  } as const;
  return fusionInputOfRecord(record, seq);
}

const arrivalsOfTheLaunch = (): FusionInput[] => heardBy(8).map((a) => a.input);

test('a radar track is an event at once, then revised with the arrivals of the same launch', () => {
  const engine = new FusionEngine({ fitAcoustic: fitArrivals });
  const radar = radarTrack(100);
  engine.add([radar]);
  const first = engine.drain(false).events;
  assert.equal(first.length, 1, 'the track must not wait for acoustic partners to be reported');
  const provisional = first[0];
  assert.equal(provisional?.method, 'radar');
  assert.ok(provisional.origin);
  // Its cursor stays below the track: a restart re-reads it with the arrivals still to come.
  assert.equal(engine.drain(false).finalizedThroughSeq < radar.seq, true);

  engine.add(arrivalsOfTheLaunch());
  const later = engine.drain(true).events;
  const revised = later.find((e) => e.id === provisional.id);
  assert.ok(revised, 'the acoustic group of the launch revises the radar event');
  assert.equal(revised.method, 'acoustic-tdoa+radar');
  assert.equal(revised.provenance.filter((c) => c.role === 'arrival').length, 8);
  assert.equal(later.filter((e) => e.id === provisional.id).length, 1);
});

test("a radar track's stated ellipses are taken 1.17 times wider in covariance (decision 0013)", () => {
  const engine = new FusionEngine({ fitAcoustic: fitArrivals });
  engine.add([radarTrack(100)]);
  const [event] = engine.drain(false).events;
  assert.ok(event?.origin && event.impact);
  // The determinant of a covariance is (σ_major σ_minor)²: ×1.17² for both axes widened.
  const determinant = ([a, b, c]: readonly [number, number, number]) => a * c - b * b;
  const widened = (major: number, minor: number) => (major * minor) ** 2 * RADAR_COVARIANCE_WIDENING ** 2;
  assert.ok(Math.abs(determinant(event.origin.covariance) / widened(60, 30) - 1) < 1e-9);
  assert.ok(Math.abs(determinant(event.impact.covariance) / widened(80, 40) - 1) < 1e-9);
  // The trace is σ_major² + σ_minor², ×1.17.
  const [ee, , nn] = event.origin.covariance;
  assert.ok(Math.abs((ee + nn) / ((60 ** 2 + 30 ** 2) * RADAR_COVARIANCE_WIDENING) - 1) < 1e-9);
});

test('a radar track whose ellipse no covariance can hold is bounded, and merges without halting fusion', () => {
  // Validation takes any positive axes. A square below 1e-162 m is zero, and a thin ellipse turned off
  // the axes cancels its determinant: the merge with the launch's arrivals threw on every drain.
  for (const ellipse of [
    { semiMajorM: 1e-3, semiMinorM: 2_000_000, orientationDeg: 45 },
    { semiMajorM: 2_000_000, semiMinorM: 1e-3, orientationDeg: 45 },
    { semiMajorM: 1e-200, semiMinorM: 1e-200, orientationDeg: 30 },
  ]) {
    const engine = new FusionEngine({ fitAcoustic: fitArrivals });
    engine.add([radarTrack(100, ellipse), ...arrivalsOfTheLaunch()]);
    const events = engine.drain(true).events;
    const radar = events.find((e) => e.id === 'rd-1/rd-1-000001' || e.method.includes('radar'));
    assert.ok(radar?.origin, JSON.stringify(ellipse));
    assert.ok(isPositiveDefinite2(radar.origin.covariance), JSON.stringify(radar.origin.covariance));
    const [ee, , nn] = radar.origin.covariance;
    assert.ok(ee + nn >= 2 * MIN_POSITION_SIGMA_M ** 2, 'no position is stated closer than a metre');
  }
});

test('a radar track and its arrivals drained together give the merged event only', () => {
  const engine = new FusionEngine({ fitAcoustic: fitArrivals });
  engine.add([radarTrack(100), ...arrivalsOfTheLaunch()]);
  const events = engine.drain(true).events;
  assert.equal(events.length, 1);
  assert.equal(events[0]?.method, 'acoustic-tdoa+radar');
});

test('a radar track no arrivals join stands as it came, and goes out once', () => {
  const engine = new FusionEngine({ fitAcoustic: fitArrivals });
  engine.add([radarTrack(100)]);
  const first = engine.drain(false).events;
  assert.equal(first.length, 1);
  assert.deepEqual(engine.drain(true).events, []);
  assert.equal(engine.drain(true).finalizedThroughSeq, 100);
});

/** An acoustic arrival 200 km away (no group can take it), reported `afterMs` past the start. */
function farArrival(seq: number, afterMs: number, sourceId = 'ac-far'): FusionInput {
  const record = {
    id: `far-${seq}`,
    sourceId,
    kind: 'acoustic',
    observedAt: new Date(START_MS + afterMs).toISOString(),
    timeUncertaintyMs: 10,
    location: { ...TEST_FRAME.toGeo(200_000, 0), ceM: 5 },
    payload: { signal: 'impact' },
  } as const;
  return fusionInputOfRecord(record, seq);
}

/** Arrivals `afterMs` past the start at two far sensors: the watermark needs two sources to move. */
const farArrivals = (seq: number, afterMs: number): FusionInput[] => [
  farArrival(seq, afterMs),
  farArrival(seq + 1, afterMs, 'ac-far-2'),
];

test('an acoustic event waits one lateness allowance, one hearing range of travel, half a crowding window and the slack, not more', () => {
  // 120 s of lateness, 45 km at 320 m/s (140.6 s), 5 s and 1 s past the group's first arrival:
  // 266.6 s. The sensors of one happening are all within one hearing range of it, so no partner can
  // come later; the 6 s let every arrival that counts towards crowding the seed's sensor or any of
  // its candidates (up to one travel and 1 s after it) come in.
  const engine = new FusionEngine({ fitAcoustic: fitArrivals });
  const arrivals = heardBy(8);
  const firstMs = arrivals[0]?.timeMs ?? 0;
  engine.add(arrivals.map((a) => a.input));
  engine.add(farArrivals(100, firstMs - START_MS + 266_000));
  assert.deepEqual(engine.drain(false).events, [], 'released before a partner could still come');
  engine.add(farArrivals(102, firstMs - START_MS + 267_000));
  const events = engine.drain(false).events;
  assert.equal(events.length, 1);
  assert.equal(events[0]?.provenance.length, 8);
});

test("a radar track waits for its launch's arrivals when the nearest array is almost a hearing range away", () => {
  // Eight arrays 44.5 km from the launch, sound at 325 m/s: the first arrival comes 136.9 s after the
  // launch. The watermark then puts the horizon 141.3 s after it: past the radar track by more than the
  // longest travel (140.6 s), but not yet 5 s past the first arrival, so the group is not made yet.
  // (The fit of arrivals on one arc around their source is not what is tested: it is given.)
  const atTheTrack: AcousticFitter = (candidates) => ({
    inliers: candidates,
    location: { ...TEST_FRAME.toGeo(30, -20), covariance: [2_500, 0, 2_500] },
    timeMs: START_MS + 100,
    timeSigmaMs: 20,
    residualsS: candidates.map(() => 0),
    trusted: true,
  });
  const engine = new FusionEngine({ fitAcoustic: atTheTrack });
  const arrivals = Array.from({ length: 8 }, (_, i) => {
    const angle = (i * 100 * Math.PI) / 180 / 7;
    const place = TEST_FRAME.toGeo(44_500 * Math.sin(angle), 44_500 * Math.cos(angle));
    return fusionInputOfRecord(
      {
        id: `edge-${i}`,
        sourceId: `ac-edge-${i}`,
        kind: 'acoustic',
        observedAt: new Date(START_MS + Math.round((44_500 / 325) * 1000) + ((i * 7) % 5)).toISOString(),
        timeUncertaintyMs: 10,
        location: { ...place, ceM: 5 },
        payload: { signal: 'launch' },
      },
      10 + i,
    );
  });
  engine.add([radarTrack(1), ...arrivals]);
  const shown = engine.drain(false).events;
  assert.deepEqual(
    shown.map((e) => e.method),
    ['radar'],
  );
  engine.add(farArrivals(100, 141_300 + 120_000 + 140_625));
  assert.deepEqual(engine.drain(false).events, []);
  engine.add(farArrivals(102, 150_000 + 120_000 + 140_625));
  const made = engine.drain(false).events;
  assert.deepEqual(
    made.map((e) => [e.id, e.method]),
    [[shown[0]?.id, 'acoustic-tdoa+radar']],
    'the track revised with the group, not left alone beside it',
  );
});

test('one sensor whose clock runs ahead does not release the arrivals waiting for their partners', () => {
  const engine = new FusionEngine({ fitAcoustic: fitArrivals });
  const arrivals = heardBy(8);
  const firstMs = arrivals[0]?.timeMs ?? 0;
  // Validation takes times up to 24 h ahead of receipt.
  engine.add([...arrivals.slice(0, 5).map((a) => a.input), farArrival(100, 23 * 3_600_000)]);
  assert.deepEqual(engine.drain(false).events, [], 'one source alone moved the watermark');
  // The last three arrivals come; a second sensor's time then passes the group's window.
  engine.add(arrivals.slice(5).map((a) => a.input));
  engine.add([farArrival(101, firstMs - START_MS + 267_000, 'ac-far-2')]);
  const events = engine.drain(false).events;
  assert.equal(events.length, 1);
  assert.equal(events[0]?.provenance.length, 8, 'the group whole, not what had come by the early time');
});

test('with provisional on, a group comes out from the arrivals at hand and is revised as more come', () => {
  const engine = new FusionEngine({ fitAcoustic: fitArrivals, provisional: true });
  const arrivals = heardBy(8).map((a) => a.input);
  engine.add(arrivals.slice(0, 6));
  const first = engine.drain(false);
  assert.equal(first.events.length, 1, 'shown before the watermark has passed its arrivals');
  const shown = first.events[0];
  assert.ok(shown && first.provisional.has(shown));
  assert.equal(shown.provenance.length, 6);
  assert.deepEqual(engine.drain(false).events, [], 'nothing new: nothing shown again');

  engine.add(arrivals.slice(6));
  const grown = engine.drain(false);
  assert.deepEqual(
    grown.events.map((e) => [e.id, e.provenance.length]),
    [[shown.id, 8]],
  );
  // The watermark passes: the final group is the one shown (out again, for a store that may hold
  // another state), and it is not withdrawn.
  const last = engine.drain(true);
  assert.deepEqual(last.events, grown.events);
  assert.equal(last.withdrawnIds.includes(shown.id), false);
  assert.equal(last.provisional.size, 0);
});

/**
 * The real fitter, except that no group holding one of `revealing` fits: more arrivals showing a
 * grouping made of the first ones to be a coincidence.
 */
function fitterRefusing(revealing: readonly FusionInput[]): AcousticFitter {
  const seqs = new Set(revealing.map((input) => input.seq));
  return (candidates) => (candidates.some((a) => seqs.has(a.input.seq)) ? null : fitArrivals(candidates));
}

test('with provisional on, a group that no longer stands is withdrawn, and a restarted engine withdraws it too', () => {
  const arrivals = heardBy(8).map((a) => a.input);
  const refusing = fitterRefusing(arrivals.slice(6));
  const engine = new FusionEngine({ fitAcoustic: refusing, provisional: true });
  engine.add(arrivals.slice(0, 6));
  const [shown] = engine.drain(false).events;
  assert.ok(shown);
  engine.add(arrivals.slice(6));
  const later = engine.drain(false);
  assert.deepEqual(later.events, []);
  assert.deepEqual(later.withdrawnIds, [shown.id]);

  // A fresh engine never showed it; the final grouping retires its first arrival, so it says so.
  const restarted = new FusionEngine({ fitAcoustic: refusing, provisional: true });
  restarted.add(arrivals);
  const retired = restarted.drain(true).retiredIds;
  assert.ok(retired.some((r) => r.id === shown.id && r.seq === arrivals[0]?.seq));
});

test('with provisional on, a radar track shown with a group that no longer stands goes back to the track alone', () => {
  const arrivals = arrivalsOfTheLaunch();
  const engine = new FusionEngine({ fitAcoustic: fitterRefusing(arrivals.slice(6)), provisional: true });
  const radar = radarTrack(100);
  engine.add([radar, ...arrivals.slice(0, 6)]);
  const first = engine.drain(false);
  assert.deepEqual(
    first.events.map((e) => e.method),
    ['acoustic-tdoa+radar'],
  );
  engine.add(arrivals.slice(6));
  const later = engine.drain(false);
  assert.deepEqual(
    later.events.map((e) => [e.id, e.method]),
    [[first.events[0]?.id, 'radar']],
  );
  assert.equal(later.provisional.size, 0, 'the track alone stands: not an earlier state to skip');
  assert.deepEqual(later.withdrawnIds, []);
});

test('with provisional off, nothing comes out before the watermark and nothing is withdrawn', () => {
  const engine = new FusionEngine({ fitAcoustic: fitArrivals });
  engine.add(arrivalsOfTheLaunch());
  const drained = engine.drain(false);
  assert.deepEqual(drained.events, []);
  assert.deepEqual(drained.withdrawnIds, []);
});

test("with provisional on, a group of fewer than six arrivals is shown once its seed's window has closed", () => {
  assert.equal(MIN_PROVISIONAL_ARRIVALS, 6);
  const engine = new FusionEngine({ fitAcoustic: fitArrivals, provisional: true });
  const five = heardBy(8).slice(0, 5);
  engine.add(five.map((a) => a.input));
  assert.deepEqual(engine.drain(false).events, [], 'five arrivals: not shown at once');
  // The seed's window: its arrival, 45 km at 320 m/s (140.6 s) and 1 s more.
  const closesMs = Math.min(...five.map((a) => a.timeMs)) - START_MS + 141_625;
  engine.add(farArrivals(100, closesMs - 500));
  assert.deepEqual(engine.drain(false).events, [], 'an arrival in order could still join it');
  engine.add(farArrivals(102, closesMs + 500));
  const shown = engine.drain(false);
  assert.deepEqual(
    shown.events.map((e) => e.provenance.length),
    [5],
    'shown before the lateness allowance has passed',
  );
  assert.equal(shown.provisional.size, 1);
  const last = engine.drain(true);
  const final = last.events.find((e) => e.id === shown.events[0]?.id);
  assert.equal(JSON.stringify(final), JSON.stringify(shown.events[0]), 'the final event is the one shown');
  assert.deepEqual(last.withdrawnIds, []);
});
