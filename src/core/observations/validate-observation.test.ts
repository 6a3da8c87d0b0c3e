import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  corruptedRecord,
  jsonRoundTrip,
  observation,
  withoutTransport,
} from '../../../test/helpers/observation-arbitraries.ts';
import { validCopier } from '../validation/valid-copy.ts';
import { canonicalJson } from './canonical-json.ts';
import { observationSchema } from './schema.ts';
import { validateObservation } from './validate-observation.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const now = Date.parse('2026-03-01T12:00:00Z');

const acoustic = () => ({
  id: 'a-1',
  sourceId: 'ac-014',
  kind: 'acoustic',
  observedAt: '2026-03-01T11:59:58.120Z',
  timeUncertaintyMs: 10,
  location: { lat: 48.1, lon: 37.7, ceM: 5 },
  payload: { signal: 'launch', bearingDeg: 271.5 },
  batchId: 'b-7',
});

const patrol = () => ({
  id: 'p-1',
  sourceId: 'patrol-donetsk-2',
  kind: 'patrol',
  observedAt: '2026-03-01T10:02:00+02:00',
  timeUncertaintyMs: 60_000,
  payload: {
    report: 'fire',
    observer: { lat: 48.05, lon: 37.96, ceM: 30 },
    mode: 'heard',
    eventType: 'explosion',
    direction: 'incoming',
    distanceBand: { minKm: 3, maxKm: 5 },
    bearingDeg: 90,
    count: 4,
  },
});

const issuesOf = (raw: unknown) => {
  const result = validateObservation(raw, now, sha256);
  assert.equal(result.ok, false, 'expected a rejection');
  return result.ok ? [] : result.issues;
};

test('a valid record yields its index fields and a content hash that ignores transport fields', () => {
  const result = validateObservation(acoustic(), now, sha256);
  assert.ok(result.ok);
  const { observation } = result;
  assert.equal(observation.lat, 48.1);
  assert.equal(observation.observedAtMs, Date.parse('2026-03-01T11:59:58.120Z'));
  assert.equal(observation.batchId, 'b-7');
  assert.ok(!observation.content.includes('batchId'));
  const resent = validateObservation({ ...acoustic(), batchId: 'other', receivedAt: 'x' }, now, sha256);
  assert.ok(resent.ok);
  assert.equal(resent.observation.contentSha256, observation.contentSha256);
});

test('a patrol report is indexed at the observer', () => {
  const result = validateObservation(patrol(), now, sha256);
  assert.ok(result.ok);
  assert.deepEqual(
    [result.observation.lat, result.observation.lon, result.observation.ceM],
    [48.05, 37.96, 30],
  );
});

test('each problem names its field and reason', () => {
  assert.deepEqual(issuesOf({ ...acoustic(), location: { lat: 91, lon: 37.7, ceM: 5 } }), [
    { path: 'location.lat', reason: 'must be at most 90' },
  ]);
  assert.deepEqual(issuesOf({ ...acoustic(), location: { lat: 48, lon: 37.7, ceM: 0 } }), [
    { path: 'location.ceM', reason: 'must be greater than 0' },
  ]);
  assert.deepEqual(issuesOf({ ...acoustic(), kind: 'telepathy' }), [
    {
      path: 'kind',
      reason:
        'must be one of "acoustic", "seismic", "radar", "camera", "drone", "satellite", "patrol", "complaint", "osint", "heartbeat"',
    },
  ]);
  assert.deepEqual(issuesOf({ ...acoustic(), colour: 'red' }), [
    { path: 'colour', reason: 'is not a known field' },
  ]);
  const { timeUncertaintyMs: _t, ...missing } = acoustic();
  assert.deepEqual(issuesOf(missing), [{ path: 'timeUncertaintyMs', reason: 'is required' }]);
  assert.deepEqual(issuesOf({ ...acoustic(), observedAt: '2026-03-01 11:59' })[0]?.path, 'observedAt');
  assert.deepEqual(issuesOf({ ...acoustic(), observedAt: '2026-03-03T12:00:00Z' }), [
    { path: 'observedAt', reason: 'is more than 24 h after the time the server received it' },
  ]);
  const band = patrol();
  band.payload.distanceBand = { minKm: 5, maxKm: 3 };
  assert.deepEqual(issuesOf(band), [
    { path: 'payload.distanceBand.maxKm', reason: 'maxKm must be greater than minKm' },
  ]);
  const report = { ...patrol(), payload: { ...patrol().payload, report: 'gossip' } };
  assert.equal(issuesOf(report)[0]?.path, 'payload.report');
});

test('ids a column keeps must survive UTF-8 and PostgreSQL exactly: no unpaired surrogate, no NUL', () => {
  const refused = 'must not contain control characters or unpaired surrogates';
  for (const bad of ['r\ud800x', 'r\udc00', 'r\ud800', '\u0000', 'a\tb'])
    for (const [field, path] of [
      ['id', 'id'],
      ['batchId', 'batchId'],
    ] as const)
      assert.deepEqual(
        issuesOf({ ...acoustic(), [field]: bad }),
        [{ path, reason: refused }],
        JSON.stringify(bad),
      );
  // Paired surrogates (a character outside the BMP) and any script are fine.
  for (const good of ['r-🙂-1', 'запис-7', 'b\u00e9'])
    for (const field of ['id', 'batchId'])
      assert.ok(validateObservation({ ...acoustic(), [field]: good }, now, sha256).ok, good);
});

