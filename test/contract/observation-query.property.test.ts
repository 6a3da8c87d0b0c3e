/**
 * Property, on every engine: random observation sets (with repeats and reused ids) committed in random
 * concurrent batches get the outcomes the idempotency rule gives, and random queries — boxes whose
 * edges fall on stored points and on grid lines, windows whose bounds are stored times, kinds, sources,
 * afterSeq, limit — return exactly what a brute-force filter over the accepted records returns. Every
 * engine agrees with the same brute force, so the engines agree with each other.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { OBSERVATION_KINDS } from '../../src/core/observations/kinds.ts';
import type { ValidObservation } from '../../src/core/observations/validate-observation.ts';
import type { BoundingBox, ObservationQuery, RecordOutcome } from '../../src/core/ports/observation-store.ts';
import { ObservationFactory, type ObservationSpec } from '../helpers/observation-factory.ts';
import { describeEachEngine } from './engines.ts';

const T0 = Date.parse('2026-02-15T00:00:00Z');
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Observed times and window bounds (±1 ms, +1 min): three days around two midnights (UTC), the midnights included. */
const TIMES = [
  ...Array.from({ length: 40 }, (_, i) => T0 - DAY + i * 107 * MINUTE),
  T0 - 1,
  T0,
  T0 + DAY - 1,
  T0 + DAY,
];
/** Coordinates points and box edges share, grid lines (x.x) among them. */
const LATS = [47.5, 47.9, 48, 48.05, 48.1, 48.3, 48.35, 49.95, 50];
const LONS = [37, 37.1, 37.25, 37.3, 37.8, 38, 38.05, 38.4];
const SOURCES = ['s-a', 's-b', 's-c'];

interface Accepted {
  readonly seq: number;
  readonly observation: ValidObservation;
}

const specArb: fc.Arbitrary<ObservationSpec> = fc
  .record({
    kind: fc.constantFrom(...OBSERVATION_KINDS),
    sourceId: fc.constantFrom(...SOURCES),
    id: fc.integer({ min: 0, max: 60 }).map((n) => `r${n}`),
    time: fc.oneof(fc.constantFrom(...TIMES), fc.constantFrom(T0 - 1, T0, T0 + DAY - 1, T0 + DAY)),
    lat: fc.oneof(fc.constantFrom(...LATS), fc.double({ min: 47.4, max: 50.1, noNaN: true })),
    lon: fc.oneof(fc.constantFrom(...LONS), fc.double({ min: 36.9, max: 38.5, noNaN: true })),
    located: fc.boolean(),
    text: fc.constantFrom(undefined, 'seen', 'heard'),
  })
  .map((r) => ({
    kind: r.kind,
    sourceId: r.sourceId,
    id: r.id,
    observedAtMs: r.time,
    // Only heartbeats may come without a point.
    point: r.kind === 'heartbeat' && !r.located ? null : { lat: r.lat, lon: r.lon },
    ...(r.text === undefined ? {} : { text: r.text }),
  }));

const edgeArb = (pool: readonly number[], min: number, max: number) =>
  fc.oneof(fc.constantFrom(...pool), fc.double({ min, max, noNaN: true }));

const boxArb: fc.Arbitrary<BoundingBox> = fc.oneof(
  fc
    .tuple(
      edgeArb(LONS, 36.9, 38.5),
      edgeArb(LONS, 36.9, 38.5),
      edgeArb(LATS, 47.4, 50.1),
      edgeArb(LATS, 47.4, 50.1),
    )
    .map(([a, b, c, d]) => ({
      west: Math.min(a, b),
      east: Math.max(a, b),
      south: Math.min(c, d),
      north: Math.max(c, d),
    })),
  // Too many grid cells to enumerate: SQLite answers these another way.
  fc.constant({ west: -170, south: -80, east: 170, north: 80 }),
  fc.constant({ west: -180, south: -90, east: 180, north: 90 }),
);

/** `arb`'s value with the given weight, else undefined (the filter is left out). */
const sometimes = <T>(arb: fc.Arbitrary<T>, weight: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 10 - weight }, { arbitrary: arb, weight });

