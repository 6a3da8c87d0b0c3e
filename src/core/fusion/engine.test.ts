import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FusionEngine } from './engine.ts';
import { fitArrivals } from './fit-arrivals.ts';
import { fusionInputOfRecord, type FusionInput } from './inputs.ts';
import { heardBy, START_MS, TEST_FRAME } from './test-arrivals.ts';

/** A counter-battery radar's track of the launch at the frame's origin, reported 0.1 s after it. */
function radarTrack(seq: number): FusionInput {
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
      origin: { ...origin, ellipse: { semiMajorM: 60, semiMinorM: 30, orientationDeg: 30 } },
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
function farArrival(seq: number, afterMs: number): FusionInput {
  const record = {
    id: `far-${seq}`,
    sourceId: 'ac-far',
    kind: 'acoustic',
    observedAt: new Date(START_MS + afterMs).toISOString(),
    timeUncertaintyMs: 10,
    location: { ...TEST_FRAME.toGeo(200_000, 0), ceM: 5 },
    payload: { signal: 'impact' },
  } as const;
  return fusionInputOfRecord(record, seq);
}

test('an acoustic event waits one lateness allowance and one hearing range of travel, not two', () => {
  // 120 s of lateness and 45 km at 320 m/s (140.6 s) past the group's first arrival: 260.6 s. The
  // sensors of one happening are all within one hearing range of it, so no partner can come later.
  const engine = new FusionEngine({ fitAcoustic: fitArrivals });
  const arrivals = heardBy(8);
  const firstMs = arrivals[0]?.timeMs ?? 0;
  engine.add(arrivals.map((a) => a.input));
  engine.add([farArrival(100, firstMs - START_MS + 260_000)]);
  assert.deepEqual(engine.drain(false).events, [], 'released before a partner could still come');
  engine.add([farArrival(101, firstMs - START_MS + 261_000)]);
  const events = engine.drain(false).events;
  assert.equal(events.length, 1);
  assert.equal(events[0]?.provenance.length, 8);
});
