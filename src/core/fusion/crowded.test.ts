import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  capCandidates,
  CROWD_LIMIT,
  CROWD_WINDOW_MS,
  FusionEngine,
  MAX_CANDIDATES,
  MAX_CANDIDATES_PER_SENSOR,
  type AcousticFitter,
  type Arrival,
  type EventDraft,
} from './engine.ts';
import { fitArrivals } from './fit-arrivals.ts';
import { fusionInputOfRecord, type FusionInput } from './inputs.ts';
import { heardBy, TEST_FRAME } from './test-arrivals.ts';

/**
 * `count` more arrivals from the sensor that heard `real`, spread evenly over `spreadMs` starting
 * `fromMs` after it, each its own record (sequences from 1,000).
 */
function moreFrom(real: Arrival, count: number, fromMs: number, spreadMs: number): FusionInput[] {
  return Array.from({ length: count }, (_, i) => {
    const timeMs = real.timeMs + fromMs + (count === 1 ? 0 : (i * spreadMs) / (count - 1));
    const record = {
      id: `more-${i}`,
      sourceId: real.sensorId,
      kind: 'acoustic',
      observedAt: new Date(Math.round(timeMs)).toISOString(),
      timeUncertaintyMs: 10,
      location: { lat: real.lat, lon: real.lon, ceM: 5 },
      payload: { signal: 'launch' },
    } as const;
    return fusionInputOfRecord(record, 1_000 + i);
  });
}

/** The real fitter, noting every arrival it was handed. */
function recordingFitter(): { fitter: AcousticFitter; handed: Set<string> } {
  const handed = new Set<string>();
  const fitter: AcousticFitter = (candidates, groupFits) => {
    for (const a of candidates) handed.add(a.input.recordId);
    return fitArrivals(candidates, groupFits);
  };
  return { fitter, handed };
}

/**
 * Eight sensors hear one launch; the one whose arrival leaves the longest reach after it in the
 * seed's window (the farthest from the seed's sensor, for the time it heard) also reports `extra`.
 */
function scene(extra: (real: Arrival) => FusionInput[]): { inputs: FusionInput[]; noisy: Arrival } {
  const arrivals = heardBy(8);
  const [seed] = arrivals;
  assert.ok(seed);
  const reach = (a: Arrival): number => {
    const p = TEST_FRAME.toLocal(a.lat, a.lon);
    const q = TEST_FRAME.toLocal(seed.lat, seed.lon);
    return (Math.hypot(p.east - q.east, p.north - q.north) / 320) * 1000 - (a.timeMs - seed.timeMs);
  };
  const noisy = arrivals.slice(1).reduce((best, a) => (reach(a) > reach(best) ? a : best));
  return { inputs: [...arrivals.map((a) => a.input), ...extra(noisy)], noisy };
}

const membersOf = (engine: FusionEngine, inputs: readonly FusionInput[]): string[][] => {
  engine.add(inputs);
  return engine.drain(true).events.map((e) => e.provenance.map((c) => c.recordId).sort());
};

test('a sensor reporting more arrivals than any array tells apart has them set aside; the others still place the launch', () => {
  // 500 arrivals within 4 s of its own real one: every one of them has 500 within its window.
  const { inputs, noisy } = scene((real) => moreFrom(real, 500, -2_000, 4_000));
  const { fitter, handed } = recordingFitter();
  const engine = new FusionEngine({ fitAcoustic: fitter });
  engine.add(inputs);
  const drained = engine.drain(true);
  assert.equal(drained.events.length, 1);
  const members = drained.events[0]?.provenance.map((c) => c.recordId) ?? [];
  assert.equal(members.length, 7, 'the seven sensors that behave');
  assert.equal(
    members.includes(noisy.input.recordId),
    false,
    'the crowded sensor is set aside, its real arrival too',
  );
  assert.equal(
    [...handed].some((id) => id.startsWith('more-')),
    false,
    'association never saw the flood',
  );
  assert.equal(
    drained.finalizedThroughSeq,
    Math.max(...inputs.map((i) => i.seq)),
    'every arrival accounted for',
  );
  const ofNoisy = inputs.filter((i) => i.sourceId === noisy.sensorId);
  assert.equal(ofNoisy.length, 501);
  assert.deepEqual(
    drained.setAside,
    ofNoisy
      .map((i) => ({ seq: i.seq, sourceId: i.sourceId, timeMs: i.observedAtMs, reason: 'crowded' }))
      .sort((a, b) => a.timeMs - b.timeMs || a.seq - b.seq),
    'every arrival of the crowded sensor is named as set aside, once, and no other',
  );
});

