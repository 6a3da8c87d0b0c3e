// Property tests of ingest through the HTTP API (`app.inject()`) on a real SQLite file: what a sender
// sends valid comes back equal, every single-field mistake is named by its path, resends and
// conflicts are told apart, and no input — however malformed — gets anything but a well-formed
// 200/400/413 answer. Every batch is signed by a registered source's key (one source per batch), and
// reads use a mission analyst's token.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { OBSERVATION_KINDS, type ObservationKind } from '../../src/core/observations/kinds.ts';
import { SOURCE_KINDS, type SourceKind } from '../../src/core/sources/source.ts';
import { errorResponseSchema, ingestReportSchema, observationPageSchema } from '../../src/shared/wire.ts';
import { startHarness, TestClock, type Harness } from '../helpers/app-harness.ts';
import {
  CORRUPTIONS,
  corruptedRecord,
  corruptionBase,
  fitLength,
  jsonRoundTrip,
  observation,
  observationBatch,
  recordKey,
  UNREGISTERED_SOURCE_ID,
  withoutTransport,
  type Corruption,
  type JsonObject,
  type Observation,
  type ObservationBatch,
} from '../helpers/observation-arbitraries.ts';

/** The server's clock in these tests: records may claim up to 24 h after it. */
const NOW = Date.parse('2026-03-01T12:00:00Z');

interface Rejection {
  readonly index: number;
  readonly field: string;
  readonly reason: string;
  readonly sourceId?: string;
  readonly recordId?: string;
  readonly issues: readonly { readonly path: string; readonly reason: string }[];
}

interface Report {
  readonly accepted: number;
  readonly duplicates: number;
  readonly conflicts: number;
  readonly rejected: number;
  readonly rejections: readonly Rejection[];
  readonly lastSeq: number | null;
}

interface StoredItem {
  readonly seq: number;
  readonly receivedAt: string;
  readonly contentSha256: string;
  readonly record: JsonObject;
}

type Format = 'json' | 'json-pretty' | 'ndjson' | 'ndjson-crlf';
const FORMATS: readonly Format[] = ['json', 'json-pretty', 'ndjson', 'ndjson-crlf'];

/** The request body and content type of `records` in `format`. */
function encode(records: readonly unknown[], format: Format): { body: string; type: string } {
  switch (format) {
    case 'json':
      return { body: JSON.stringify(records), type: 'application/json' };
    case 'json-pretty':
      return { body: JSON.stringify(records, null, 2), type: 'application/json; charset=utf-8' };
    case 'ndjson':
      return { body: records.map((r) => JSON.stringify(r)).join('\n'), type: 'application/x-ndjson' };
    case 'ndjson-crlf':
      return {
        body: `${records.map((r) => JSON.stringify(r)).join('\r\n')}\r\n`,
        type: 'application/x-ndjson',
      };
  }
}

/** Posts a body as one batch signed with the key of `signAs`, a source the harness registered. */
async function postRaw(h: Harness, body: string | Buffer, type: string, signAs: string) {
  return h.inject({
    method: 'POST',
    url: '/api/v1/observations',
    headers: { 'content-type': type },
    payload: body,
    signAs,
  });
}

/** The source whose key signs a record: its own source if registered with a key, else the first registered. */
function signerOf(h: Harness, record: unknown): string {
  const sourceId = (record as { sourceId?: unknown } | null)?.sourceId;
  if (typeof sourceId === 'string' && h.keys.has(sourceId)) return sourceId;
  const [first] = h.keys.keys();
  assert.ok(first !== undefined, 'the harness has a registered source');
  return first;
}

/**
 * Posts records and returns the report, failing unless every answer is 200 in the report shape.
 * A signed batch may hold only its signing source's records, so the records go as one batch per
 * source (a record naming no registered source goes with the first registered source's batch, and
 * is rejected at `sourceId`), in the order the sources first appear; the reports are merged into
 * one, each rejection's index being the record's position in `records`.
 */
