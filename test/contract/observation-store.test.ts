/**
 * Contract of the ObservationStore port, on every engine: idempotency, the quarantine and its quota,
 * the commit sequence, sensor status from heartbeats, queries (boxes with points exactly on their
 * edges, windows, kinds, sources, paging), markings, and signed submissions (stored with their
 * records, found, flagged after a key is compromised).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MIN_COMPRESSED_BODY_BYTES } from '../../src/adapters/common/submission-rows.ts';
import { DEFAULT_MARKINGS, type Marking } from '../../src/core/access/markings.ts';
import type { ValidObservation } from '../../src/core/observations/validate-observation.ts';
import type {
  IngestBatch,
  ObservationQuery,
  SignedSubmission,
  StoredObservation,
} from '../../src/core/ports/observation-store.ts';
import type { Store } from '../../src/core/ports/store.ts';
import { ObservationFactory } from '../helpers/observation-factory.ts';
import { describeEachEngine } from './engines.ts';

const T0 = Date.parse('2026-02-10T00:00:00Z');
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** What the store must hold for an observation accepted in `batch` with commit sequence `seq`. */
const expectedRow = (o: ValidObservation, seq: number, batch: IngestBatch): StoredObservation => ({
  seq,
  sourceId: o.sourceId,
  recordId: o.recordId,
  kind: o.kind,
  observedAtMs: o.observedAtMs,
  timeUncertaintyMs: o.timeUncertaintyMs,
  receivedAtMs: batch.receivedAtMs,
  lat: o.lat,
  lon: o.lon,
  ceM: o.ceM,
  weaponClass: o.weaponClass,
  batchId: o.batchId,
  contentSha256: o.contentSha256,
  content: o.content,
  marking: DEFAULT_MARKINGS.observation,
});

/** A signed submission of `sourceId` under `batchId`, signed with `keyId` at `signedAtMs`. */
const submission = (
  sourceId: string,
  batchId: string,
  keyId: string,
  signedAtMs: number,
  body: Uint8Array = new TextEncoder().encode(`[{"batch":"${batchId}"}]`),
): SignedSubmission => ({
  sourceId,
  batchId,
  keyId,
  signedAtMs,
  receivedAtMs: signedAtMs + 1_250,
  method: 'POST',
  target: `/api/v1/observations?source=${sourceId}`,
  contentType: 'application/json',
  contentDigest: 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:',
  signatureInput: `sig1=("@method" "@target-uri" "content-digest");created=${signedAtMs / 1000};keyid="${keyId}";nonce="${batchId}"`,
  signature:
    'sig1=:d2pmTvmbncD3xQm8E9ZV2828BjQWGgiwAaw5bAkgibUopemLJcWDy/lkbbHAve4cRAtx31Iq786U7it++wgGxbA==:',
  body,
});

const keys = (rows: readonly StoredObservation[]): string[] => rows.map((r) => `${r.sourceId}/${r.recordId}`);