test(`up to ${CROWD_LIMIT} arrivals of a sensor within ${CROWD_WINDOW_MS / 1000} s are taken as they come; one more and all of them are set aside`, () => {
  // All within 4.5 s of each other, so each one's window holds all; none close enough to the real one
  // to be taken for it.
  const near = (count: number) => scene((real) => moreFrom(real, count, 500, 4_000));
  // The real arrival is one of the sensor's: CROWD_LIMIT in all.
  const within = near(CROWD_LIMIT - 1);
  const [event] = membersOf(new FusionEngine({ fitAcoustic: fitArrivals }), within.inputs);
  assert.ok(event, 'the launch is placed');
  assert.ok(event.includes(within.noisy.input.recordId), 'not crowded: its real arrival joins the launch');
  assert.equal(event.length, 8);

  const beyond = near(CROWD_LIMIT);
  const { fitter, handed } = recordingFitter();
  const [without] = membersOf(new FusionEngine({ fitAcoustic: fitter }), beyond.inputs);
  assert.equal(without?.includes(beyond.noisy.input.recordId), false);
  assert.equal(without.length, 7);
  assert.equal(
    [...handed].some((id) => id.startsWith('more-')),
    false,
    "none of that sensor's arrivals reached association",
  );
});

/** Arrivals at two far sensors `afterMs` past `real`: the watermark passes every group of the scene. */
function watermarkPast(real: Arrival, afterMs: number, seq: number): FusionInput[] {
  return ['ac-far-1', 'ac-far-2'].map((sourceId, i) =>
    fusionInputOfRecord(
      {
        id: `${sourceId}-${seq}`,
        sourceId,
        kind: 'acoustic',
        observedAt: new Date(Math.round(real.timeMs + afterMs)).toISOString(),
        timeUncertaintyMs: 10,
        location: { ...TEST_FRAME.toGeo(200_000, i * 1_000), ceM: 5 },
        payload: { signal: 'impact' },
      },
      seq + i,
    ),
  );
}

test('which arrivals are crowded does not depend on the order they come in, nor on when the engine is drained', () => {
  const { inputs, noisy } = scene((real) => moreFrom(real, 3 * CROWD_LIMIT, -8_000, 30_000));
  const closing = watermarkPast(noisy, 300_000, 5_000);
  const inOrder = membersOf(new FusionEngine({ fitAcoustic: fitArrivals }), [...inputs, ...closing]);
  assert.equal(inOrder.length, 1);
  // Reversed, a few at a time, drained after each; the group is made in a drain that is not the last.
  const reversed = [...inputs].reverse();
  const engine = new FusionEngine({ fitAcoustic: fitArrivals, provisional: true });
  for (let i = 0; i < reversed.length; i += 37) {
    engine.add(reversed.slice(i, i + 37));
    engine.drain(false);
  }
  engine.add(closing);
  const made = engine.drain(false);
  assert.deepEqual(
    made.events
      .filter((e) => !made.provisional.has(e))
      .map((e) => e.provenance.map((c) => c.recordId).sort()),
    inOrder,
  );
  assert.ok(
    made.finalizedThroughSeq >= Math.max(...inputs.map((i) => i.seq)),
    'every crowded arrival retired',
  );
  assert.deepEqual(engine.drain(true).events, []);
});