async function post(h: Harness, records: readonly unknown[], format: Format = 'json'): Promise<Report> {
  const groups = new Map<string, number[]>();
  records.forEach((record, index) => {
    const signer = signerOf(h, record);
    groups.set(signer, [...(groups.get(signer) ?? []), index]);
  });
  if (groups.size === 0) groups.set(signerOf(h, undefined), []);
  const merged = {
    accepted: 0,
    duplicates: 0,
    conflicts: 0,
    rejected: 0,
    rejections: [] as Rejection[],
    lastSeq: null as number | null,
  };
  for (const [signer, indexes] of groups) {
    const { body, type } = encode(
      indexes.map((i) => records[i]),
      format,
    );
    const res = await postRaw(h, body, type, signer);
    assert.equal(res.statusCode, 200, `POST answered ${res.statusCode}: ${res.body.slice(0, 500)}`);
    const report = res.json<Report>();
    ingestReportSchema.parse(report);
    merged.accepted += report.accepted;
    merged.duplicates += report.duplicates;
    merged.conflicts += report.conflicts;
    merged.rejected += report.rejected;
    for (const rejection of report.rejections) {
      const index = indexes[rejection.index];
      assert.ok(index !== undefined, `rejection index ${rejection.index} is within the batch`);
      merged.rejections.push({ ...rejection, index });
    }
    if (report.lastSeq !== null) merged.lastSeq = Math.max(merged.lastSeq ?? 0, report.lastSeq);
  }
  merged.rejections.sort((a, b) => a.index - b.index);
  return merged;
}

/** Every stored observation of these sources, following `next` with small pages. */
async function readAll(h: Harness, sourceIds: readonly string[], limit = 7): Promise<StoredItem[]> {
  const items: StoredItem[] = [];
  let after: string | null = null;
  for (;;) {
    const query = new URLSearchParams({ source: sourceIds.join(','), limit: String(limit) });
    if (after !== null) query.set('after', after);
    const res = await h.inject({ url: `/api/v1/observations?${query.toString()}` });
    assert.equal(res.statusCode, 200, res.body);
    const page: { items: readonly StoredItem[]; next: string | null } = observationPageSchema.parse(
      res.json(),
    );
    items.push(...page.items);
    if (page.next === null) return items;
    assert.ok(page.items.length === limit, 'a page before the last is full');
    after = page.next;
  }
}

/** RFC 8785 canonical JSON, written here independently of the product's. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const object = value as JsonObject;
  return `{${Object.keys(object)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonical(object[key])}`)
    .join(',')}}`;
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** What the server must store for a record it accepted: the record without transport fields. */
const expectedStored = (record: Observation | JsonObject): unknown => jsonRoundTrip(withoutTransport(record));

/** A fresh harness (new SQLite file) with the batch's sources registered. */
const harnessFor = (batch: ObservationBatch): Promise<Harness> =>
  startHarness({ clock: new TestClock(NOW), sources: batch.sources.map(({ id, kind }) => ({ id, kind })) });

/** The same record with every object's keys in another order. */
function shuffleKeys(value: unknown, seed: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item: unknown) => shuffleKeys(item, seed + 1));
  const entries = Object.entries(value as JsonObject);
  const rotated = entries.map((_, i) => entries[(i + seed) % entries.length]!).reverse();
  return Object.fromEntries(rotated.map(([k, v]) => [k, shuffleKeys(v, seed + 1)]));
}

const batchArb = observationBatch({ now: NOW, maxLength: 12 });