test('every problem of a record is reported, not just the first', () => {
  const issues = issuesOf({ ...acoustic(), timeUncertaintyMs: -1, location: { lat: 100, lon: 200, ceM: 1 } });
  assert.deepEqual(issues.map((i) => i.path).sort(), ['location.lat', 'location.lon', 'timeUncertaintyMs']);
});

test('a radar track must carry the points its type promises', () => {
  const radar = {
    id: 'r-1',
    sourceId: 'radar-3',
    kind: 'radar',
    observedAt: '2026-03-01T11:00:00Z',
    timeUncertaintyMs: 100,
    location: { lat: 48.2, lon: 38.1, ceM: 150 },
    payload: {
      track: 'origin-and-impact',
      origin: { lat: 48.2, lon: 38.1, ellipse: { semiMajorM: 150, semiMinorM: 80, orientationDeg: 30 } },
    },
  };
  assert.deepEqual(issuesOf(radar), [
    { path: 'payload.impact', reason: 'is required when track is "origin-and-impact"' },
  ]);
});

test('a value of the wrong type says what was sent, and only a missing field "is required"', () => {
  assert.deepEqual(issuesOf({ ...acoustic(), timeUncertaintyMs: '10' }), [
    { path: 'timeUncertaintyMs', reason: 'must be a number, not string' },
  ]);
  assert.deepEqual(issuesOf({ ...acoustic(), timeUncertaintyMs: null }), [
    { path: 'timeUncertaintyMs', reason: 'must be a number, not null' },
  ]);
  assert.deepEqual(issuesOf({ ...acoustic(), location: [48, 37] }), [
    { path: 'location', reason: 'must be an object, not an array' },
  ]);
  assert.deepEqual(issuesOf({ ...acoustic(), grading: { reliability: 'A', credibility: 2.5 } }), [
    { path: 'grading.credibility', reason: 'must be a whole number' },
  ]);
});

test('a date that does not exist is rejected, not rolled over', () => {
  assert.deepEqual(issuesOf({ ...acoustic(), observedAt: '2025-02-29T10:00:00Z' }), [
    { path: 'observedAt', reason: 'is not a real date and time' },
  ]);
  assert.deepEqual(issuesOf({ ...acoustic(), observedAt: '2026-04-31T10:00:00Z' }), [
    { path: 'observedAt', reason: 'is not a real date and time' },
  ]);
  for (const observedAt of [
    '2026-02-28T24:00:00Z',
    '2026-02-28T23:60:00Z',
    '2026-02-28T23:59:60Z',
    '2026-02-28T10:00:00+24:00',
  ])
    assert.deepEqual(
      issuesOf({ ...acoustic(), observedAt }),
      [{ path: 'observedAt', reason: 'is not a real date and time' }],
      observedAt,
    );
  assert.ok(validateObservation({ ...acoustic(), observedAt: '2024-02-29T10:00:00Z' }, now, sha256).ok);
  assert.ok(
    validateObservation({ ...acoustic(), observedAt: '2026-02-28T23:59:59.999+03:30' }, now, sha256).ok,
  );
});

test('the stored content is the RFC 8785 text of the record without transport fields, whatever order its keys came in', () => {
  // Members in reverse order: the schema's output order must not be what makes the text canonical.
  const reversed = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value), function (this: unknown, _key, member: unknown) {
      if (member === null || typeof member !== 'object' || Array.isArray(member)) return member;
      return Object.fromEntries(Object.entries(member).reverse());
    }) as unknown;
  fc.assert(
    fc.property(observation({ now }), (record) => {
      const result = validateObservation(reversed(record), now, sha256);
      assert.ok(result.ok, JSON.stringify(result));
      const expected = canonicalJson(reversed(withoutTransport(record)));
      assert.equal(result.observation.content, expected);
      // Sorted keys, no white space: the canonical text parses back to itself.
      assert.equal(canonicalJson(JSON.parse(expected)), expected);
    }),
    { numRuns: 300 },
  );
});