test('each arrival set aside is named once, in whichever drain sets it aside', () => {
  // Ten a second for 20 s: those of the middle are crowded, those near either end not.
  const { inputs, noisy } = scene((real) => moreFrom(real, 200, -10_000, 20_000));
  const closing = watermarkPast(noisy, 300_000, 5_000);
  const once = new FusionEngine({ fitAcoustic: fitArrivals });
  once.add([...inputs, ...closing]);
  const expected = once.drain(true).setAside.map((a) => a.seq);
  const flood = inputs.filter((i) => i.sourceId === noisy.sensorId).length;
  assert.ok(expected.length > 100 && expected.length < flood, `${expected.length} of ${flood} crowded`);

  const engine = new FusionEngine({ fitAcoustic: fitArrivals, provisional: true });
  const named: number[] = [];
  const reversed = [...inputs].reverse();
  for (let i = 0; i < reversed.length; i += 23) {
    engine.add(reversed.slice(i, i + 23));
    named.push(...engine.drain(false).setAside.map((a) => a.seq));
  }
  engine.add(closing);
  named.push(...engine.drain(false).setAside.map((a) => a.seq));
  named.push(...engine.drain(true).setAside.map((a) => a.seq));
  assert.deepEqual(
    named.sort((a, b) => a - b),
    expected.sort((a, b) => a - b),
  );
});

/** An acoustic record of `sourceId` at `timeMs`, far from the scene unless placed (`at`). */
function acousticAt(id: string, sourceId: string, timeMs: number, seq: number, at?: Arrival): FusionInput {
  const place = at === undefined ? TEST_FRAME.toGeo(200_000, sourceId.length * 1_000) : at;
  return fusionInputOfRecord(
    {
      id,
      sourceId,
      kind: 'acoustic',
      observedAt: new Date(Math.round(timeMs)).toISOString(),
      timeUncertaintyMs: 10,
      location: { lat: place.lat, lon: place.lon, ceM: 5 },
      payload: { signal: 'launch' },
    },
    seq,
  );
}

test('a restart from the cursor reads a crowded stretch again whole: the sensor stays set aside', () => {
  const arrivals = heardBy(8);
  const noisy = arrivals[5];
  assert.ok(noisy);
  // The flooding sensor delivers its burst (100 within a second of its real arrival) before the
  // others deliver anything; the launch's arrivals come after, then two far sensors move the
  // watermark to 1 ms before the real arrival: part of the burst is past the horizon, part not.
  const burst = Array.from({ length: 100 }, (_, i) =>
    acousticAt(`x-${i}`, noisy.sensorId, noisy.timeMs - 500 + i * 10 + 3, 1_000 + i, noisy),
  );
  const launch = arrivals.map((a, i) => ({ ...a.input, seq: 2_001 + i }));
  const horizonMs = noisy.timeMs - 1;
  const watermark = horizonMs + 120_000 + 140_625;
  const far = [
    acousticAt('f-1', 'ac-far-1', watermark, 3_000),
    acousticAt('f-2', 'ac-far-2', watermark, 3_001),
  ];
  const all = [...burst, ...launch, ...far];
  const members = (events: readonly { id: string; provenance: readonly { recordId: string }[] }[]) =>
    events.map(
      (e) =>
        `${e.id}: ${e.provenance
          .map((c) => c.recordId)
          .sort()
          .join(',')}`,
    );

  const live = new FusionEngine({ fitAcoustic: fitArrivals });
  live.add(all);
  const first = live.drain(false);
  const made = members(first.events);
  assert.equal(made.length, 1);
  assert.ok(!made.join().includes(noisy.input.recordId), 'the crowded sensor set aside');
  assert.ok(first.finalizedThroughSeq < 1_000, 'the cursor stays below the crowded stretch');

  const restarted = new FusionEngine({ fitAcoustic: fitArrivals });
  restarted.add(all.filter((input) => input.seq > first.finalizedThroughSeq));
  assert.deepEqual(members(restarted.drain(false).events), made);
});

