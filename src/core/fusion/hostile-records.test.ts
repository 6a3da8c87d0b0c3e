/**
 * Records that validation accepts but that once made the engine throw — the pipeline re-reads from its
 * cursor after a failed run, so a throw at one record halted fusion at that record for good — or that
 * placed an event where the monitors stood.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FusionEngine, MAX_FUSED_LATITUDE, type EventDraft } from './engine.ts';
import { fitArrivals } from './fit-arrivals.ts';
import { isPositiveDefinite2 } from './gaussian.ts';
import { fusionInputOfRecord, type FusionInput } from './inputs.ts';
import { LocalFrame } from './local-frame.ts';
import { observationSchema } from '../observations/schema.ts';

const START_MS = Date.parse('2020-07-28T10:00:00Z');

/** A launch at (lat, lon) heard by `count` arrays on a ring of 6–14 km, as validated records. */
function ring(lat: number, lon: number, count: number): object[] {
  const frame = new LocalFrame(lat, lon);
  return Array.from({ length: count }, (_, i) => {
    const angle = (i / count) * 2 * Math.PI + 0.3;
    const radius = 6_000 + (i % 3) * 4_000;
    const p = frame.toGeo(radius * Math.sin(angle), radius * Math.cos(angle));
    return {
      id: `a-${i}`,
      sourceId: `ac-${i}`,
      kind: 'acoustic',
      observedAt: new Date(START_MS + Math.round((radius / 340) * 1000)).toISOString(),
      timeUncertaintyMs: 10,
      location: { lat: p.lat, lon: p.lon, ceM: 5 },
      payload: { signal: 'launch' },
    };
  });
}

function radar(origin: { lat: number; lon: number }): object {
  return {
    id: 'rd-1',
    sourceId: 'rd-1',
    kind: 'radar',
    observedAt: new Date(START_MS).toISOString(),
    timeUncertaintyMs: 500,
    location: { lat: 48, lon: 38, ceM: 10 },
    payload: {
      track: 'origin',
      origin: { ...origin, ellipse: { semiMajorM: 100, semiMinorM: 60, orientationDeg: 30 } },
    },
  };
}

/** The records as the pipeline gives them to the engine, each checked to pass validation first. */
function inputs(records: readonly object[]): FusionInput[] {
  return records.map((record, i) => {
    const checked = observationSchema.safeParse(record);
    assert.ok(checked.success, JSON.stringify(checked.error?.issues));
    return fusionInputOfRecord(checked.data, i + 1);
  });
}

/** The events as they stand after the drains a file ingest and a live server make, to the end. */
function drainAll(records: readonly object[]): EventDraft[][] {
  return [false, true].map((provisional) => {
    const engine = new FusionEngine({ fitAcoustic: fitArrivals, provisional });
    engine.add(inputs(records));
    const standing = new Map<string, EventDraft>();
    for (const final of [false, true]) for (const e of engine.drain(final).events) standing.set(e.id, e);
    return [...standing.values()];
  });
}

test('arrivals of sensors at the pole are stored but not grouped, and the drain goes on', () => {
  const polar = [89.95, 90].flatMap((lat, k) =>
    [0, 1].map((i) => ({
      id: `p-${k}-${i}`,
      sourceId: `ac-p${i}`,
      kind: 'acoustic',
      observedAt: new Date(START_MS + 2_000 * k + i).toISOString(),
      timeUncertaintyMs: 1_000,
      location: { lat, lon: 10 * i, ceM: 5 },
      payload: { signal: 'impulse' },
    })),
  );
  for (const events of drainAll([...polar, ...ring(48.3, 38, 8)])) {
    assert.equal(events.length, 1, 'the launch heard elsewhere is still grouped');
    assert.ok(events[0]?.provenance.every((c) => !c.sourceId.startsWith('ac-p')));
  }
  assert.ok(MAX_FUSED_LATITUDE < 89.9 - 0.9, 'a fit within 100 km of its sensors stays inside the frames');
});