test('the schema gives every object of a record back with its keys in canonical order, so its content is one native JSON.stringify', () => {
  // canonicalJson is right either way; an object declared out of order only makes it take the slow path.
  const disorder = (value: unknown, path: string): string | undefined => {
    if (value === null || typeof value !== 'object') return undefined;
    if (Array.isArray(value))
      return value.map((item, i) => disorder(item, `${path}[${i}]`)).find((found) => found !== undefined);
    let previous: string | undefined;
    for (const [key, member] of Object.entries(value)) {
      if (previous !== undefined && !(previous < key)) return `${path}: ${previous} comes before ${key}`;
      previous = key;
      const found = disorder(member, `${path}.${key}`);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  fc.assert(
    fc.property(fc.oneof(observation({ now }), observation({ now, full: true })), (record) => {
      const parsed = observationSchema.safeParse(record);
      assert.ok(parsed.success);
      assert.equal(disorder(parsed.data, '(root)'), undefined);
    }),
    { numRuns: 500 },
  );
});

const fastCopy = validCopier(observationSchema);

/** The fast path and zod agree on `value`: both accept it (with the same content) or both refuse it. */
function fastPathAgrees(value: unknown): boolean {
  const copied = fastCopy(value);
  const parsed = observationSchema.safeParse(value);
  assert.equal(
    copied !== undefined,
    parsed.success,
    `fast path ${copied === undefined ? 'refused' : 'accepted'}: ${JSON.stringify(value)}`,
  );
  if (parsed.success) {
    // Its copy is in canonical order already: the plain text is the canonical text, and zod's.
    assert.equal(JSON.stringify(copied), canonicalJson(parsed.data));
  }
  return parsed.success;
}

test('the fast path accepts every valid record, of every kind and variant, as zod parses it', () => {
  fc.assert(
    fc.property(fc.oneof(observation({ now }), observation({ now, full: true })), (record) => {
      assert.ok(fastPathAgrees(record));
    }),
    { numRuns: 1000 },
  );
});

test('the fast path refuses every corruption of the catalogue that zod refuses, and only those', () => {
  fc.assert(
    fc.property(corruptedRecord({ now }), ({ corrupted }) => {
      // The catalogue's time-in-the-future and unregistered-source corruptions pass the schema: the
      // fast path must accept them too (validation and the store refuse them later).
      fastPathAgrees(jsonRoundTrip(corrupted));
    }),
    { numRuns: 1000 },
  );
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a member or item of `value`, the root excluded. */
function pathsOf(value: Json, prefix: readonly (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, Json][] = Array.isArray(value)
    ? value.map((item, i): [number, Json] => [i, item])
    : Object.entries(value);
  return entries.flatMap(([key, member]) => [[...prefix, key], ...pathsOf(member, [...prefix, key])]);
}

/** The member of `value` at `path`. */
const memberAt = (value: Json, path: readonly (string | number)[]): Json =>
  path.reduce<Json>((at, key) => (at as Record<string | number, Json>)[key] as Json, value);

const isObject = (value: Json): boolean =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** `record` with the member at `path` replaced by `by`, or deleted when `by` is undefined. */
function mutated(record: Json, path: readonly (string | number)[], by: Json | undefined): Json {
  const copy = structuredClone(record) as Record<string | number, Json>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  if (by === undefined) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else Reflect.deleteProperty(parent, last);
  } else parent[last] = by;
  return copy;
}

test('the fast path and zod agree on records with one member changed anyhow: replaced, removed, or one added', () => {
  const boundaries = fc.constantFrom<Json>(
    0,
    -0,
    -1,
    1.5,
    90.0000001,
    -180.5,
    360,
    1e308,
    -1e308,
    2 ** 53,
    '',
    ' ',
    'Z',
    'x'.repeat(129),
    [],
    {},
  );
  const record = fc
    .oneof(observation({ now }), observation({ now, full: true }))
    .map((r) => jsonRoundTrip(r) as Json);
  const change = record.chain((base) => {
    const paths = pathsOf(base);
    return fc.oneof(
      fc.record({
        base: fc.constant(base),
        path: fc.constantFrom(...paths),
        by: fc.oneof(fc.jsonValue() as fc.Arbitrary<Json>, boundaries),
      }),
      fc.record({ base: fc.constant(base), path: fc.constantFrom(...paths), by: fc.constant(undefined) }),
      fc.record({
        base: fc.constant(base),
        path: fc
          .constantFrom([], ...paths.filter((at) => isObject(memberAt(base, at))))
          .chain((at) => fc.string({ maxLength: 12 }).map((key) => [...at, key])),
        by: fc.jsonValue() as fc.Arbitrary<Json>,
      }),
    );
  });
  let accepted = 0;
  fc.assert(
    fc.property(change, ({ base, path, by }) => {
      if (fastPathAgrees(jsonRoundTrip(mutated(base, path, by)))) accepted += 1;
    }),
    { numRuns: 3000 },
  );
  // Both outcomes were exercised: some changes keep a record valid (an optional member removed).
  assert.ok(accepted > 0 && accepted < 3000, `${accepted} of 3000 accepted`);
});

test('unknown fields are named up to a limit, and the rest counted in one issue', () => {
  const extra = Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`x${i}`, i]));
  const issues = issuesOf({ ...acoustic(), payload: { ...acoustic().payload, ...extra } });
  assert.equal(issues.length, 21);
  assert.deepEqual(issues[0], { path: 'payload.x0', reason: 'is not a known field' });
  assert.deepEqual(issues.at(-1), {
    path: 'payload',
    reason: 'has 980 more fields that are not known (the first 20 are named)',
  });
});