test('a restart whose first observations are all from one sensor does not let that sensor move the watermark', () => {
  const arrivals = heardBy(8);
  const [seed, ...partners] = arrivals;
  assert.ok(seed);
  // Before the cursor: two far sensors an hour earlier. After it: the seed's sensor, then the same
  // sensor 23 h ahead (a wrong clock), two far sensors 10 s on, the partners, and the far sensors
  // past the group's window.
  const history = [
    acousticAt('h-1', 'ac-far-1', seed.timeMs - 3_600_000, 1),
    acousticAt('h-2', 'ac-far-2', seed.timeMs - 3_600_000, 2),
  ];
  const own = [
    { ...seed.input, seq: 10 },
    acousticAt('ahead', seed.sensorId, seed.timeMs + 23 * 3_600_000, 11, seed),
  ];
  const soon = [
    acousticAt('n-1', 'ac-far-1', seed.timeMs + 10_000, 20),
    acousticAt('n-2', 'ac-far-2', seed.timeMs + 10_000, 21),
  ];
  const rest = partners.map((a, i) => ({ ...a.input, seq: 30 + i }));
  const past = [
    acousticAt('w-1', 'ac-far-1', seed.timeMs + 400_000, 40),
    acousticAt('w-2', 'ac-far-2', seed.timeMs + 400_000, 41),
  ];
  const run = (pages: readonly FusionInput[][]) => {
    const engine = new FusionEngine({ fitAcoustic: fitArrivals });
    return pages.flatMap((p) => {
      engine.add(p);
      return engine.drain(false).events.map((e) => `${e.id}: ${e.provenance.length}`);
    });
  };
  const whole = run([history, [...own, ...soon], rest, past]);
  assert.deepEqual(whole.length, 1);
  // The pipeline re-reads pages after the cursor (9) and drains after each.
  assert.deepEqual(run([own, soon, rest, past]), whole);
});

test(`a seed's candidates take at most ${MAX_CANDIDATES_PER_SENSOR} arrivals of one sensor, the earliest`, () => {
  // Five a second for 20 s after the real one: never more than CROWD_LIMIT within a window, all
  // within the seed's reach.
  const { inputs, noisy } = scene((real) => moreFrom(real, 100, 500, 20_000));
  const calls: Arrival[][] = [];
  const fitter: AcousticFitter = (candidates, groupFits) => {
    calls.push([...candidates]);
    return fitArrivals(candidates, groupFits);
  };
  const [event] = membersOf(new FusionEngine({ fitAcoustic: fitter }), inputs);
  const ofNoisy = (call: readonly Arrival[]) => call.filter((a) => a.sensorId === noisy.sensorId);
  assert.equal(Math.max(...calls.map((call) => ofNoisy(call).length)), MAX_CANDIDATES_PER_SENSOR);
  // The first seed is the launch's: of that sensor, its real arrival and the 63 after it.
  assert.deepEqual(
    ofNoisy(calls[0] ?? []).map((a) => a.input.recordId),
    [noisy.input.recordId, ...Array.from({ length: MAX_CANDIDATES_PER_SENSOR - 1 }, (_, i) => `more-${i}`)],
  );
  assert.ok(event, 'the launch is placed');
  assert.ok(event.includes(noisy.input.recordId), 'the real arrival, the earliest, still joins');
  assert.equal(event.length, 8);
});

test(`candidates are capped at ${MAX_CANDIDATES_PER_SENSOR} a sensor and ${MAX_CANDIDATES} in all, the earliest kept with their places`, () => {
  const [model] = heardBy(1);
  assert.ok(model);
  // Twelve sensors, 70 arrivals each, interleaved in time: waiting places 0, 1, 2, …
  const candidates: Arrival[] = Array.from({ length: 12 * 70 }, (_, k) => ({
    ...model,
    sensorId: `ac-${k % 12}`,
    timeMs: model.timeMs + k,
  }));
  const at = candidates.map((_, k) => k);
  const kept = capCandidates(candidates, at);
  assert.equal(kept.candidates.length, MAX_CANDIDATES);
  assert.deepEqual(
    kept.at,
    Array.from({ length: MAX_CANDIDATES }, (_, k) => k),
    'the earliest, in order',
  );
  assert.ok(kept.candidates.every((a, k) => a === candidates[kept.at[k] ?? -1]));

  const fewSensors = candidates.filter((a) => a.sensorId === 'ac-0' || a.sensorId === 'ac-1');
  const perSensor = capCandidates(
    fewSensors,
    fewSensors.map((_, k) => k),
  );
  assert.equal(perSensor.candidates.length, 2 * MAX_CANDIDATES_PER_SENSOR);
  assert.deepEqual(
    perSensor.candidates.filter((a) => a.sensorId === 'ac-1'),
    fewSensors.filter((a) => a.sensorId === 'ac-1').slice(0, MAX_CANDIDATES_PER_SENSOR),
  );
});