describe('ingest properties: valid records', () => {
  test('valid records of every kind and variant are all accepted and read back equal', async () => {
    await fc.assert(
      fc.asyncProperty(batchArb, fc.constantFrom(...FORMATS), async (batch, format) => {
        const h = await harnessFor(batch);
        try {
          const report = await post(h, batch.records, format);
          assert.deepEqual(
            { ...report, lastSeq: null },
            {
              accepted: batch.records.length,
              duplicates: 0,
              conflicts: 0,
              rejected: 0,
              rejections: [],
              lastSeq: null,
            },
          );
          assert.equal(typeof report.lastSeq, 'number');

          const stored = await readAll(
            h,
            batch.sources.map((s) => s.id),
          );
          assert.equal(stored.length, batch.records.length, 'every accepted record is stored once');
          assert.equal(
            new Set(stored.map((i) => i.seq)).size,
            stored.length,
            'commit sequences are distinct',
          );
          assert.ok(
            stored.every((i) => i.seq <= (report.lastSeq ?? 0)),
            'lastSeq is the highest sequence written',
          );
          const sent = new Map(batch.records.map((r) => [recordKey(r), r]));
          for (const item of stored) {
            const key = recordKey(item.record as { sourceId: string; id: string });
            const original = sent.get(key);
            assert.ok(original !== undefined, `stored a record that was not sent: ${key}`);
            assert.deepStrictEqual(item.record, expectedStored(original));
            assert.equal(
              item.contentSha256,
              sha256(canonical(item.record)),
              'the content hash is SHA-256 of RFC 8785 JSON',
            );
            assert.equal(item.receivedAt, new Date(NOW).toISOString());
            sent.delete(key);
          }
          // One record fetched by its sequence is the same.
          const one = stored[0]!;
          const bySeq = await h.inject({ url: `/api/v1/observations/${one.seq}` });
          assert.equal(bySeq.statusCode, 200);
          assert.deepStrictEqual(bySeq.json<StoredItem>(), one);
        } finally {
          await h.close();
        }
      }),
      { numRuns: 25 },
    );
  });

  test('a resend reports only duplicates and stores nothing more, whatever its transport fields, key order or format', async () => {
    await fc.assert(
      fc.asyncProperty(
        batchArb,
        fc.constantFrom(...FORMATS),
        fc.constantFrom(...FORMATS),
        fc.nat(),
        fc.option(fc.string({ minLength: 1, maxLength: 128 }), { nil: undefined }),
        async (batch, firstFormat, resendFormat, seed, batchId) => {
          const h = await harnessFor(batch);
          try {
            await post(h, batch.records, firstFormat);
            const ids = batch.sources.map((s) => s.id);
            const before = await readAll(h, ids, 1000);
            const resend = batch.records.map((record) => {
              const copy: JsonObject = { ...withoutTransport(record), receivedAt: '1999-01-01T00:00:00Z' };
              if (batchId !== undefined) copy.batchId = batchId;
              return shuffleKeys(copy, seed);
            });
            const report = await post(h, resend, resendFormat);
            assert.deepEqual(report, {
              accepted: 0,
              duplicates: batch.records.length,
              conflicts: 0,
              rejected: 0,
              rejections: [],
              lastSeq: null,
            });
            assert.deepStrictEqual(await readAll(h, ids, 1000), before, 'the store did not change');
            assert.equal(await h.deps.store.observations.count(), batch.records.length);
          } finally {
            await h.close();
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  test('a record that reuses an id with different content is a conflict, and the stored one stays unchanged', async () => {
    const changedArb = batchArb.chain((batch) =>
      fc.nat({ max: batch.records.length - 1 }).chain((i) => {
        const original = batch.records[i]!;
        const other = observation({
          now: NOW,
          kinds: [original.kind],
          sourceId: fc.constant(original.sourceId),
          id: fc.constant(original.id),
        }).filter(
          (candidate) => canonical(withoutTransport(candidate)) !== canonical(withoutTransport(original)),
        );
        return other.map((changed) => ({ batch, original, changed }));
      }),
    );
    await fc.assert(
      fc.asyncProperty(changedArb, async ({ batch, original, changed }) => {
        const h = await harnessFor(batch);
        try {
          await post(h, batch.records);
          const quarantined = await h.deps.store.observations.countQuarantine();
          const report = await post(h, [changed]);
          assert.equal(report.accepted, 0);
          assert.equal(report.duplicates, 0);
          assert.equal(report.conflicts, 1);
          assert.equal(report.rejections.length, 1);
          const [rejection] = report.rejections;
          assert.equal(rejection?.index, 0);
          assert.equal(rejection.field, 'id');
          assert.equal(rejection.recordId, original.id);
          assert.equal(rejection.sourceId, original.sourceId);
          const stored = (await readAll(h, [original.sourceId], 1000)).filter(
            (item) => item.record.id === original.id,
          );
          assert.equal(stored.length, 1, 'the id is stored once');
          assert.deepStrictEqual(
            stored[0]?.record,
            expectedStored(original),
            'the stored record is unchanged',
          );
          assert.equal(
            await h.deps.store.observations.countQuarantine(),
            quarantined + 1,
            'the conflicting version is kept in the quarantine',
          );
        } finally {
          await h.close();
        }
      }),
      { numRuns: 15 },
    );
  });
  test('concurrent requests with overlapping records: each stored once, one copy accepted, the same content a duplicate, other content a conflict', async () => {
    // A pool of records, some with a second version (same source and id, other content); each
    // request takes some of them, in its own order, and all requests are sent at once.
    const scenario = batchArb.chain((batch) =>
      fc
        .tuple(
          ...batch.records.map((original) =>
            fc.option(
              observation({
                now: NOW,
                kinds: [original.kind],
                sourceId: fc.constant(original.sourceId),
                id: fc.constant(original.id),
              }),
              { nil: undefined },
            ),
          ),
        )
        .chain((alternatives) => {
          const versions = batch.records.flatMap((original, i) => {
            const other = alternatives[i];
            return other === undefined ? [original] : [original, other];
          });
          const request = fc
            .shuffledSubarray(versions, { minLength: 1 })
            .chain((subset) => fc.shuffledSubarray(subset, { minLength: subset.length }));
          return fc
            .array(fc.tuple(request, fc.constantFrom(...FORMATS)), { minLength: 2, maxLength: 4 })
            .map((requests) => ({ batch, requests }));
        }),
    );
    await fc.assert(
      fc.asyncProperty(scenario, async ({ batch, requests }) => {
        const h = await harnessFor(batch);
        try {
          const reports = await Promise.all(requests.map(([records, format]) => post(h, records, format)));
          const stored = await readAll(
            h,
            batch.sources.map((s) => s.id),
            1000,
          );
          const sentKeys = new Set(requests.flatMap(([records]) => records.map(recordKey)));
          assert.equal(stored.length, sentKeys.size, 'each (source, id) sent is stored exactly once');
          const storedByKey = new Map(
            stored.map((item) => [recordKey(item.record as { sourceId: string; id: string }), item.record]),
          );
          assert.equal(
            reports.reduce((sum, r) => sum + r.accepted, 0),
            sentKeys.size,
            'exactly one copy of each record is accepted',
          );
          requests.forEach(([records], r) => {
            const report = reports[r]!;
            const conflicting = records.flatMap((record, index) => {
              const kept = storedByKey.get(recordKey(record));
              assert.ok(kept !== undefined);
              return canonical(kept) === canonical(expectedStored(record)) ? [] : [index];
            });
            assert.deepEqual(
              report.rejections.map((x) => [x.index, x.field]),
              conflicting.map((index) => [index, 'id']),
              `request ${r}: conflicts are exactly the records whose content differs from the stored one`,
            );
            assert.equal(report.accepted + report.duplicates, records.length - conflicting.length);
            assert.equal(report.rejected, 0);
          });
          // The stored version of each record is one that was sent.
          for (const [key, kept] of storedByKey)
            assert.ok(
              requests.some(([records]) =>
                records.some((r) => recordKey(r) === key && canonical(expectedStored(r)) === canonical(kept)),
              ),
            );
        } finally {
          await h.close();
        }
      }),
      { numRuns: 15 },
    );
  });
});

/** One registered source per kind; heartbeats come from the acoustic one. */
const SOURCE_FOR = (kind: ObservationKind): string => `src-${kind === 'heartbeat' ? 'acoustic' : kind}`;
const SOURCES_BY_KIND = SOURCE_KINDS.map((kind: SourceKind) => ({ id: `src-${kind}`, kind }));

/**
 * A corruption applied to a valid record sent from the registered source of its kind, under an id
 * made unique by `tag` (so a corrupted record the server wrongly accepts cannot make another one a
 * conflict).
 */
const corrupt = (corruption: Corruption, valid: Observation, tag: string): JsonObject =>
  corruption.apply(
    { ...valid, sourceId: SOURCE_FOR(valid.kind), id: fitLength(`${tag}:${valid.id}`, 128) },
    NOW,
  );

describe('ingest properties: single-field corruptions', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ clock: new TestClock(NOW), sources: SOURCES_BY_KIND });
  });
  after(() => h.close());

  test('the catalogue of corruptions covers every kind and patrol report, and names each corruption once', () => {
    assert.equal(new Set(CORRUPTIONS.map((c) => c.name)).size, CORRUPTIONS.length);
    for (const kind of OBSERVATION_KINDS)
      assert.ok(
        CORRUPTIONS.some((c) => c.kinds.length === 1 && c.kinds[0] === kind),
        `no corruption aimed at ${kind}`,
      );
    for (const report of ['fire', 'sighting', 'impediment'] as const)
      assert.ok(CORRUPTIONS.some((c) => c.reports?.length === 1 && c.reports[0] === report));
  });

  test('every corruption of the catalogue is rejected naming exactly the corrupted field', async (t) => {
    const seed = Number(process.env.TRUCELINE_SWEEP_SEED ?? Date.now() % 2 ** 31);
    t.diagnostic(`records drawn with seed ${seed} (set TRUCELINE_SWEEP_SEED to draw them again)`);
    const cases = CORRUPTIONS.flatMap((corruption, c) =>
      fc
        .sample(corruptionBase(corruption, { now: NOW }), { numRuns: 2, seed: seed + c })
        .map((valid, i) => ({ corruption, corrupted: corrupt(corruption, valid, `sweep-${c}-${i}`) })),
    );
    const quarantined = await h.deps.store.observations.countQuarantine();
    const report = await post(
      h,
      cases.map((c) => c.corrupted),
    );
    const byIndex = new Map(report.rejections.map((r) => [r.index, r]));
    const wrong: string[] = [];
    cases.forEach(({ corruption }, index) => {
      const rejection = byIndex.get(index);
      if (rejection === undefined) wrong.push(`${corruption.name}: not rejected`);
      else if (rejection.field !== corruption.path)
        wrong.push(
          `${corruption.name}: rejected at ${rejection.field} (${rejection.reason}), not ${corruption.path}`,
        );
      else if (
        rejection.issues[0]?.path !== rejection.field ||
        rejection.issues[0].reason !== rejection.reason
      )
        wrong.push(`${corruption.name}: the first issue is not the rejection's field and reason`);
    });
    assert.deepEqual(
      wrong,
      [],
      `${wrong.length} of ${cases.length} corrupted records were not rejected at their path`,
    );
    assert.equal(report.accepted + report.duplicates, 0);
    assert.equal(report.rejected, cases.length);
    assert.equal(
      await h.deps.store.observations.countQuarantine(),
      quarantined + cases.length,
      'every rejected record is kept in the quarantine',
    );
  });

  test('a rejection describes what was wrong with the value sent: a value that is there is never "is required"', async () => {
    const cases = CORRUPTIONS.filter((c) => c.how !== 'missing').flatMap((corruption, c) =>
      fc
        .sample(corruptionBase(corruption, { now: NOW }), { numRuns: 1, seed: 7 + c })
        .map((valid) => ({ corruption, corrupted: corrupt(corruption, valid, `reason-${c}`) })),
    );
    const report = await post(
      h,
      cases.map((c) => c.corrupted),
    );
    const byIndex = new Map(report.rejections.map((r) => [r.index, r]));
    const misleading = cases.flatMap(({ corruption }, index) => {
      const rejection = byIndex.get(index);
      return rejection?.field === corruption.path && /^is required$/.test(rejection.reason)
        ? [`${corruption.name}: "${rejection.field}: ${rejection.reason}"`]
        : [];
    });
    assert.deepEqual(
      misleading,
      [],
      `${misleading.length} of ${cases.length} rejections call a field that was sent "required"`,
    );
  });

  test('valid and corrupted records mixed in one request: each valid one accepted, each corrupted one rejected at its path', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            observation({ now: NOW }).map((valid) => ({ valid, corruption: undefined })),
            corruptedRecord({ now: NOW }).map(({ corruption, valid }) => ({ valid, corruption })),
          ),
          { minLength: 1, maxLength: 25 },
        ),
        fc.constantFrom(...FORMATS),
        async (items, format) => {
          run += 1;
          // Valid records get ids of their own in this run, so earlier runs cannot make them duplicates.
          const records = items.map(({ valid, corruption }, i) =>
            corruption === undefined
              ? {
                  ...valid,
                  sourceId: SOURCE_FOR(valid.kind),
                  id: fitLength(`mixed-${run}-${i}:${valid.id}`, 128),
                }
              : corrupt(corruption, valid, `mixed-${run}-${i}`),
          );
          const report = await post(h, records, format);
          const validCount = items.filter((i) => i.corruption === undefined).length;
          assert.equal(report.accepted, validCount);
          assert.equal(report.rejected, items.length - validCount);
          const rejected = new Map(report.rejections.map((r) => [r.index, r]));
          items.forEach(({ corruption }, index) => {
            const rejection = rejected.get(index);
            if (corruption === undefined)
              assert.equal(rejection, undefined, `valid record ${index} rejected`);
            else assert.equal(rejection?.field, corruption.path, corruption.name);
          });
        },
      ),
      { numRuns: 30 },
    );
  });

  test('a record from a registered source of another kind is rejected at kind', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .tuple(fc.constantFrom(...SOURCE_KINDS), fc.constantFrom(...SOURCE_KINDS))
          .filter(([a, b]) => a !== b)
          .chain(([recordKind, sourceKind]) =>
            observation({ now: NOW, kinds: [recordKind], sourceId: fc.constant(`src-${sourceKind}`) }),
          ),
        async (record) => {
          const report = await post(h, [record]);
          assert.equal(report.rejected, 1);
          assert.equal(report.rejections[0]?.field, 'kind');
          assert.equal(report.rejections[0]?.sourceId, record.sourceId);
        },
      ),
      { numRuns: 20 },
    );
  });

  test(`a record from a source nobody registered is rejected at sourceId (${UNREGISTERED_SOURCE_ID})`, async () => {
    const records = fc.sample(observation({ now: NOW, sourceId: fc.constant(UNREGISTERED_SOURCE_ID) }), 10);
    const report = await post(h, records);
    assert.deepEqual(
      report.rejections.map((r) => [r.index, r.field]),
      records.map((_, i) => [i, 'sourceId']),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// No input crashes the server

const SPECIAL_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'kind',
  'payload',
  'id',
  'sourceId',
  'location',
  '',
  '\u0000',
];
const NUMBER_TEXTS = [
  '1e400',
  '-1e400',
  '1e-400',
  '-0',
  '-0.0',
  '1E+2',
  '123456789012345678901234567890',
  '9007199254740993',
  '0.1e-5',
  '1.7976931348623157e308',
  '5e-324',
];

/** The text of a JSON value, with huge and tiny numbers, special keys, and escaped lone surrogates. */
const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...NUMBER_TEXTS),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
    fc.string({ unit: 'binary', maxLength: 20 }).map((s) => JSON.stringify(s)),
    fc.constantFrom('true', 'false', 'null', '"\\ud800"', '"\\udfff\\u0000"', '""'),
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 6 }).map((items) => `[${items.join(',')}]`),
  object: fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom(...SPECIAL_KEYS), fc.string({ unit: 'binary', maxLength: 8 })),
        tie('value'),
      ),
      { maxLength: 6 },
    )
    .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
})).value;

