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
  const [without] = membersOf(new FusionEngine({ fitAcoustic: fitArrivals }), beyond.inputs);
  assert.equal(without?.includes(beyond.noisy.input.recordId), false);
  assert.equal(without.length, 7);
});

test('which arrivals are crowded does not depend on the order they come in, nor on when the engine is drained', () => {
  const { inputs } = scene((real) => moreFrom(real, 3 * CROWD_LIMIT, -8_000, 30_000));
  const inOrder = membersOf(new FusionEngine({ fitAcoustic: fitArrivals }), inputs);
  const reversed = [...inputs].reverse();
  const engine = new FusionEngine({ fitAcoustic: fitArrivals, provisional: true });
  for (let i = 0; i < reversed.length; i += 37) {
    engine.add(reversed.slice(i, i + 37));
    engine.drain(false);
  }
  const last = engine.drain(true).events.filter((e) => e.status === 'active');
  assert.deepEqual(
    last.map((e) => e.provenance.map((c) => c.recordId).sort()),
    inOrder,
  );
  assert.equal(inOrder.length, 1);
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