test("a candidate's crowding is decided before its seed is taken: drained live or all at once, the same events", () => {
  // Every candidate an inlier (from four on): what is tested is which arrivals reach the fitter.
  const allIn: AcousticFitter = (c) =>
    c.length < 4 || c[0] === undefined
      ? null
      : {
          inliers: [...c],
          location: { lat: c[0].lat, lon: c[0].lon, covariance: [1, 0, 1] },
          timeMs: c[0].timeMs,
          timeSigmaMs: 10,
          residualsS: c.map(() => 0),
          trusted: true,
        };
  const at = (id: string, sourceId: string, timeMs: number, seq: number, eastM: number, sigmaMs = 10) => {
    const { lat, lon } = TEST_FRAME.toGeo(eastM, 0);
    return fusionInputOfRecord(
      {
        id,
        sourceId,
        kind: 'acoustic',
        observedAt: new Date(Math.round(timeMs)).toISOString(),
        timeUncertaintyMs: sigmaMs,
        location: { lat, lon, ceM: 5 },
        payload: { signal: 'launch' },
      },
      seq,
    );
  };
  const t0 = Date.parse('2020-07-28T10:00:00Z');
  const lateness = 120_000;
  // The watermark puts the seed exactly at the horizon less half a crowding window (the first version's
  // seed horizon): 45 km at 320 m/s of longest travel.
  const watermark = t0 + lateness + 140_625 + CROWD_WINDOW_MS / 2;
  // A seed and three partners near it; sensor N, 46 km away, has exactly CROWD_LIMIT arrivals within
  // a second, a whole travel after the seed: candidates of it, not crowded yet.
  const group = [0, 1_000, 1_500, 2_000].map((d, i) => at(`g${i}`, `ac-g${i}`, t0 + d, i + 1, i * 300, 250));
  const flood = Array.from({ length: CROWD_LIMIT }, (_, i) =>
    at(`N-${i}`, 'ac-N', t0 + 141_000 + i * 9, 10 + i, 46_000, 250),
  );
  const far = [at('F1', 'ac-F1', watermark, 100, 200_000), at('F2', 'ac-F2', watermark, 101, 201_000)];
  // One more of N, within the lateness allowance (not late), inside the last candidates' windows.
  const late = at('N-late', 'ac-N', watermark - lateness + 400, 200, 46_000, 250);
  const on = [
    at('F1b', 'ac-F1', watermark + 150_000, 300, 200_000),
    at('F2b', 'ac-F2', watermark + 150_000, 301, 201_000),
  ];
  const members = (events: readonly EventDraft[]) =>
    events.map((e) =>
      e.provenance
        .map((c) => c.recordId)
        .sort()
        .join(','),
    );

  const live = new FusionEngine({ fitAcoustic: allIn });
  live.add([...group, ...flood, ...far]);
  const first = live.drain(false);
  live.add([late]);
  const second = live.drain(false);
  live.add(on);
  const third = live.drain(false);
  const liveEvents = members([...first.events, ...second.events, ...third.events]);

  const file = new FusionEngine({ fitAcoustic: allIn });
  file.add([...group, ...flood, ...far, late, ...on]);
  const whole = file.drain(true);
  assert.deepEqual(liveEvents, members(whole.events));
  assert.equal(first.setAside.length + second.setAside.length + third.setAside.length, whole.setAside.length);
  assert.ok(whole.setAside.length > 0, 'the late arrival crowds the flood');
});