const SLOT = '\u0001slot\u0001';

/** A valid record's text with the value at one path replaced by arbitrary JSON text. */
const recordWithArbitraryField = fc
  .tuple(
    observation({ now: NOW, kinds: ['acoustic'], sourceId: fc.constant('src-acoustic') }),
    fc.constantFrom<readonly string[]>(
      ['id'],
      ['kind'],
      ['observedAt'],
      ['timeUncertaintyMs'],
      ['location'],
      ['location', 'lat'],
      ['payload'],
      ['payload', 'signal'],
      ['payload', 'snrDb'],
      ['grading'],
      ['evidence'],
      ['__proto__'],
      ['constructor'],
      ['payload', '__proto__'],
    ),
    jsonText,
  )
  .map(([record, path, value]) => {
    const copy = structuredClone(record) as JsonObject;
    let node: JsonObject = copy;
    for (const part of path.slice(0, -1)) node = node[part] as JsonObject;
    Object.defineProperty(node, path.at(-1)!, {
      value: SLOT,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    return JSON.stringify(copy).replace(JSON.stringify(SLOT), () => value);
  });

/** A valid record's text with a few characters deleted, inserted or replaced. */
const mutatedRecordText = fc
  .tuple(
    observation({ now: NOW, sourceId: fc.constantFrom(...SOURCES_BY_KIND.map((s) => s.id)) }).map((r) =>
      JSON.stringify(r),
    ),
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.nat({ max: 3 }),
        fc.constantFrom('', '"', '{', '}', '[', ']', ',', ':', '\\', '0', 'e', '\n'),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([text, edits]) =>
    edits.reduce((out, [at, cut, insert]) => {
      const i = at % (out.length + 1);
      return out.slice(0, i) + insert + out.slice(i + cut);
    }, text),
  );

type Body = { readonly body: string | Buffer; readonly type: string; readonly records?: number };

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/x-ndjson'];

/** Every answer is 200/400/413 JSON in the report or error shape; a report accounts for every record. */
function checkAnswer(
  res: { statusCode: number; body: string; headers: Record<string, unknown> },
  sent: Body,
): void {
  const where = `${sent.type} body ${JSON.stringify(String(sent.body).slice(0, 200))}`;
  assert.ok(
    [200, 400, 413].includes(res.statusCode),
    `answered ${res.statusCode} ${res.body.slice(0, 300)} to ${where}`,
  );
  assert.match(String(res.headers['content-type']), /^application\/json/, where);
  const body = JSON.parse(res.body) as unknown;
  if (res.statusCode === 200) {
    const report = ingestReportSchema.parse(body) as Report;
    const total = report.accepted + report.duplicates + report.conflicts + report.rejected;
    if (sent.records !== undefined)
      assert.equal(total, sent.records, `every record is accounted for: ${where}`);
    assert.equal(report.rejections.length, report.rejected + report.conflicts, where);
    for (const r of report.rejections) {
      assert.ok(Number.isInteger(r.index) && r.index >= 0, where);
      assert.notEqual(r.field, '', where);
      assert.notEqual(r.reason, '', where);
    }
  } else {
    const error = errorResponseSchema.parse(body);
    assert.match(error.code, /^E_[A-Z_]+$/, where);
    assert.notEqual(error.message, '', where);
  }
}

/**
 * Every body below is sent as a batch signed by this source, whatever it holds: the signature is
 * checked before the body is read, so what follows is the same for any signer (a record of another
 * source is rejected at `sourceId`).
 */
const FUZZ_SIGNER = 'src-acoustic';

describe('ingest properties: no input crashes the server', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ clock: new TestClock(NOW), sources: SOURCES_BY_KIND });
  });
  after(() => h.close());

  /** Sends a body, checks the answer, and checks the server still answers. */
  async function send(sent: Body): Promise<void> {
    const res = await postRaw(h, sent.body, sent.type, FUZZ_SIGNER);
    checkAnswer(res, sent);
    assert.equal(
      Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'),
      false,
      'Object.prototype polluted',
    );
    assert.equal(({} as { polluted?: unknown }).polluted, undefined, 'Object.prototype polluted');
  }

  test('arbitrary JSON values as the body', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }),
        fc.constantFrom(...JSON_TYPES),
        async (value, type) => {
          if (type === 'application/x-ndjson') {
            await send({ body: `${JSON.stringify(value)}\n`, type, records: 1 });
            return;
          }
          const records = Array.isArray(value)
            ? value.length
            : typeof value === 'object' && value !== null
              ? 1
              : 0;
          const res = await postRaw(h, JSON.stringify(value), type, FUZZ_SIGNER);
          checkAnswer(res, { body: JSON.stringify(value), type, records });
          // A scalar is not a batch: 400, not an empty report.
          if (records === 0 && !Array.isArray(value))
            assert.equal(res.statusCode, 400, JSON.stringify(value));
        },
      ),
      { numRuns: 150 },
    );
  });

  test('arbitrary JSON texts (huge numbers, special keys, lone surrogates) as a JSON array and as NDJSON lines', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(jsonText, { maxLength: 8 }), async (texts) => {
        await send({ body: `[${texts.join(',')}]`, type: 'application/json', records: texts.length });
        await send({ body: texts.join('\n'), type: 'application/x-ndjson' });
      }),
      { numRuns: 150 },
    );
  });

  test('valid records with one field replaced by arbitrary JSON, and records with characters cut or inserted', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(recordWithArbitraryField, mutatedRecordText), { minLength: 1, maxLength: 8 }),
        async (texts) => {
          await send({ body: `[${texts.join(',')}]`, type: 'application/json' });
          await send({ body: texts.join('\n'), type: 'application/x-ndjson' });
        },
      ),
      { numRuns: 100 },
    );
  });

  test('arbitrary strings as NDJSON lines and arbitrary bytes as a body', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: 'binary', maxLength: 60 }), { maxLength: 10 }),
        fc.uint8Array({ maxLength: 600 }),
        fc.constantFrom(...JSON_TYPES),
        async (lines, bytes, type) => {
          await send({ body: lines.join('\n'), type: 'application/x-ndjson' });
          await send({ body: Buffer.from(bytes), type });
        },
      ),
      { numRuns: 150 },
    );
  });

  test('prototype-pollution keys anywhere in a record are rejected as unknown fields and pollute nothing', async () => {
    const base = JSON.stringify(
      fc.sample(observation({ now: NOW, kinds: ['acoustic'], sourceId: fc.constant('src-acoustic') }), {
        numRuns: 1,
        seed: 3,
      })[0],
    );
    const insert = (after: string, text: string): string => base.replace(after, () => `${after}${text}`);
    const cases: [body: string, field: string | undefined][] = [
      [insert('{', '"__proto__":{"polluted":true},'), '__proto__'],
      [insert('{', '"constructor":{"prototype":{"polluted":true}},'), 'constructor'],
      [insert('"payload":{', '"__proto__":{"polluted":true},'), 'payload.__proto__'],
      [insert('"location":{', '"__proto__":{"polluted":true},'), 'location.__proto__'],
      ['{"__proto__":{"polluted":true}}', undefined],
      ['[{"__proto__":{"polluted":true}},{"constructor":{"prototype":{"polluted":true}}}]', undefined],
    ];
    for (const [body, field] of cases) {
      const res = await postRaw(h, body, 'application/json', FUZZ_SIGNER);
      checkAnswer(res, { body, type: 'application/json' });
      assert.equal(res.statusCode, 200);
      const report = res.json<Report>();
      assert.equal(report.accepted, 0, body);
      if (field !== undefined) assert.equal(report.rejections[0]?.field, field);
      await send({
        body: body.startsWith('[') ? body.slice(1, -1).replace('},{', () => '}\n{') : body,
        type: 'application/x-ndjson',
      });
    }
  });

  test('deep nesting, as the body, as an array element, as an NDJSON line, and inside a record', async (t) => {
    const record = fc.sample(
      observation({ now: NOW, kinds: ['acoustic'], sourceId: fc.constant('src-acoustic') }),
      {
        numRuns: 1,
        seed: 5,
      },
    )[0]!;
    const failures: string[] = [];
    for (const depth of [64, 1_000, 10_000, 100_000]) {
      const arrays = '['.repeat(depth) + ']'.repeat(depth);
      const objects = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
      const inRecord = JSON.stringify({ ...record, id: `deep-${depth}`, payload: SLOT }).replace(
        JSON.stringify(SLOT),
        () => objects,
      );
      const bodies: Body[] = [
        { body: arrays, type: 'application/json', records: 1 },
        { body: `[${objects}]`, type: 'application/json', records: 1 },
        { body: `[${inRecord}]`, type: 'application/json', records: 1 },
        { body: `${arrays}\n${objects}\n${inRecord}`, type: 'application/x-ndjson', records: 3 },
      ];
      for (const sent of bodies) {
        const res = await postRaw(h, sent.body, sent.type, FUZZ_SIGNER);
        try {
          checkAnswer(res, sent);
        } catch (error) {
          failures.push(
            `depth ${depth}, ${sent.type} ${String(sent.body).slice(0, 16)}…: ${(error as Error).message.split('\n')[0] ?? ''}`,
          );
        }
      }
      t.diagnostic(`depth ${depth}: done`);
    }
    assert.deepEqual(failures, []);
  });

  test('after all of that, the server still answers and still accepts a valid record', async () => {
    const health = await h.app.inject({ url: '/healthz' });
    assert.equal(health.statusCode, 200);
    const [record] = fc.sample(
      observation({ now: NOW, kinds: ['seismic'], sourceId: fc.constant('src-seismic') }),
      { numRuns: 1, seed: 1 },
    );
    const report = await post(h, [{ ...record!, id: 'after-the-fuzz' }]);
    assert.equal(report.accepted, 1);
  });
});