const queryArb = (maxSeq: number): fc.Arbitrary<ObservationQuery> =>
  fc
    .record({
      bbox: sometimes(boxArb, 6),
      // Bounds on stored times (±1 ms, +1 min); from <= to mostly, from > to sometimes.
      window: sometimes(
        fc.tuple(
          fc.oneof(fc.constantFrom(...TIMES), fc.constantFrom(T0, T0 + DAY)),
          fc.oneof(fc.constantFrom(...TIMES), fc.constantFrom(T0, T0 + DAY)),
          fc.constantFrom(0, 0, 1, -1, MINUTE),
          fc.constantFrom(0, 0, 1, -1, MINUTE),
          fc.integer({ min: 0, max: 9 }),
        ),
        5,
      ),
      kinds: sometimes(fc.subarray([...OBSERVATION_KINDS], { minLength: 3 }), 3),
      sourceIds: sometimes(fc.subarray([...SOURCES, 's-unknown'], { minLength: 1 }), 3),
      afterSeq: sometimes(fc.integer({ min: 0, max: maxSeq + 1 }), 4),
      throughSeq: sometimes(fc.integer({ min: 0, max: maxSeq + 1 }), 4),
      limit: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(10_000)),
    })
    .map(({ bbox, window, kinds, sourceIds, afterSeq, throughSeq, limit }) => {
      const query: { -readonly [K in keyof ObservationQuery]: ObservationQuery[K] } = { limit };
      if (bbox !== undefined) query.bbox = bbox;
      if (window !== undefined) {
        const [a, b, fromOff, toOff, flip] = window;
        const [from, to] = flip === 0 ? [Math.max(a, b), Math.min(a, b)] : [Math.min(a, b), Math.max(a, b)];
        if (flip !== 1) query.fromMs = from + fromOff;
        if (flip !== 2) query.toMs = to + toOff;
      }
      if (kinds !== undefined) query.kinds = kinds;
      if (sourceIds !== undefined) query.sourceIds = sourceIds;
      if (afterSeq !== undefined) query.afterSeq = afterSeq;
      if (throughSeq !== undefined) query.throughSeq = throughSeq;
      return query;
    });

/** The brute force: what a query must return from the accepted records. */
function bruteForce(accepted: readonly Accepted[], q: ObservationQuery): number[] {
  return accepted
    .filter(({ seq, observation: o }) => {
      if (q.afterSeq !== undefined && seq <= q.afterSeq) return false;
      if (q.throughSeq !== undefined && seq > q.throughSeq) return false;
      if (q.bbox !== undefined) {
        if (o.lat === null || o.lon === null) return false;
        if (o.lat < q.bbox.south || o.lat > q.bbox.north || o.lon < q.bbox.west || o.lon > q.bbox.east)
          return false;
      }
      if (q.fromMs !== undefined && o.observedAtMs < q.fromMs) return false;
      if (q.toMs !== undefined && o.observedAtMs >= q.toMs) return false;
      if (q.kinds !== undefined && !q.kinds.includes(o.kind)) return false;
      if (q.sourceIds !== undefined && !q.sourceIds.includes(o.sourceId)) return false;
      return true;
    })
    .slice(0, q.limit)
    .map(({ seq }) => seq);
}

describeEachEngine('ObservationStore (property)', (engine) => {
  it('commits and answers queries exactly as the idempotency rule and a brute-force filter say', async () => {
    const store = await engine.open();
    const make = new ObservationFactory();
    // What the store must hold, across runs: the store is shared by every run of the property.
    const accepted: Accepted[] = [];
    const byKey = new Map<string, Accepted>();

    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(specArb, { maxLength: 25 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 2 ** 30 }), { minLength: 8, maxLength: 8 }),
        async (batchSpecs, querySeeds) => {
          const batches = batchSpecs.map((specs) => specs.map((spec) => make.valid(spec)));
          // Submitted together: they may share one transaction, in submission order.
          const results = await Promise.all(
            batches.map((b) => store.observations.commitIngest(make.batch(b))),
          );
          for (const [b, batch] of batches.entries()) {
            const expected: RecordOutcome[] = batch.map((observation) => {
              const key = `${observation.sourceId}/${observation.recordId}`;
              const stored = byKey.get(key);
              if (stored !== undefined)
                return {
                  status:
                    stored.observation.contentSha256 === observation.contentSha256 ? 'duplicate' : 'conflict',
                  seq: stored.seq,
                };
              const entry = { seq: accepted.length + 1, observation };
              accepted.push(entry);
              byKey.set(key, entry);
              return { status: 'accepted', seq: entry.seq };
            });
            assert.deepEqual(results[b]?.outcomes, expected);
          }
          assert.equal(await store.observations.count(), accepted.length);
          assert.equal(await store.observations.latestSeq(), accepted.length);

          for (const seed of querySeeds) {
            const [query] = fc.sample(queryArb(accepted.length), { seed, numRuns: 1 });
            if (query === undefined) continue;
            const found = await store.observations.query(query);
            assert.deepEqual(
              found.map((o) => o.seq),
              bruteForce(accepted, query),
              `query ${JSON.stringify(query)}`,
            );
            for (const row of found) {
              const o = accepted[row.seq - 1]?.observation;
              assert.equal(row.contentSha256, o?.contentSha256);
              assert.equal(row.kind, o?.kind);
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