describeEachEngine('ObservationStore', (engine) => {
  const make = new ObservationFactory();

  const commit = (
    store: Store,
    observations: readonly ValidObservation[],
    rejects: IngestBatch['rejects'] = [],
  ) => store.observations.commitIngest(make.batch(observations, rejects));

  it('accepts new observations with increasing commit sequences and stores every field', async () => {
    const store = await engine.open();
    assert.equal(await store.observations.latestSeq(), 0);
    const observations = make.everyKind({
      sourceId: 'every-kind',
      weaponClass: 'artillery-100mm',
      batchId: 'b-1',
    });
    const batch = make.batch(observations);
    const result = await store.observations.commitIngest(batch);
    assert.deepEqual(
      result.outcomes,
      observations.map((_, i) => ({ status: 'accepted', seq: i + 1 })),
    );
    assert.equal(result.lastSeq, observations.length);
    assert.equal(await store.observations.latestSeq(), observations.length);
    assert.equal(await store.observations.count(), observations.length);
    for (const [i, o] of observations.entries()) {
      const expected = expectedRow(o, i + 1, batch);
      assert.deepEqual(await store.observations.findBySeq(i + 1), expected);
      assert.deepEqual(await store.observations.findByRecordId(o.sourceId, o.recordId), expected);
    }
    assert.equal(await store.observations.findBySeq(observations.length + 1), undefined);
    assert.equal(await store.observations.findByRecordId('every-kind', 'no-such-record'), undefined);
  });

  it('reports a repeat with the same content as a duplicate and leaves the stored record as it was', async () => {
    const store = await engine.open();
    const original = make.valid({ sourceId: 's-dup', id: 'r-1', observedAtMs: T0, batchId: 'first' });
    await commit(store, [original]);
    const before = await store.observations.findBySeq(1);
    // Same record, another transport batch id: same content, same hash.
    const again = make.valid({ sourceId: 's-dup', id: 'r-1', observedAtMs: T0, batchId: 'second' });
    assert.equal(again.contentSha256, original.contentSha256);
    const later = { ...make.batch([again]), receivedAtMs: make.receivedAtMs + 5000 };
    const result = await store.observations.commitIngest(later);
    assert.deepEqual(result, { outcomes: [{ status: 'duplicate', seq: 1 }], lastSeq: null });
    assert.deepEqual(await store.observations.findBySeq(1), before);
    assert.equal(await store.observations.count(), 1);
    assert.equal(await store.observations.latestSeq(), 1);
  });

  it('rejects a reused record id with different content as a conflict and keeps the stored one', async () => {
    const store = await engine.open();
    const original = make.valid({ sourceId: 's-conf', id: 'r-1', observedAtMs: T0, text: 'first' });
    await commit(store, [original]);
    const before = await store.observations.findBySeq(1);
    const changed = make.valid({ sourceId: 's-conf', id: 'r-1', observedAtMs: T0, text: 'changed' });
    assert.notEqual(changed.contentSha256, original.contentSha256);
    const result = await commit(store, [changed]);
    assert.deepEqual(result, { outcomes: [{ status: 'conflict', seq: 1 }], lastSeq: null });
    const stored = await store.observations.findByRecordId('s-conf', 'r-1');
    assert.deepEqual(stored, before);
    assert.equal(stored?.contentSha256, original.contentSha256);
    assert.equal(await store.observations.count(), 1);
  });

  it('gives the latest observation time stored, whatever order the records came in', async () => {
    const store = await engine.open();
    assert.equal(await store.observations.latestObservedAtMs(), undefined);
    await commit(store, [
      make.valid({ sourceId: 's-late', id: 'r-2', observedAtMs: T0 + 2 * MINUTE }),
      make.valid({ sourceId: 's-late', id: 'r-1', observedAtMs: T0 + MINUTE }),
    ]);
    assert.equal(await store.observations.latestObservedAtMs(), T0 + 2 * MINUTE);
    // An earlier time later, a conflict and a rejection move nothing.
    await commit(
      store,
      [
        make.valid({ sourceId: 's-late', id: 'r-0', observedAtMs: T0 }),
        make.valid({ sourceId: 's-late', id: 'r-2', observedAtMs: T0 + DAY }),
      ],
      [
        make.reject('{"observedAt":"2027-01-01T00:00:00Z"}', {
          position: 3,
          field: 'id',
          reason: 'is required',
        }),
      ],
    );
    assert.equal(await store.observations.latestObservedAtMs(), T0 + 2 * MINUTE);
    await commit(store, [make.valid({ sourceId: 's-late', id: 'r-3', observedAtMs: T0 + DAY })]);
    assert.equal(await store.observations.latestObservedAtMs(), T0 + DAY);
  });

  it('treats the second copy of a record within one batch as a duplicate or conflict of the first', async () => {
    const store = await engine.open();
    const first = make.valid({ sourceId: 's-in', id: 'same', observedAtMs: T0 });
    const copy = make.valid({ sourceId: 's-in', id: 'same', observedAtMs: T0 });
    const changed = make.valid({ sourceId: 's-in', id: 'same', observedAtMs: T0 + 1 });
    const other = make.valid({ sourceId: 's-in', id: 'other', observedAtMs: T0 });
    const result = await commit(store, [first, copy, other, changed]);
    assert.deepEqual(result.outcomes, [
      { status: 'accepted', seq: 1 },
      { status: 'duplicate', seq: 1 },
      { status: 'accepted', seq: 2 },
      { status: 'conflict', seq: 1 },
    ]);
    assert.equal(result.lastSeq, 2);
    assert.equal((await store.observations.findBySeq(1))?.contentSha256, first.contentSha256);
    assert.equal(await store.observations.count(), 2);
  });

  it('keys idempotency on the source and the record id together', async () => {
    const store = await engine.open();
    const a = make.valid({ sourceId: 'source-a', id: 'shared-id', observedAtMs: T0 });
    const b = make.valid({ sourceId: 'source-b', id: 'shared-id', observedAtMs: T0 });
    const result = await commit(store, [a, b]);
    assert.deepEqual(
      result.outcomes.map((o) => o.status),
      ['accepted', 'accepted'],
    );
  });

  it('gives concurrent commits one answer per record and distinct, ordered commit sequences', async () => {
    const store = await engine.open();
    const shared = make.valid({ sourceId: 's-conc', id: 'contested', observedAtMs: T0 });
    const batches = Array.from({ length: 6 }, (_, b) => [
      make.valid({ sourceId: 's-conc', id: 'contested', observedAtMs: T0 }),
      ...Array.from({ length: 5 }, (_, i) => make.valid({ sourceId: 's-conc', id: `b${b}-r${i}` })),
    ]);
    batches[0]?.unshift(shared);
    // What is answered is on disk, and so may be published: the durable sequence has reached it.
    const durableOnAnswer: [number, number][] = [];
    const results = await Promise.all(
      batches.map(async (observations) => {
        const result = await commit(store, observations);
        durableOnAnswer.push([result.lastSeq ?? 0, await store.observations.durableSeq()]);
        return result;
      }),
    );
    for (const [lastSeq, durable] of durableOnAnswer)
      assert.ok(durable >= lastSeq, `${durable} < ${lastSeq}`);
    const statuses = results.flatMap((r) => r.outcomes.map((o) => o.status));
    assert.equal(statuses.filter((s) => s === 'accepted').length, 31);
    assert.equal(statuses.filter((s) => s === 'duplicate').length, 6);
    assert.ok(!statuses.includes('conflict'));
    // The first copy submitted wins; each batch's new records have increasing seqs.
    assert.deepEqual(results[0]?.outcomes[0], { status: 'accepted', seq: 1 });
    for (const r of results) {
      const seqs = r.outcomes.filter((o) => o.status === 'accepted').map((o) => o.seq);
      assert.deepEqual(
        seqs,
        [...seqs].sort((x, y) => x - y),
      );
      assert.equal(r.lastSeq, seqs.at(-1));
    }
    const all = await store.observations.listAfter(0, 100);
    assert.deepEqual(
      all.map((o) => o.seq),
      Array.from({ length: 31 }, (_, i) => i + 1),
    );
    assert.equal(await store.observations.latestSeq(), 31);
    assert.equal(await store.observations.durableSeq(), 31);
  });

  it('lists observations after a commit sequence, in order, a page at a time', async () => {
    const store = await engine.open();
    assert.deepEqual(await store.observations.listAfter(0, 10), []);
    const first = Array.from({ length: 4 }, () => make.valid({ sourceId: 's-list' }));
    const second = Array.from({ length: 3 }, () => make.valid({ sourceId: 's-list' }));
    await commit(store, first);
    await commit(store, second, [make.reject('not json')]);
    const all = await store.observations.listAfter(0, 100);
    assert.deepEqual(
      keys(all),
      keys([...first, ...second].map((o, i) => expectedRow(o, i + 1, make.batch([])))),
    );
    assert.deepEqual(
      (await store.observations.listAfter(2, 3)).map((o) => o.seq),
      [3, 4, 5],
    );
    assert.deepEqual(await store.observations.listAfter(7, 10), []);
    assert.deepEqual(await store.observations.listAfter(0, 0), []);
    const paged: number[] = [];
    for (let after = 0; ;) {
      const page = await store.observations.listAfter(after, 2);
      if (page.length === 0) break;
      paged.push(...page.map((o) => o.seq));
      after = page.at(-1)?.seq ?? after;
    }
    assert.deepEqual(paged, [1, 2, 3, 4, 5, 6, 7]);
  });

  it('does not advance the commit sequence for a batch that stores nothing new', async () => {
    const store = await engine.open();
    const o = make.valid({ sourceId: 's-nothing' });
    await commit(store, [o]);
    const result = await commit(store, [o], [make.reject('{"broken"')]);
    assert.equal(result.lastSeq, null);
    assert.equal(await store.observations.latestSeq(), 1);
    const next = await commit(store, [make.valid({ sourceId: 's-nothing' })]);
    assert.deepEqual(next.outcomes, [{ status: 'accepted', seq: 2 }]);
  });

  it('keeps every rejected record in the quarantine with its reason, hash, size and first 64 KiB', async () => {
    const store = await engine.open();
    const big = new Uint8Array(70 * 1024).fill(0x61);
    const rejects = [
      make.reject('{"id":"x","sourceId":"s-q"}', {
        position: 3,
        field: 'observedAt',
        reason: 'is required',
        sourceId: 's-q',
        recordId: 'x',
      }),
      { ...make.reject(big, { position: 4 }), head: big },
    ];
    const batch = { ...make.batch([make.valid({ sourceId: 's-q' })], rejects), origin: 'file:day-1.ndjson' };
    const result = await store.observations.commitIngest(batch);
    assert.deepEqual(result.outcomes, [{ status: 'accepted', seq: 1 }]);
    assert.equal(await store.observations.countQuarantine(), 2);
    const [first, second] = await store.observations.listQuarantine(0, 10);
    assert.deepEqual(first, {
      ...rejects[0],
      id: 1,
      receivedAtMs: batch.receivedAtMs,
      origin: 'file:day-1.ndjson',
      headKept: true,
    });
    assert.equal(second?.id, 2);
    assert.equal(second?.sizeBytes, 70 * 1024);
    assert.equal(second?.sha256, rejects[1]?.sha256);
    assert.equal(second?.head.byteLength, 64 * 1024, 'the head is cut to 64 KiB');
    assert.equal(second?.headKept, true);
    assert.deepEqual(await store.observations.listQuarantine(1, 10), [second]);
    assert.deepEqual(await store.observations.listQuarantine(2, 10), []);
    assert.deepEqual(await store.observations.listQuarantine(0, 1), [first]);
  });

  it('past the quarantine quota keeps the reason, hash and size but not the bytes, and drops nothing', async () => {
    const store = await engine.open({ maxQuarantineBytes: 100 });
    const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
    await commit(store, [], [make.reject(bytes(60, 0x61), { position: 1, reason: 'first' })]);
    const over = make.reject(bytes(60, 0x62), { position: 2, reason: 'second' });
    await commit(store, [], [over, make.reject(bytes(40, 0x63), { position: 3, reason: 'third' })]);
    await commit(store, [], [make.reject(bytes(1, 0x64), { position: 4, reason: 'fourth' })]);
    const entries = await store.observations.listQuarantine(0, 10);
    assert.deepEqual(
      entries.map((e) => [e.reason, e.headKept, e.head.byteLength, e.sizeBytes]),
      [
        ['first', true, 60, 60],
        ['second', false, 0, 60],
        ['third', true, 40, 40],
        ['fourth', false, 0, 1],
      ],
    );
    assert.equal(entries[1]?.sha256, over.sha256);
    assert.equal(await store.observations.countQuarantine(), 4);
  });

  it('stores quarantine texts every engine can hold: NUL and lone surrogates replaced, long ids cut', async () => {
    const store = await engine.open();
    const reject = make.reject('{}', {
      sourceId: 'bad\u0000source',
      recordId: `lone\uD800surrogate${'x'.repeat(1000)}`,
      field: 'id',
      reason: 'must not contain control characters',
    });
    await commit(store, [], [reject]);
    const [entry] = await store.observations.listQuarantine(0, 1);
    assert.equal(entry?.sourceId, 'bad\uFFFDsource');
    assert.equal(entry?.recordId?.startsWith('lone\uFFFDsurrogate'), true);
    assert.equal(entry?.recordId?.length, 256);
  });

  it('records sensor status from accepted heartbeats: state, since, last heartbeat', async () => {
    const store = await engine.open();
    const beat = (sourceId: string, state: 'up' | 'down' | 'degraded', minute: number) =>
      make.valid({ kind: 'heartbeat', sourceId, state, observedAtMs: T0 + minute * MINUTE, point: null });
    assert.deepEqual(await store.sources.listStatus(), []);
    await commit(store, [beat('sensor-b', 'up', 0), beat('sensor-a', 'up', 1)]);
    await commit(store, [beat('sensor-b', 'up', 5), beat('sensor-b', 'down', 7)]);
    // A late heartbeat (older than the last one) is stored but changes nothing.
    await commit(store, [beat('sensor-b', 'up', 6)]);
    const status = await store.sources.listStatus();
    assert.deepEqual(status, [
      { sourceId: 'sensor-a', state: 'up', sinceMs: T0 + MINUTE, lastHeartbeatMs: T0 + MINUTE },
      { sourceId: 'sensor-b', state: 'down', sinceMs: T0 + 7 * MINUTE, lastHeartbeatMs: T0 + 7 * MINUTE },
    ]);
    await commit(store, [beat('sensor-b', 'down', 9), beat('sensor-b', 'degraded', 12)]);
    assert.deepEqual((await store.sources.listStatus())[1], {
      sourceId: 'sensor-b',
      state: 'degraded',
      sinceMs: T0 + 12 * MINUTE,
      lastHeartbeatMs: T0 + 12 * MINUTE,
    });
    assert.equal(await store.observations.count(), 7);
  });

  it('changes sensor status only for heartbeats it accepts, not for duplicates or conflicts', async () => {
    const store = await engine.open();
    const up = make.valid({ kind: 'heartbeat', sourceId: 'hb', id: 'h1', state: 'up', observedAtMs: T0 });
    await commit(store, [up]);
    const conflicting = make.valid({
      kind: 'heartbeat',
      sourceId: 'hb',
      id: 'h1',
      state: 'down',
      observedAtMs: T0 + MINUTE,
    });
    const result = await commit(store, [up, conflicting]);
    assert.deepEqual(
      result.outcomes.map((o) => o.status),
      ['duplicate', 'conflict'],
    );
    assert.deepEqual(await store.sources.listStatus(), [
      { sourceId: 'hb', state: 'up', sinceMs: T0, lastHeartbeatMs: T0 },
    ]);
  });

  it('finds points inside a box and exactly on its edges and corners, and none just outside', async () => {
    const store = await engine.open();
    const box = { west: 37.5, south: 47.9, east: 38.3, north: 48.3 };
    const below = (x: number) => x - Number.EPSILON * 64;
    const above = (x: number) => x + Number.EPSILON * 64;
    const inside = [
      { lat: 48.1, lon: 37.9 },
      { lat: box.south, lon: 37.9 },
      { lat: box.north, lon: 37.9 },
      { lat: 48.1, lon: box.west },
      { lat: 48.1, lon: box.east },
      { lat: box.south, lon: box.west },
      { lat: box.north, lon: box.east },
      { lat: box.south, lon: box.east },
      { lat: box.north, lon: box.west },
    ];
    const outside = [
      { lat: below(box.south), lon: 37.9 },
      { lat: above(box.north), lon: 37.9 },
      { lat: 48.1, lon: below(box.west) },
      { lat: 48.1, lon: above(box.east) },
      { lat: above(box.north), lon: above(box.east) },
      { lat: 10, lon: 10 },
    ];
    const ins = inside.map((point, i) =>
      make.valid({ sourceId: 's-box', id: `in-${i}`, point, kind: i % 2 ? 'patrol' : 'radar' }),
    );
    const outs = outside.map((point, i) => make.valid({ sourceId: 's-box', id: `out-${i}`, point }));
    const unlocated = make.valid({ kind: 'heartbeat', sourceId: 's-box', id: 'nowhere', point: null });
    await commit(store, [...outs.slice(0, 3), ...ins, unlocated, ...outs.slice(3)]);
    const found = await store.observations.query({ bbox: box, limit: 100 });
    assert.deepEqual(found.map((o) => o.recordId).sort(), ins.map((o) => o.recordId).sort());
    assert.deepEqual(
      found.map((o) => o.seq),
      [...found.map((o) => o.seq)].sort((a, b) => a - b),
      'ordered by commit sequence',
    );
    // A box that is a single point finds exactly the points on it.
    const corner = await store.observations.query({
      bbox: { west: box.east, south: box.north, east: box.east, north: box.north },
      limit: 10,
    });
    assert.deepEqual(
      corner.map((o) => o.recordId),
      ['in-6'],
    );
    // Without a box, the observation without a point is found too.
    assert.equal((await store.observations.query({ limit: 100 })).length, ins.length + outs.length + 1);
  });

  it('uses the observer position of patrol reports', async () => {
    const store = await engine.open();
    const patrol = make.valid({ kind: 'patrol', sourceId: 'patrol-team', point: { lat: 47.25, lon: 38.75 } });
    await commit(store, [patrol]);
    const found = await store.observations.query({
      bbox: { west: 38.75, south: 47.25, east: 38.75, north: 47.25 },
      limit: 10,
    });
    assert.deepEqual(
      found.map((o) => [o.kind, o.lat, o.lon]),
      [['patrol', 47.25, 38.75]],
    );
  });

  it('finds the same points whatever the size of the box (small, grid-aligned, continental)', async () => {
    const store = await engine.open();
    const points = [
      { lat: 48.3, lon: 37.1 },
      { lat: 48.299999999999997, lon: 37.100000000000001 },
      { lat: 48.2, lon: 37.2 },
      { lat: -33.9, lon: 18.4 },
      { lat: 89.99, lon: 179.99 },
      { lat: -90, lon: -180 },
      { lat: 90, lon: 180 },
    ];
    await commit(
      store,
      points.map((point, i) =>
        make.valid({ sourceId: 's-size', id: `p-${i}`, point, observedAtMs: T0 + i * MINUTE }),
      ),
    );
    const ids = async (query: Omit<ObservationQuery, 'limit'>) =>
      (await store.observations.query({ ...query, limit: 100 })).map((o) => o.recordId);
    assert.deepEqual(await ids({ bbox: { west: 37.1, south: 48.3, east: 37.1, north: 48.3 } }), [
      'p-0',
      'p-1',
    ]);
    assert.deepEqual(await ids({ bbox: { west: 37, south: 48.2, east: 37.2, north: 48.3 } }), [
      'p-0',
      'p-1',
      'p-2',
    ]);
    assert.deepEqual(await ids({ bbox: { west: -180, south: -90, east: 180, north: 90 } }), [
      'p-0',
      'p-1',
      'p-2',
      'p-3',
      'p-4',
      'p-5',
      'p-6',
    ]);
    // A huge box with a window: answered another way by SQLite (whole days of the grid), same semantics.
    assert.deepEqual(
      await ids({
        bbox: { west: -180, south: -90, east: 180, north: 90 },
        fromMs: T0 + 2 * MINUTE,
        toMs: T0 + 5 * MINUTE,
      }),
      ['p-2', 'p-3', 'p-4'],
    );
    assert.deepEqual(await ids({ bbox: { west: 0, south: -60, east: 60, north: 0 } }), ['p-3']);
  });

  it('answers a window as of one moment: a commit landing while it runs is in the answer whole or not at all', async () => {
    const store = await engine.open();
    const point = { lat: 48.05, lon: 37.75 };
    const box = { west: 37.7, south: 48, east: 37.8, north: 48.1 };
    await commit(store, [make.valid({ sourceId: 's-race', id: 'first', point, observedAtMs: T0 })]);
    // Each round commits rows on the earliest day seen so far and on days before it, while a query
    // whose window has no start is under way. (On SQLite the commit cannot land between the query's
    // reads today; the query also bounds its answer by the commit sequence it read with its span.)
    for (let round = 0; round < 20; round += 1) {
      const day = T0 - round * 3 * DAY;
      const during = [day - MINUTE, day - DAY, day - 2 * DAY, day - 2 * DAY - 1].map((observedAtMs, i) =>
        make.valid({ sourceId: 's-race', id: `r${round}-${i}`, point, observedAtMs }),
      );
      for (const query of [{ toMs: T0 + DAY }, { toMs: T0 + DAY, bbox: box }]) {
        const ids = during.map((o) => `${o.recordId}${JSON.stringify(query)}`);
        const renamed = during.map((o, i) => ({ ...o, recordId: ids[i]! }));
        const answering = store.observations.query({ ...query, limit: 1000 });
        const committed = await commit(store, renamed);
        assert.deepEqual(
          committed.outcomes.map((o) => o.status),
          ['accepted', 'accepted', 'accepted', 'accepted'],
        );
        const found = new Set((await answering).map((o) => o.recordId));
        const taken = ids.filter((id) => found.has(id));
        assert.ok(taken.length === 0 || taken.length === ids.length, `round ${round}: ${taken.join(', ')}`);
        // Asked again, the answer holds the commit whole.
        const again = new Set(
          (await store.observations.query({ ...query, limit: 1000 })).map((o) => o.recordId),
        );
        assert.ok(ids.every((id) => again.has(id)));
      }
    }
  });

  it('finds observations on both sides of midnight UTC and over many days', async () => {
    const store = await engine.open();
    const point = { lat: 48.05, lon: 37.75 };
    const times = [T0 - 40 * DAY, T0 - DAY, T0 - 1, T0, T0 + 1, T0 + 3 * DAY + 5 * MINUTE];
    await commit(
      store,
      times.map((observedAtMs, i) => make.valid({ sourceId: 's-days', id: `d${i}`, point, observedAtMs })),
    );
    const ids = async (query: Omit<ObservationQuery, 'limit'>) =>
      (await store.observations.query({ ...query, limit: 100 })).map((o) => o.recordId);
    const box = { west: 37.7, south: 48, east: 37.8, north: 48.1 };
    assert.deepEqual(await ids({ bbox: box }), ['d0', 'd1', 'd2', 'd3', 'd4', 'd5']);
    assert.deepEqual(await ids({ bbox: box, fromMs: T0 - 1, toMs: T0 + 1 }), ['d2', 'd3']);
    assert.deepEqual(await ids({ bbox: box, fromMs: T0 }), ['d3', 'd4', 'd5']);
    assert.deepEqual(await ids({ bbox: box, toMs: T0 }), ['d0', 'd1', 'd2']);
    assert.deepEqual(await ids({ bbox: box, fromMs: T0 - 39 * DAY, toMs: T0 - 1 }), ['d1']);
    assert.deepEqual(await ids({ bbox: box, fromMs: T0 + 4 * DAY }), []);
    assert.deepEqual(await ids({ bbox: box, toMs: T0 - 41 * DAY }), []);
  });

  it('takes the window as from inclusive, to exclusive', async () => {
    const store = await engine.open();
    const at = [0, 1, 2, 3].map((m) =>
      make.valid({ sourceId: 's-time', id: `t${m}`, observedAtMs: T0 + m * MINUTE }),
    );
    await commit(store, at);
    const ids = async (query: Omit<ObservationQuery, 'limit'>) =>
      (await store.observations.query({ ...query, limit: 100 })).map((o) => o.recordId);
    assert.deepEqual(await ids({ fromMs: T0 + MINUTE, toMs: T0 + 3 * MINUTE }), ['t1', 't2']);
    assert.deepEqual(await ids({ fromMs: T0 + MINUTE }), ['t1', 't2', 't3']);
    assert.deepEqual(await ids({ toMs: T0 + MINUTE }), ['t0']);
    assert.deepEqual(await ids({ fromMs: T0 + MINUTE, toMs: T0 + MINUTE }), []);
    // Fractional bounds select what they say: >= 1.5 ms after is >= 2 ms after, < 0.5 ms after is <= 0.
    assert.deepEqual(await ids({ fromMs: T0 + MINUTE - 0.5, toMs: T0 + 0.5 }), []);
    assert.deepEqual(await ids({ fromMs: T0 - 0.5, toMs: T0 + 0.5 }), ['t0']);
    const box = { west: -180, south: -90, east: 180, north: 90 };
    assert.deepEqual(await ids({ bbox: box, fromMs: T0 + 2 * MINUTE, toMs: T0 + 3 * MINUTE }), ['t2']);
  });

  it('filters by kinds and sources; an empty list matches nothing', async () => {
    const store = await engine.open();
    await commit(store, [
      make.valid({ sourceId: 'acoustic-1', kind: 'acoustic', id: 'a' }),
      make.valid({ sourceId: 'radar-1', kind: 'radar', id: 'b' }),
      make.valid({ sourceId: 'acoustic-1', kind: 'heartbeat', id: 'c' }),
      make.valid({ sourceId: 'patrol-1', kind: 'patrol', id: 'd' }),
    ]);
    const ids = async (query: Omit<ObservationQuery, 'limit'>) =>
      (await store.observations.query({ ...query, limit: 100 })).map((o) => o.recordId);
    assert.deepEqual(await ids({ kinds: ['acoustic', 'patrol'] }), ['a', 'd']);
    assert.deepEqual(await ids({ sourceIds: ['acoustic-1'] }), ['a', 'c']);
    assert.deepEqual(await ids({ sourceIds: ['acoustic-1'], kinds: ['heartbeat'] }), ['c']);
    assert.deepEqual(await ids({ sourceIds: ['nobody'] }), []);
    assert.deepEqual(await ids({ kinds: [] }), []);
    assert.deepEqual(await ids({ sourceIds: [] }), []);
    const box = { west: 30, south: 40, east: 40, north: 50 };
    assert.deepEqual(
      await ids({ bbox: box, kinds: ['radar', 'patrol'], sourceIds: ['radar-1', 'patrol-1'] }),
      ['b', 'd'],
    );
  });

  it('pages through a query with afterSeq and limit, in commit order', async () => {
    const store = await engine.open();
    const inBox = { lat: 48.5, lon: 38.5 };
    const rows = Array.from({ length: 9 }, (_, i) =>
      make.valid({ sourceId: 's-page', id: `p${i}`, point: i % 3 === 2 ? { lat: 10, lon: 10 } : inBox }),
    );
    await commit(store, rows.slice(0, 5));
    await commit(store, rows.slice(5));
    const query = { bbox: { west: 38, south: 48, east: 39, north: 49 }, limit: 2 };
    const pages: string[][] = [];
    for (let afterSeq = 0; ;) {
      const page = await store.observations.query({ ...query, afterSeq });
      if (page.length === 0) break;
      pages.push(page.map((o) => o.recordId));
      afterSeq = page.at(-1)?.seq ?? afterSeq;
    }
    assert.deepEqual(pages, [
      ['p0', 'p1'],
      ['p3', 'p4'],
      ['p6', 'p7'],
    ]);
    assert.deepEqual(await store.observations.query({ ...query, limit: 0 }), []);
    // Up to a sequence (what is on disk), with a box, a window or neither: p3 and p4 are the 4th and 5th.
    for (const filters of [query, { fromMs: 0, limit: 2 }, { limit: 2 }]) {
      const upTo = await store.observations.query({ ...filters, afterSeq: 3, throughSeq: 5.5, limit: 10 });
      assert.deepEqual(
        upTo.map((o) => o.recordId),
        ['p3', 'p4'],
        JSON.stringify(filters),
      );
    }
  });

  it('keeps when each commit that stored observations was made, by its last sequence', async () => {
    const clock = { ms: T0, now: () => clock.ms };
    const store = await engine.open({ clock });
    assert.deepEqual(await store.observations.listCommitTimes(0, 10), []);
    const rows = Array.from({ length: 5 }, (_, i) => make.valid({ sourceId: 's-commit', id: `c${i}` }));
    await commit(store, rows.slice(0, 2));
    clock.ms = T0 + 1_500;
    // A commit that stores nothing new (a duplicate, a rejected record) is no commit of observations.
    await commit(store, rows.slice(0, 1), [make.reject('not json')]);
    clock.ms = T0 + 2_000;
    await commit(store, rows.slice(2, 5));
    const all = [
      { lastSeq: 2, committedAtMs: T0 },
      { lastSeq: 5, committedAtMs: T0 + 2_000 },
    ];
    assert.deepEqual(await store.observations.listCommitTimes(0, 10), all);
    assert.deepEqual(await store.observations.listCommitTimes(1.5, 1), [all[0]]);
    assert.deepEqual(await store.observations.listCommitTimes(2, 10), [all[1]]);
    assert.deepEqual(await store.observations.listCommitTimes(5, 10), []);
    await assert.rejects(store.observations.listCommitTimes(Number.NaN, 1), { code: 'E_VALIDATION' });
  });

  it('refuses a malformed query with E_VALIDATION naming the field', async () => {
    const store = await engine.open();
    const refuses = async (query: ObservationQuery, path: string) =>
      assert.rejects(store.observations.query(query), (error: unknown) => {
        assert.equal((error as { code?: unknown }).code, 'E_VALIDATION');
        assert.ok(
          (error as { issues: { path: string }[] }).issues.some((issue) => issue.path === path),
          `an issue names ${path}`,
        );
        return true;
      });
    await refuses({ bbox: { west: 39, south: 47, east: 38, north: 48 }, limit: 10 }, 'bbox.east');
    await refuses({ bbox: { west: 38, south: 49, east: 39, north: 48 }, limit: 10 }, 'bbox.north');
    await refuses({ bbox: { west: 38, south: 47, east: 39, north: Number.NaN }, limit: 10 }, 'bbox.north');
    await refuses({ limit: -1 }, 'limit');
    await refuses({ limit: 1.5 }, 'limit');
    await refuses({ fromMs: Number.POSITIVE_INFINITY, limit: 1 }, 'fromMs');
    await refuses({ throughSeq: Number.NaN, limit: 1 }, 'throughSeq');
  });

  it('stores the marking of each source as given and reads it back everywhere; other sources get the default', async () => {
    const store = await engine.open();
    const complaint: Marking = { tlp: 'AMBER', releasableTo: ['mission', '@chair', '@member', 'party-ua'] };
    const red: Marking = { tlp: 'RED', releasableTo: ['mission'] };
    const rows = [
      make.valid({ sourceId: 'complaints-ua', kind: 'complaint', id: 'c-1', observedAtMs: T0 }),
      make.valid({ sourceId: 'array-1', id: 'a-1', observedAtMs: T0 + 1 }),
      make.valid({ sourceId: 'secret-radar', kind: 'radar', id: 's-1', observedAtMs: T0 + 2 }),
    ];
    const markings = new Map([
      ['complaints-ua', complaint],
      ['secret-radar', red],
    ]);
    await store.observations.commitIngest({ ...make.batch(rows), markings });
    const expected = [complaint, DEFAULT_MARKINGS.observation, red];
    const read = {
      query: await store.observations.query({ limit: 10 }),
      box: await store.observations.query({ bbox: { west: 30, south: 40, east: 40, north: 50 }, limit: 10 }),
      window: await store.observations.query({ fromMs: T0, toMs: T0 + 3, limit: 10 }),
      listAfter: await store.observations.listAfter(0, 10),
    };
    for (const [how, found] of Object.entries(read))
      assert.deepEqual(
        found.map((o) => o.marking),
        expected,
        how,
      );
    for (const [i, o] of rows.entries()) {
      assert.deepEqual((await store.observations.findBySeq(i + 1))?.marking, expected[i]);
      assert.deepEqual(
        (await store.observations.findByRecordId(o.sourceId, o.recordId))?.marking,
        expected[i],
      );
    }
    // The stored record keeps its marking: a repeat with another marking changes nothing.
    const again = await store.observations.commitIngest({
      ...make.batch([rows[0]!]),
      markings: new Map([['complaints-ua', red]]),
    });
    assert.deepEqual(again.outcomes, [{ status: 'duplicate', seq: 1 }]);
    assert.deepEqual((await store.observations.findBySeq(1))?.marking, complaint);
    // What a read returned cannot change the store.
    const first = await store.observations.findBySeq(1);
    assert.throws(() => (first?.marking.releasableTo as string[]).push('@public'));
    assert.deepEqual((await store.observations.findBySeq(1))?.marking, complaint);
  });

  it('gives markings only to the sources of the batch that sent them, also in a shared group commit', async () => {
    const store = await engine.open();
    const red: Marking = { tlp: 'RED', releasableTo: ['mission'] };
    const [marked, plain] = await Promise.all([
      store.observations.commitIngest({
        ...make.batch([make.valid({ sourceId: 'shared', id: 'm' })]),
        markings: new Map([['shared', red]]),
      }),
      store.observations.commitIngest(make.batch([make.valid({ sourceId: 'shared', id: 'p' })])),
    ]);
    assert.deepEqual((await store.observations.findBySeq(marked.lastSeq ?? 0))?.marking, red);
    assert.deepEqual(
      (await store.observations.findBySeq(plain.lastSeq ?? 0))?.marking,
      DEFAULT_MARKINGS.observation,
    );
  });

  it('stores a signed submission byte for byte with its records, which carry its batch id', async () => {
    const store = await engine.open();
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 151) % 256);
    // The body is a view into a larger buffer: only its own bytes are stored.
    const body = new Uint8Array([9, 9, ...bytes, 9]).subarray(2, 302);
    const signed = submission('array-7', 'batch-0001', 'key-a', T0, body);
    const records = [
      make.valid({ sourceId: 'array-7', id: 'r-1', batchId: 'transport-id' }),
      make.valid({ sourceId: 'array-7', id: 'r-2' }),
    ];
    const result = await store.observations.commitIngest({ ...make.batch(records), submission: signed });
    assert.equal(result.lastSeq, 2);
    const stored = await store.observations.findSubmission('array-7', 'batch-0001');
    assert.deepEqual(stored, { ...signed, body: bytes, flaggedAtMs: null, flagReason: null });
    assert.ok(stored?.body instanceof Uint8Array);
    assert.deepEqual(
      (await store.observations.listAfter(0, 10)).map((o) => o.batchId),
      ['batch-0001', 'batch-0001'],
    );
    assert.equal(await store.observations.findSubmission('array-7', 'batch-0002'), undefined);
    assert.equal(await store.observations.findSubmission('array-8', 'batch-0001'), undefined);
    // Without a submission, a record's batch id is its own transport field, as before.
    await commit(store, [make.valid({ sourceId: 'array-7', id: 'r-3', batchId: 'transport-id' })]);
    assert.equal((await store.observations.findBySeq(3))?.batchId, 'transport-id');
    // A submission whose records were all stored before is kept all the same.
    const repeat = submission('array-7', 'batch-0002', 'key-a', T0 + 1);
    const again = await store.observations.commitIngest({ ...make.batch(records), submission: repeat });
    assert.equal(again.lastSeq, null);
    assert.deepEqual(
      (await store.observations.findSubmission('array-7', 'batch-0002'))?.signature,
      repeat.signature,
    );
  });

  it('stores a large signed body byte for byte too (large bodies are kept compressed)', async () => {
    const store = await engine.open();
    const line = '{"id":"r","kind":"acoustic","payload":{"snrDb":12.5,"bearingDeg":211.25}}\n';
    for (const [batchId, size] of [
      ['small', MIN_COMPRESSED_BODY_BYTES - 1],
      ['large', MIN_COMPRESSED_BODY_BYTES * 20],
    ] as const) {
      const text = line.repeat(Math.ceil(size / line.length)).slice(0, size);
      const bytes = new TextEncoder().encode(text);
      const body = new Uint8Array([7, ...bytes, 7]).subarray(1, 1 + size);
      await store.observations.commitIngest({
        ...make.batch([make.valid({ sourceId: 'array-2', id: `r-${batchId}` })]),
        submission: submission('array-2', batchId, 'key-a', T0, body),
      });
      const stored = await store.observations.findSubmission('array-2', batchId);
      assert.equal(stored?.body.byteLength, size, batchId);
      assert.deepEqual(stored?.body, bytes, batchId);
    }
  });

  it('never fails a commit for a repeated batch id, and keeps the first submission', async () => {
    const store = await engine.open();
    const first = submission('array-3', 'dup', 'key-a', T0);
    const second = { ...submission('array-3', 'dup', 'key-b', T0 + 5_000), signature: 'sig1=:other:' };
    // Both in one group commit (submitted in the same turn), with an unrelated batch between them.
    const results = await Promise.all([
      store.observations.commitIngest({
        ...make.batch([make.valid({ sourceId: 'array-3', id: 'd-1' })]),
        submission: first,
      }),
      commit(store, [make.valid({ sourceId: 'other', id: 'o-1' })]),
      store.observations.commitIngest({
        ...make.batch([make.valid({ sourceId: 'array-3', id: 'd-2' })]),
        submission: second,
      }),
    ]);
    assert.deepEqual(
      results.map((r) => r.outcomes),
      [[{ status: 'accepted', seq: 1 }], [{ status: 'accepted', seq: 2 }], [{ status: 'accepted', seq: 3 }]],
    );
    const stored = await store.observations.findSubmission('array-3', 'dup');
    assert.equal(stored?.keyId, 'key-a');
    assert.equal(stored?.signature, first.signature);
    // And later, alone.
    const later = await store.observations.commitIngest({
      ...make.batch([make.valid({ sourceId: 'array-3', id: 'd-3' })]),
      submission: second,
    });
    assert.deepEqual(later.outcomes, [{ status: 'accepted', seq: 4 }]);
    assert.equal((await store.observations.findSubmission('array-3', 'dup'))?.keyId, 'key-a');
    assert.equal(await store.observations.count(), 4);
  });

  it('flags the submissions a key signed from a time on, once, with the observations they brought', async () => {
    const store = await engine.open();
    const signedBatch = async (
      sourceId: string,
      batchId: string,
      keyId: string,
      signedAtMs: number,
      n: number,
    ) => {
      const result = await store.observations.commitIngest({
        ...make.batch(Array.from({ length: n }, (_, i) => make.valid({ sourceId, id: `${batchId}-${i}` }))),
        submission: submission(sourceId, batchId, keyId, signedAtMs),
      });
      return result.outcomes.map((o) => o.seq);
    };
    const before = await signedBatch('array-1', 'b-before', 'key-x', T0 - 1, 2);
    const atStart = await signedBatch('array-1', 'b-at', 'key-x', T0, 2);
    const otherKey = await signedBatch('array-1', 'b-other-key', 'key-y', T0 + MINUTE, 1);
    // An unsigned batch of the same source between them: not flagged.
    await commit(store, [make.valid({ sourceId: 'array-1', id: 'unsigned' })]);
    const later = await signedBatch('array-1', 'b-later', 'key-x', T0 + 2 * MINUTE, 3);
    // The same key on another source (a shared key), and a batch id another source also used.
    const elsewhere = await signedBatch('array-2', 'b-at', 'key-x', T0 + 3 * MINUTE, 1);
    // A signed batch that brought nothing new: flagged, with no seqs of its own.
    await store.observations.commitIngest({
      ...make.batch([make.valid({ sourceId: 'array-1', id: 'b-later-0' })]),
      submission: submission('array-1', 'b-empty', 'key-x', T0 + 4 * MINUTE),
    });

    const flaggedAt = T0 + DAY;
    const result = await store.observations.flagSubmissions('key-x', T0, flaggedAt, 'key compromised');
    assert.deepEqual(result.batches, [
      { sourceId: 'array-1', batchId: 'b-at' },
      { sourceId: 'array-1', batchId: 'b-empty' },
      { sourceId: 'array-1', batchId: 'b-later' },
      { sourceId: 'array-2', batchId: 'b-at' },
    ]);
    assert.deepEqual(result.seqs, [...atStart, ...later, ...elsewhere]);
    const state = async (sourceId: string, batchId: string) => {
      const found = await store.observations.findSubmission(sourceId, batchId);
      return [found?.flaggedAtMs, found?.flagReason];
    };
    assert.deepEqual(await state('array-1', 'b-at'), [flaggedAt, 'key compromised']);
    assert.deepEqual(await state('array-2', 'b-at'), [flaggedAt, 'key compromised']);
    assert.deepEqual(await state('array-1', 'b-before'), [null, null]);
    assert.deepEqual(await state('array-1', 'b-other-key'), [null, null]);
    assert.ok(before.length === 2 && otherKey.length === 1);

    // Not twice: a second revocation finds nothing new, and keeps the first flag's time and reason.
    const again = await store.observations.flagSubmissions('key-x', T0 - DAY, flaggedAt + 1, 'again');
    assert.deepEqual(again.batches, [{ sourceId: 'array-1', batchId: 'b-before' }]);
    assert.deepEqual(again.seqs, before);
    assert.deepEqual(await state('array-1', 'b-later'), [flaggedAt, 'key compromised']);
    assert.deepEqual(await store.observations.flagSubmissions('key-x', T0 - DAY, flaggedAt + 2, 'third'), {
      batches: [],
      seqs: [],
    });
    assert.deepEqual(await store.observations.flagSubmissions('key-unknown', 0, flaggedAt, 'none'), {
      batches: [],
      seqs: [],
    });
  });

  it('takes the flagging time bound as inclusive, and refuses malformed arguments with E_VALIDATION', async () => {
    const store = await engine.open();
    for (const [i, at] of [T0 - 1, T0, T0 + 1].entries())
      await store.observations.commitIngest({
        ...make.batch([make.valid({ sourceId: 'edge', id: `e-${i}` })]),
        submission: submission('edge', `e-${i}`, 'key-e', at),
      });
    // >= T0 - 0.5 selects the same whole times as >= T0.
    const result = await store.observations.flagSubmissions('key-e', T0 - 0.5, T0 + DAY, 'edge');
    assert.deepEqual(
      result.batches.map((b) => b.batchId),
      ['e-1', 'e-2'],
    );
    assert.deepEqual(result.seqs, [2, 3]);
    await assert.rejects(store.observations.flagSubmissions('key-e', Number.NaN, T0, 'x'), {
      code: 'E_VALIDATION',
    });
    await assert.rejects(store.observations.flagSubmissions('key-e', T0, 1.5, 'x'), { code: 'E_VALIDATION' });
    await assert.rejects(store.observations.flagSubmissions('', T0, T0, 'x'), { code: 'E_VALIDATION' });
  });

  it('refuses commits once closed, after finishing those already made', async () => {
    const store = await engine.open();
    const pending = commit(store, [make.valid({ sourceId: 's-close' })]);
    const closing = store.close();
    assert.deepEqual((await pending).outcomes, [{ status: 'accepted', seq: 1 }]);
    await closing;
    await assert.rejects(commit(store, [make.valid({ sourceId: 's-close' })]), { code: 'E_STORE' });
  });
});