describe('ingest properties: limits', () => {
  const maxRecordsPerRequest = 20;
  const bodyLimitBytes = 48 * 1024;
  let h: Harness;
  before(async () => {
    h = await startHarness({
      clock: new TestClock(NOW),
      sources: SOURCES_BY_KIND,
      maxRecordsPerRequest,
      bodyLimitBytes,
    });
  });
  after(() => h.close());

  test('past the body or record-count limit the answer is 413 naming the limit, and nothing is stored', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(observation({ now: NOW, kinds: ['osint'], sourceId: fc.constant('src-osint') }), {
          minLength: 1,
          maxLength: 2 * maxRecordsPerRequest,
        }),
        fc.constantFrom(...FORMATS),
        async (generated, format) => {
          run += 1;
          const records = generated.map((r, i) => ({ ...r, id: `limits-${run}-${i}` }));
          const { body, type } = encode(records, format);
          const bytes = Buffer.byteLength(body);
          const before = await h.deps.store.observations.count();
          const quarantined = await h.deps.store.observations.countQuarantine();
          const res = await postRaw(h, body, type, 'src-osint');
          checkAnswer(res, { body, type, records: records.length });
          if (bytes > bodyLimitBytes || records.length > maxRecordsPerRequest) {
            assert.equal(res.statusCode, 413, `${records.length} records, ${bytes} bytes`);
            const error = res.json<{ code: string; details?: { limit?: string } }>();
            assert.equal(error.code, 'E_PAYLOAD_TOO_LARGE');
            assert.equal(
              error.details?.limit,
              bytes > bodyLimitBytes ? 'bodyLimitBytes' : 'maxRecordsPerRequest',
            );
            assert.equal(await h.deps.store.observations.count(), before, 'nothing stored');
            assert.equal(
              await h.deps.store.observations.countQuarantine(),
              quarantined,
              'nothing quarantined',
            );
          } else {
            assert.equal(res.statusCode, 200, res.body.slice(0, 300));
            assert.equal(res.json<Report>().accepted, records.length);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