test('a radar origin at the pole joins no launch, and the launch heard at that time is still grouped', () => {
  for (const events of drainAll([radar({ lat: 90, lon: 0 }), ...ring(48.3, 38, 8)])) {
    assert.deepEqual(events.map((e) => e.method).sort(), ['acoustic-tdoa', 'radar']);
  }
});

test('a fit that places nothing — its covariance of rank one — is no event, and a radar track beside it stands', () => {
  // Two arrivals stating errors of 11.6 days (validation takes up to ten years) leave one time
  // difference: the position's covariance was numerically singular, and comparing it with the radar
  // track threw.
  const arrival = (i: number, observedAt: string, lat: number, lon: number, timeUncertaintyMs: number) => ({
    id: `a-${i}`,
    sourceId: `ac-${i}`,
    kind: 'acoustic',
    observedAt,
    timeUncertaintyMs,
    location: { lat, lon, ceM: 5 },
    payload: { signal: 'launch' },
  });
  const records = [
    radar({ lat: 48.1, lon: 37.7 }),
    arrival(0, '2020-07-28T10:00:17.647058838Z', 48.351545996816256, 38.02392328650803, 10),
    arrival(1, '2020-07-28T10:00:29.411764648Z', 48.2733514264908, 38.12869908650486, 10),
    arrival(2, '2020-07-28T10:00:41.176470703Z', 48.17970492106914, 37.9443658347181, 1e9),
    arrival(3, '2020-07-28T10:00:17.647058838Z', 48.315919904437415, 37.92271635460731, 1e9),
  ];
  for (const events of drainAll(records)) {
    for (const e of events) if (e.location !== null) assert.ok(isPositiveDefinite2(e.location.covariance));
    assert.ok(events.some((e) => e.method === 'radar'));
    assert.equal(
      events.some((e) => e.method.startsWith('acoustic')),
      false,
    );
  }
});

test('a launch heard across the antimeridian is one event', () => {
  for (const events of drainAll(ring(48.3, 180, 8))) {
    assert.equal(events.length, 1);
    assert.equal(events[0]?.provenance.length, 8);
  }
});

test("a patrol's sighting and impediment do not place the event where the monitors stood", () => {
  const observer = { lat: 48.654321, lon: 37.876543, ceM: 10 };
  const patrol = (id: string, payload: object, location?: object) => ({
    id,
    sourceId: 'patrol-1',
    kind: 'patrol',
    observedAt: new Date(START_MS).toISOString(),
    timeUncertaintyMs: 600_000,
    ...(location === undefined ? {} : { location }),
    payload: { observer, patrolId: 'p-7', ...payload },
  });
  const sighting = { report: 'sighting', objectType: 'weapon', count: 2 };
  const [events] = drainAll([
    patrol('s-1', { ...sighting, distanceBand: { minKm: 3, maxKm: 5 }, bearingDeg: 90 }),
    patrol('s-2', sighting),
    patrol('s-3', sighting, { lat: 48.7, lon: 37.9, ceM: 200 }),
    patrol('i-1', { report: 'impediment', impediment: 'denied' }),
  ]);
  const of = (recordId: string) => events?.find((e) => e.provenance[0]?.recordId === recordId);
  // Along the bearing, at the middle of the band, with the band's spread along it.
  const projected = of('s-1')?.location;
  assert.ok(projected);
  const p = new LocalFrame(observer.lat, observer.lon).toLocal(projected.lat, projected.lon);
  assert.ok(Math.abs(p.east - 4_000) < 1 && Math.abs(p.north) < 1, JSON.stringify(p));
  const [ee, , nn] = projected.covariance;
  assert.ok(Math.abs(Math.sqrt(ee) - 2_000 / Math.sqrt(12)) < 1, 'the band, uniform, along the bearing');
  assert.ok(nn > ee, 'the bearing error across it, at 4 km');
  assert.equal(of('s-2')?.location, null, 'no band and bearing: no place');
  assert.deepEqual(of('s-3')?.location?.lat, 48.7, 'a reported place is kept');
  const impediment = of('i-1')?.location;
  assert.ok(impediment);
  assert.deepEqual([impediment.lat, impediment.lon], [48.65, 37.88]);
  assert.ok(impediment.covariance[0] >= 1_000 ** 2);
});
