/**
 * Contract of the FusionStore port, on every engine: values round-trip, every revision is kept and the
 * lists answer with heads, sequences come from the one counter shared with observations (also when
 * ingest and fusion commit at the same time), the cursor persists and never moves back, and every
 * filter of the queries (edges, windows, types, parties, clauses, paging) answers as a brute-force
 * filter over the same values does — so all engines answer alike.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { sqliteMigrations } from '../../src/adapters/sqlite/sqlite-migrations.ts';
import { openSqliteStore } from '../../src/adapters/sqlite/open-sqlite-store.ts';
import { DEFAULT_MARKINGS } from '../../src/core/access/markings.ts';
import type { TrucelineError } from '../../src/core/errors.ts';
import type { FusedEvent, GaussianPoint } from '../../src/core/fusion/event.ts';
import type {
  EventQuery,
  FusionCommit,
  FusionLeaseClaim,
  StoredEvent,
  StoredViolation,
  ViolationQuery,
} from '../../src/core/ports/fusion-store.ts';
import type { Store } from '../../src/core/ports/store.ts';
import type { PotentialViolation } from '../../src/core/rules/potential-violation.ts';
import { crowdedSummary } from '../helpers/set-aside.ts';
import { ObservationFactory } from '../helpers/observation-factory.ts';
import { describeEachEngine } from './engines.ts';

const T0 = Date.parse('2026-02-10T00:00:00Z');
const COMMITTED = Date.parse('2026-02-10T06:00:00Z');

const point = (lat: number, lon: number): GaussianPoint => ({
  lat,
  lon,
  covariance: [250_000.5, -1_200.25, 90_000],
});

/** A fused event with plausible values; `spec` overrides any of them. */
function fusedEvent(id: string, spec: Partial<FusedEvent> = {}): FusedEvent {
  return {
    id,
    revision: 1,
    type: 'explosion',
    phase: 'impact',
    status: 'active',
    timeMs: T0,
    timeSigmaMs: 35.5,
    location: point(48.01, 37.8),
    origin: null,
    impact: null,
    method: 'acoustic-tdoa',
    weaponClass: null,
    count: null,
    provenance: [
      {
        seq: 1,
        sourceId: 'array-1',
        recordId: 'r-1',
        kind: 'acoustic',
        observedAtMs: T0 + 4_000,
        role: 'arrival',
        residualS: 0.0125,
      },
      {
        seq: 2,
        sourceId: 'array-2',
        recordId: 'r-2',
        kind: 'acoustic',
        observedAtMs: T0 + 5_000,
        role: 'arrival',
        residualS: null,
      },
      { seq: 3, sourceId: 'osint', recordId: 'x', kind: 'osint', observedAtMs: T0, role: 'corroboration' },
    ],
    asOfSeq: 3,
    ...spec,
  };
}

/** A potential violation of `event`; `spec` overrides any value. */
function violation(
  id: string,
  event: FusedEvent,
  spec: Partial<PotentialViolation> = {},
): PotentialViolation {
  return {
    id,
    revision: 1,
    eventId: event.id,
    eventRevision: event.revision,
    eventType: event.type,
    timeMs: event.timeMs,
    clause: 'no-fire',
    zoneId: null,
    agreementVersion: 'minsk@2',
    location: event.location,
    distanceToLineKm: 7.25,
    party: 'party-ru',
    partyBasis: 'attribution',
    attribution: {
      decision: 'attributed',
      party: 'party-ru',
      probabilities: { 'party-ru': 0.97, 'party-ua': 0.02 },
      nobodyProbability: 0.01,
      confidence: 0.97,
      threshold: 0.9,
      method: 'closed-form',
    },
    weaponClass: 'artillery-100mm',
    grade: {
      observationCertainty: 'high',
      attributionCertainty: 'high',
      adjudication: 'potential',
      severity: 'standard',
    },
    supportingSeqs: [1, 2, 3],
    explanation: 'Fire in the security zone: "quoted" text, a line\nbreak and ünïcødé survive the store.',
    ...spec,
  };
}

const commitOf = (spec: Partial<FusionCommit>): FusionCommit => ({
  events: [],
  violations: [],
  cursorSeq: 0,
  committedAtMs: COMMITTED,
  ...spec,
});

const eventIds = (rows: readonly StoredEvent[]) => rows.map((r) => `${r.event.id}@${r.event.revision}`);
const violationIds = (rows: readonly StoredViolation[]) =>
  rows.map((r) => `${r.violation.id}@${r.violation.revision}`);

/** What a query must answer, by brute force over the heads (as values, with their seqs). */
function expectedHeads(
  heads: readonly { seq: number; value: FusedEvent | PotentialViolation }[],
  query: ViolationQuery,
): string[] {
  const at = (v: FusedEvent | PotentialViolation) =>
    'eventType' in v ? v.location : (v.location ?? v.origin);
  const type = (v: FusedEvent | PotentialViolation) => ('eventType' in v ? v.eventType : v.type);
  return heads
    .filter(({ seq, value }) => {
      const p = at(value);
      const box = query.bbox;
      if (box !== undefined) {
        if (p === null) return false;
        if (p.lat < box.south || p.lat > box.north || p.lon < box.west || p.lon > box.east) return false;
      }
      if (query.fromMs !== undefined && value.timeMs < query.fromMs) return false;
      if (query.toMs !== undefined && value.timeMs >= query.toMs) return false;
      if (query.types !== undefined && !query.types.includes(type(value))) return false;
      if (query.afterSeq !== undefined && seq <= query.afterSeq) return false;
      if (query.throughSeq !== undefined && seq > query.throughSeq) return false;
      if (query.statuses !== undefined && !query.statuses.includes(value.status ?? 'active')) return false;
      if ('party' in value) {
        if (query.parties !== undefined && (value.party === null || !query.parties.includes(value.party)))
          return false;
        if (query.clauses !== undefined && !query.clauses.includes(value.clause)) return false;
      }
      return true;
    })
    .sort((a, b) => a.seq - b.seq)
    .slice(0, query.limit)
    .map(({ value }) => `${value.id}@${value.revision}`);
}

describeEachEngine('FusionStore', (engine) => {
  const make = new ObservationFactory();
  const ingest = (store: Store, n: number) =>
    store.observations.commitIngest(make.batch(Array.from({ length: n }, () => make.valid())));

  it('keeps every value exactly as given, nulls and optional members included', async () => {
    const store = await engine.open();
    assert.equal(await store.fusion.cursor(), 0);
    const located = fusedEvent('ev-located', {
      type: 'projectile-in-flight',
      phase: 'launch',
      timeMs: T0 + 0.375,
      origin: point(47.9, 37.6),
      impact: point(48.1, 37.95),
      method: 'acoustic-tdoa+radar',
      weaponClass: 'mlrs',
      count: 3,
    });
    const bare = fusedEvent('ev-bare', {
      type: 'troop-presence',
      phase: null,
      status: 'withdrawn',
      location: null,
      method: 'single-report',
      provenance: [],
    });
    const bareViolation = violation('v-bare', bare, {
      clause: 'no-troops',
      zoneId: 'buffer',
      location: null,
      distanceToLineKm: null,
      party: null,
      partyBasis: null,
      attribution: {
        decision: 'not-attributable',
        party: null,
        probabilities: {},
        nobodyProbability: 0,
        confidence: 0,
        threshold: 0.9,
        method: 'none',
      },
      weaponClass: null,
      supportingSeqs: [],
    });
    const located1 = violation('v-located', located);
    const last = await store.fusion.commit(
      commitOf({ events: [located, bare], violations: [located1, bareViolation], cursorSeq: 0 }),
    );
    assert.equal(last, 4);
    const events = [
      { seq: 1, committedAtMs: COMMITTED, event: located, marking: DEFAULT_MARKINGS.event },
      { seq: 2, committedAtMs: COMMITTED, event: bare, marking: DEFAULT_MARKINGS.event },
    ];
    const violations = [
      { seq: 3, committedAtMs: COMMITTED, violation: located1, marking: DEFAULT_MARKINGS.violation },
      { seq: 4, committedAtMs: COMMITTED, violation: bareViolation, marking: DEFAULT_MARKINGS.violation },
    ];
    assert.deepEqual(await store.fusion.listEvents({ limit: 10 }), events);
    assert.deepEqual(await store.fusion.listViolations({ limit: 10 }), violations);
    assert.deepEqual(await store.fusion.eventRevisions('ev-located'), [events[0]]);
    assert.deepEqual(await store.fusion.eventRevisions('ev-bare'), [events[1]]);
    assert.deepEqual(await store.fusion.violationRevisions('v-bare'), [violations[1]]);
    assert.deepEqual(await store.fusion.eventRevisions('no-such-event'), []);
    assert.deepEqual(await store.fusion.violationRevisions('no-such-violation'), []);
    assert.deepEqual(await store.fusion.changesAfter(0, 10), [
      { type: 'event', seq: 1, stored: events[0] },
      { type: 'event', seq: 2, stored: events[1] },
      { type: 'violation', seq: 3, stored: violations[0] },
      { type: 'violation', seq: 4, stored: violations[1] },
    ]);
  });

  it('marks every revision with the default marking of events (CLEAR) and of violations (GREEN)', async () => {
    const store = await engine.open();
    const e1 = fusedEvent('ev-m');
    await store.fusion.commit(commitOf({ events: [e1], violations: [violation('v-m', e1)] }));
    const e2 = fusedEvent('ev-m', { revision: 2, timeMs: T0 + 1_000 });
    await store.fusion.commit(
      commitOf({ events: [e2], violations: [violation('v-m', e2, { revision: 2 })] }),
    );
    const markings = [
      ...(await store.fusion.listEvents({ limit: 10 })),
      ...(await store.fusion.eventRevisions('ev-m')),
    ].map((stored) => stored.marking);
    assert.equal(markings.length, 3);
    for (const marking of markings) assert.deepEqual(marking, DEFAULT_MARKINGS.event);
    assert.equal(DEFAULT_MARKINGS.event.tlp, 'CLEAR');
    const violationMarkings = [
      ...(await store.fusion.listViolations({ limit: 10 })),
      ...(await store.fusion.violationRevisions('v-m')),
    ].map((stored) => stored.marking);
    assert.equal(violationMarkings.length, 3);
    for (const marking of violationMarkings) assert.deepEqual(marking, DEFAULT_MARKINGS.violation);
    assert.equal(DEFAULT_MARKINGS.violation.tlp, 'GREEN');
    const changes = await store.fusion.changesAfter(0, 10);
    assert.deepEqual(
      changes.map((change) => [change.type, change.stored.marking.tlp]),
      [
        ['event', 'CLEAR'],
        ['violation', 'GREEN'],
        ['event', 'CLEAR'],
        ['violation', 'GREEN'],
      ],
    );
    // What a read returned cannot change what the next read returns.
    const [first] = await store.fusion.listEvents({ limit: 1 });
    assert.throws(() => (first?.marking.releasableTo as string[]).push('@nobody'));
    assert.deepEqual((await store.fusion.listEvents({ limit: 1 }))[0]?.marking, DEFAULT_MARKINGS.event);
  });

  it('stores -0 as 0 (SQLite cannot tell them apart, and JSON text has no -0)', async () => {
    const store = await engine.open();
    const event = fusedEvent('ev-zero', { location: { lat: -0, lon: -0, covariance: [-0, 0, 1] } });
    await store.fusion.commit(commitOf({ events: [event] }));
    const [stored] = await store.fusion.listEvents({
      bbox: { west: 0, south: 0, east: 0, north: 0 },
      limit: 1,
    });
    assert.ok(stored !== undefined);
    assert.ok(Object.is(stored.event.location?.lat, 0));
    assert.ok(Object.is(stored.event.location?.covariance[0], 0));
  });

  it('keeps every revision and lists only the latest of each, at the place and time it now has', async () => {
    const store = await engine.open();
    const a1 = fusedEvent('ev-a', { location: point(48, 37) });
    const b1 = fusedEvent('ev-b', { location: point(48, 37) });
    await store.fusion.commit(commitOf({ events: [a1, b1], violations: [violation('v-a', a1)] }));
    // ev-a moves and is re-timed; its violation is revised; ev-b is untouched.
    const a2 = fusedEvent('ev-a', { revision: 2, location: point(49, 38), timeMs: T0 + 60_000 });
    const a3 = fusedEvent('ev-a', { revision: 3, location: point(49.5, 38), timeMs: T0 + 60_000 });
    const va2 = violation('v-a', a3, { revision: 2, clause: 'no-heavy-weapons', party: 'party-ua' });
    assert.equal(await store.fusion.commit(commitOf({ events: [a2, a3], violations: [va2] })), 6);

    assert.deepEqual(
      (await store.fusion.eventRevisions('ev-a')).map((r) => [r.seq, r.event]),
      [
        [1, a1],
        [4, a2],
        [5, a3],
      ],
    );
    assert.deepEqual(eventIds(await store.fusion.listEvents({ limit: 10 })), ['ev-b@1', 'ev-a@3']);
    // The old place, time and clause of a revised head no longer match.
    const oldPlace = { west: 37, south: 48, east: 37, north: 48 };
    assert.deepEqual(eventIds(await store.fusion.listEvents({ bbox: oldPlace, limit: 10 })), ['ev-b@1']);
    assert.deepEqual(eventIds(await store.fusion.listEvents({ toMs: T0 + 1, limit: 10 })), ['ev-b@1']);
    assert.deepEqual(
      violationIds(await store.fusion.listViolations({ clauses: ['no-fire'], limit: 10 })),
      [],
    );
    assert.deepEqual(violationIds(await store.fusion.listViolations({ parties: ['party-ua'], limit: 10 })), [
      'v-a@2',
    ]);
    assert.deepEqual(
      (await store.fusion.violationRevisions('v-a')).map((r) => r.seq),
      [3, 6],
    );
    // Up to a sequence (what is on disk): the revisions up to it, and only heads committed by then —
    // ev-a's head is its third revision, at 5.
    assert.deepEqual(
      (await store.fusion.eventRevisions('ev-a', 4.5)).map((r) => r.seq),
      [1, 4],
    );
    assert.deepEqual(
      (await store.fusion.violationRevisions('v-a', 5)).map((r) => r.seq),
      [3],
    );
    assert.deepEqual(await store.fusion.eventRevisions('ev-a', 0), []);
    assert.deepEqual(eventIds(await store.fusion.listEvents({ throughSeq: 4, limit: 10 })), ['ev-b@1']);
    assert.deepEqual(eventIds(await store.fusion.listEvents({ throughSeq: 5, limit: 10 })), [
      'ev-b@1',
      'ev-a@3',
    ]);
    assert.deepEqual(violationIds(await store.fusion.listViolations({ throughSeq: 5.9, limit: 10 })), []);
  });

  it('refuses a revision that is not after the stored one, and writes nothing of that commit', async () => {
    const store = await engine.open();
    const a1 = fusedEvent('ev-a');
    await store.fusion.commit(commitOf({ events: [a1], violations: [violation('v-a', a1)], cursorSeq: 0 }));
    const refused = [
      commitOf({ events: [fusedEvent('ev-new'), a1], cursorSeq: 5 }),
      commitOf({ events: [fusedEvent('ev-c'), fusedEvent('ev-c')], cursorSeq: 5 }),
      commitOf({ violations: [violation('v-a', a1)], cursorSeq: 5 }),
    ];
    for (const input of refused)
      await assert.rejects(store.fusion.commit(input), (error: { code?: string }) => {
        assert.equal(error.code, 'E_CONFLICT');
        return true;
      });
    assert.equal(await store.observations.latestSeq(), 2);
    assert.equal(await store.fusion.cursor(), 0);
    assert.deepEqual(eventIds(await store.fusion.listEvents({ limit: 10 })), ['ev-a@1']);
    assert.deepEqual(await store.fusion.changesAfter(2, 10), []);
  });

  it('refuses a malformed commit or query with E_VALIDATION naming the field', async () => {
    const store = await engine.open();
    const bad = [
      [commitOf({ cursorSeq: -1 }), 'cursorSeq'],
      [commitOf({ committedAtMs: 1.5 }), 'committedAtMs'],
      [commitOf({ events: [fusedEvent('e', { revision: 0 })] }), 'events[0].revision'],
      // Past what a 32-bit column holds (PostgreSQL's is one).
      [commitOf({ events: [fusedEvent('e', { revision: 2 ** 31 })] }), 'events[0].revision'],
      [commitOf({ events: [fusedEvent('e', { timeMs: Number.NaN })] }), 'events[0].timeMs'],
      [commitOf({ violations: [violation('', fusedEvent('e'))] }), 'violations[0].id'],
      [commitOf({ setAside: [{ seq: 0, sourceId: 'a', timeMs: T0, reason: 'crowded' }] }), 'setAside[0].seq'],
      [
        commitOf({ setAside: [{ seq: 1, sourceId: '', timeMs: T0, reason: 'crowded' }] }),
        'setAside[0].sourceId',
      ],
      [
        commitOf({ setAside: [{ seq: 1, sourceId: 'a', timeMs: 0.5, reason: 'crowded' }] }),
        'setAside[0].timeMs',
      ],
      [
        commitOf({ setAside: [{ seq: 1, sourceId: 'a', timeMs: T0, reason: 'noisy' as 'crowded' }] }),
        'setAside[0].reason',
      ],
    ] as const;
    for (const [input, path] of bad)
      await assert.rejects(store.fusion.commit(input), (error: { code?: string; issues?: unknown }) => {
        assert.equal(error.code, 'E_VALIDATION');
        assert.deepEqual(
          (error.issues as { path: string }[]).map((i) => i.path),
          [path],
        );
        return true;
      });
    await assert.rejects(
      store.fusion.listEvents({ bbox: { west: 38, south: 48, east: 37, north: 49 }, limit: 1 }),
      { code: 'E_VALIDATION' },
    );
    await assert.rejects(store.fusion.listViolations({ limit: -1 }), { code: 'E_VALIDATION' });
    await assert.rejects(store.fusion.listEvents({ throughSeq: Number.NaN, limit: 1 }), {
      code: 'E_VALIDATION',
    });
    await assert.rejects(store.fusion.eventRevisions('e', Number.POSITIVE_INFINITY), {
      code: 'E_VALIDATION',
    });
    await assert.rejects(store.fusion.violationRevisions('v', Number.NaN), { code: 'E_VALIDATION' });
    await assert.rejects(store.fusion.changesAfter(Number.NaN, 1), { code: 'E_VALIDATION' });
    assert.equal(await store.observations.latestSeq(), 0);
  });

  it('takes its sequences from the counter observations use, events before violations', async () => {
    const store = await engine.open();
    assert.equal((await ingest(store, 2)).lastSeq, 2);
    const a = fusedEvent('ev-a');
    const b = fusedEvent('ev-b');
    const last = await store.fusion.commit(
      commitOf({ events: [a, b], violations: [violation('v-a', a)], cursorSeq: 2 }),
    );
    assert.equal(last, 5);
    assert.deepEqual((await ingest(store, 1)).outcomes, [{ status: 'accepted', seq: 6 }]);
    assert.equal(await store.fusion.commit(commitOf({ violations: [violation('v-b', b)], cursorSeq: 6 })), 7);
    assert.equal(await store.observations.latestSeq(), 7);
    assert.deepEqual(
      (await store.observations.listAfter(0, 10)).map((o) => o.seq),
      [1, 2, 6],
    );
    assert.deepEqual(
      (await store.fusion.changesAfter(0, 10)).map((c) => [c.type, c.seq]),
      [
        ['event', 3],
        ['event', 4],
        ['violation', 5],
        ['violation', 7],
      ],
    );
    assert.equal(await store.fusion.cursor(), 6);
  });

  it('never reuses a sequence when ingest and fusion commit at the same time', async () => {
    const store = await engine.open();
    const writes: Promise<readonly number[]>[] = [];
    for (let i = 0; i < 6; i++) {
      writes.push(ingest(store, 3).then((c) => c.outcomes.map((o) => o.seq)));
      const e = fusedEvent(`ev-${i}`);
      writes.push(
        store.fusion
          .commit(commitOf({ events: [e], violations: [violation(`v-${i}`, e)], cursorSeq: i }))
          .then(async () => [
            ...(await store.fusion.eventRevisions(`ev-${i}`)).map((r) => r.seq),
            ...(await store.fusion.violationRevisions(`v-${i}`)).map((r) => r.seq),
          ]),
      );
    }
    const seqs = (await Promise.all(writes)).flat().sort((x, y) => x - y);
    assert.deepEqual(
      seqs,
      Array.from({ length: 6 * 5 }, (_, i) => i + 1),
    );
    assert.equal(await store.observations.latestSeq(), 30);
    // Within a fusion commit the event comes first, then its violation, with nothing between.
    for (let i = 0; i < 6; i++) {
      const [event] = await store.fusion.eventRevisions(`ev-${i}`);
      const [found] = await store.fusion.violationRevisions(`v-${i}`);
      assert.equal(found?.seq, (event?.seq ?? 0) + 1);
    }
  });

  it('moves the cursor without writing a revision, and never moves it back', async () => {
    const store = await engine.open();
    await ingest(store, 3);
    assert.equal(await store.fusion.commit(commitOf({ cursorSeq: 3 })), null);
    assert.equal(await store.fusion.cursor(), 3);
    assert.equal(await store.observations.latestSeq(), 3);
    assert.deepEqual(await store.fusion.changesAfter(0, 10), []);
    // A lower cursor keeps the higher one, but its revisions are written.
    assert.equal(await store.fusion.commit(commitOf({ events: [fusedEvent('late')], cursorSeq: 1 })), 4);
    assert.equal(await store.fusion.cursor(), 3);
    assert.equal(await store.fusion.commit(commitOf({ cursorSeq: 0 })), null);
    assert.equal(await store.fusion.cursor(), 3);
  });

  it('keeps each set-aside arrival once, takes no sequence for it, and sums them per source', async () => {
    const store = await engine.open();
    await ingest(store, 6);
    const aside = (seq: number, sourceId: string, timeMs: number) =>
      ({ seq, sourceId, timeMs, reason: 'crowded' }) as const;
    assert.deepEqual(await store.fusion.setAside(), []);
    const first = [aside(1, 'array-2', T0 + 500), aside(2, 'array-2', T0), aside(3, 'array-1', T0 + 10)];
    assert.equal(await store.fusion.commit(commitOf({ setAside: first, cursorSeq: 3 })), null);
    // A restarted pipeline sets the same arrivals aside again, with more: each counts once.
    await store.fusion.commit(
      commitOf({
        setAside: [...first, aside(5, 'array-2', T0 + 9_000)],
        events: [fusedEvent('ev-a')],
        cursorSeq: 6,
      }),
    );
    assert.equal(await store.observations.latestSeq(), 7);
    const summary = crowdedSummary;
    assert.deepEqual(await store.fusion.setAside(), [
      summary('array-1', 1, T0 + 10, T0 + 10),
      summary('array-2', 3, T0, T0 + 9_000),
    ]);
    assert.deepEqual(await store.fusion.setAside(['array-2', 'array-9', 'array-2']), [
      summary('array-2', 3, T0, T0 + 9_000),
    ]);
    assert.deepEqual(await store.fusion.setAside([]), []);
    // A commit refused (a stale revision) keeps none of its set-aside arrivals.
    await assert.rejects(
      store.fusion.commit(commitOf({ setAside: [aside(6, 'array-1', T0)], events: [fusedEvent('ev-a')] })),
      { code: 'E_CONFLICT' },
    );
    assert.deepEqual(await store.fusion.setAside(['array-1']), [summary('array-1', 1, T0 + 10, T0 + 10)]);
  });

  const { openAgain } = engine;
  if (openAgain !== undefined)
    it('keeps the cursor, the revisions and the counter across close and reopen', async () => {
      const store = await engine.open();
      await ingest(store, 2);
      const a = fusedEvent('ev-a');
      await store.fusion.commit(commitOf({ events: [a], violations: [violation('v-a', a)], cursorSeq: 2 }));
      const before = await store.fusion.changesAfter(0, 10);
      await store.close();

      const reopened = await openAgain(store);
      assert.equal(await reopened.fusion.cursor(), 2);
      assert.deepEqual(await reopened.fusion.changesAfter(0, 10), before);
      assert.deepEqual((await ingest(reopened, 1)).outcomes, [{ status: 'accepted', seq: 5 }]);
      await reopened.fusion.commit(commitOf({ cursorSeq: 1 }));
      assert.equal(await reopened.fusion.cursor(), 2);
      await reopened.fusion.commit(commitOf({ events: [fusedEvent('ev-a', { revision: 2 })], cursorSeq: 5 }));
      await reopened.close();

      const again = await openAgain(store);
      assert.equal(await again.fusion.cursor(), 5);
      assert.deepEqual(
        (await again.fusion.eventRevisions('ev-a')).map((r) => [r.seq, r.event.revision]),
        [
          [3, 1],
          [6, 2],
        ],
      );
    });

  if (openAgain !== undefined)
    it('shares the counter with another store on the same storage committing at the same time', async () => {
      const server = await engine.open();
      const worker = await openAgain(server);
      const writes: Promise<readonly number[]>[] = [];
      for (let i = 0; i < 5; i++) {
        writes.push(ingest(server, 2).then((c) => c.outcomes.map((o) => o.seq)));
        writes.push(
          worker.fusion
            .commit(commitOf({ events: [fusedEvent(`ev-${i}`)], cursorSeq: i }))
            .then((last) => (last === null ? [] : [last])),
        );
      }
      const seqs = (await Promise.all(writes)).flat().sort((x, y) => x - y);
      assert.deepEqual(
        seqs,
        Array.from({ length: 15 }, (_, i) => i + 1),
      );
      assert.equal(await server.observations.latestSeq(), 15);
      // Both stores read the same five revisions.
      const fromServer = (await server.fusion.changesAfter(0, 10)).map((c) => c.seq);
      assert.equal(fromServer.length, 5);
      assert.deepEqual(
        (await worker.fusion.changesAfter(0, 10)).map((c) => c.seq),
        fromServer,
      );
      assert.equal(await server.fusion.cursor(), 4);
    });

  it('filters by status also when values hold a NUL character or a lone surrogate anywhere', async () => {
    const store = await engine.open();
    const event = fusedEvent('ev-text');
    const text = (s: string) =>
      // Quoting the member's text: inside a JSON string its quotes are escaped, so it is no member.
      violation(`v-${s.length}`, event, { explanation: `label ${s} "status":"withdrawn"` });
    const nul = text('a\u0000b');
    const lone = text('a\ud800bc');
    const withdrawn = violation('v-gone', event, { status: 'withdrawn', explanation: 'x\u0000' });
    await store.fusion.commit(commitOf({ events: [event], violations: [nul, lone, withdrawn] }));
    const ids = async (statuses: ('active' | 'withdrawn')[]) =>
      (await store.fusion.listViolations({ statuses, limit: 10 })).map((v) => v.violation.id).sort();
    assert.deepEqual(await ids(['active']), [nul.id, lone.id].sort());
    assert.deepEqual(await ids(['withdrawn']), ['v-gone']);
    assert.deepEqual(await ids(['active', 'withdrawn']), [nul.id, lone.id, 'v-gone'].sort());
  });

  const claimant = (holder: string, purpose = 'serve'): FusionLeaseClaim => ({
    holder,
    pid: 4242,
    host: 'monitor-1',
    purpose,
  });

  it('grants fusion’s lease to one holder at a time, renews it, and frees it when it runs out or is given up', async () => {
    const store = await engine.open();
    const first = await store.fusion.claimLease(claimant('a'), T0, 30_000);
    assert.deepEqual(first, {
      granted: true,
      lease: { ...claimant('a'), claimedAtMs: T0, expiresAtMs: T0 + 30_000 },
    });
    // Another is refused and told who holds it, until the holder's time runs out.
    const refused = await store.fusion.claimLease(claimant('b', 'ingest'), T0 + 30_000, 30_000);
    assert.deepEqual(refused, { granted: false, lease: first.lease });
    // A renewal keeps the first claim's time.
    const renewed = await store.fusion.claimLease(claimant('a'), T0 + 10_000, 30_000);
    assert.deepEqual(renewed.lease, { ...claimant('a'), claimedAtMs: T0, expiresAtMs: T0 + 40_000 });
    assert.equal((await store.fusion.claimLease(claimant('b'), T0 + 40_000, 30_000)).granted, false);
    const lapsed = await store.fusion.claimLease(claimant('b'), T0 + 40_001, 30_000);
    assert.deepEqual(lapsed.lease, { ...claimant('b'), claimedAtMs: T0 + 40_001, expiresAtMs: T0 + 70_001 });
    // Giving it up: only its holder can, and then anyone may claim it at once.
    await store.fusion.releaseLease('a');
    assert.equal((await store.fusion.claimLease(claimant('c'), T0 + 40_002, 30_000)).granted, false);
    await store.fusion.releaseLease('b');
    assert.equal((await store.fusion.claimLease(claimant('c'), T0 + 40_002, 30_000)).granted, true);
    // Taking over a holder found dead, named exactly.
    assert.equal((await store.fusion.claimLease(claimant('d'), T0 + 40_003, 30_000, 'x')).granted, false);
    const taken = await store.fusion.claimLease(claimant('d'), T0 + 40_003, 30_000, 'c');
    assert.equal(taken.granted, true);
    assert.equal(taken.lease.holder, 'd');
  });

  it('refuses a malformed claim of the lease with E_VALIDATION naming the field', async () => {
    const store = await engine.open();
    await assert.rejects(
      store.fusion.claimLease({ ...claimant(''), pid: -1 }, T0, 0),
      (error: TrucelineError) =>
        error.code === 'E_VALIDATION' &&
        ['holder', 'pid', 'ttlMs'].every((path) => error.issues.some((i) => i.path === path)),
    );
  });

  it('refuses a commit naming a holder that does not hold the lease, and writes nothing of it', async () => {
    const store = await engine.open();
    await ingest(store, 2);
    const a = fusedEvent('ev-a');
    // Nobody holds it.
    await assert.rejects(
      store.fusion.commit(commitOf({ events: [a], cursorSeq: 2, leaseHolder: 'a' })),
      (error: TrucelineError) => error.code === 'E_FUSION_LEASE',
    );
    await store.fusion.claimLease(claimant('b', 'ingest'), T0, 30_000);
    await assert.rejects(
      store.fusion.commit(commitOf({ events: [a], cursorSeq: 2, leaseHolder: 'a' })),
      (error: TrucelineError) =>
        error.code === 'E_FUSION_LEASE' && error.message.includes('ingest (process 4242 on monitor-1)'),
    );
    assert.deepEqual(await store.fusion.changesAfter(0, 10), []);
    assert.equal(await store.fusion.cursor(), 0);
    // Its holder commits, also after its time ran out while nobody took it; a commit naming no holder
    // (an operator's refusal of a flagged source's events) is not held to it.
    assert.equal(await store.fusion.commit(commitOf({ events: [a], cursorSeq: 2, leaseHolder: 'b' })), 3);
    assert.equal(await store.fusion.commit(commitOf({ events: [fusedEvent('ev-b')], cursorSeq: 2 })), 4);
    assert.equal(await store.fusion.cursor(), 2);
  });

  if (openAgain !== undefined)
    it('grants the lease to one of two stores on the same storage claiming at the same time', async () => {
      const server = await engine.open();
      const other = await openAgain(server);
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 === 0 ? server : other).fusion.claimLease(claimant(`h-${i}`), T0, 30_000),
        ),
      );
      const granted = answers.filter((a) => a.granted);
      assert.equal(granted.length, 1);
      for (const answer of answers) assert.equal(answer.lease.holder, granted[0]?.lease.holder);
    });

  it('pages the changes after a sequence, events and violations merged in commit order', async () => {
    const store = await engine.open();
    const events = Array.from({ length: 5 }, (_, i) => fusedEvent(`ev-${i}`));
    // Commits of events only, violations only, and both, with observations between.
    await store.fusion.commit(commitOf({ events: events.slice(0, 2) }));
    await ingest(store, 1);
    await store.fusion.commit(commitOf({ violations: [violation('v-0', events[0]!)] }));
    await store.fusion.commit(
      commitOf({
        events: events.slice(2),
        violations: [violation('v-1', events[1]!), violation('v-2', events[2]!)],
      }),
    );
    await store.fusion.commit(commitOf({ events: [fusedEvent('ev-0', { revision: 2 })] }));
    const all = (await store.fusion.changesAfter(0, 100)).map((c) => `${c.type}:${c.seq}`);
    assert.deepEqual(all, [
      'event:1',
      'event:2',
      'violation:4',
      'event:5',
      'event:6',
      'event:7',
      'violation:8',
      'violation:9',
      'event:10',
    ]);
    for (const after of [0, 2, 3, 4, 7, 9, 10])
      for (const limit of [0, 1, 2, 4, 100]) {
        const page = (await store.fusion.changesAfter(after, limit)).map((c) => `${c.type}:${c.seq}`);
        const expected = all.filter((c) => Number(c.split(':')[1]) > after).slice(0, limit);
        assert.deepEqual(page, expected, `after ${after}, limit ${limit}`);
      }
    // Fractional bounds select what whole ones would: after 3.5 is after 3.
    assert.deepEqual(
      (await store.fusion.changesAfter(3.5, 1)).map((c) => c.seq),
      [4],
    );
  });

  it('answers every filter and combination of filters as a brute-force filter does', async () => {
    const store = await engine.open();
    // A grid of places (with points on the box edges used below), times around the window bounds
    // (fractional ones included), types, parties (null too) and clauses; then some are revised.
    const lats = [47.5, 48, 48.25, 48.5, 49];
    const lons = [37, 37.5, 37.75, 38, 38.5];
    const times = [T0 - 1, T0, T0 + 0.5, T0 + 999.999, T0 + 1_000, T0 + 1_000.25, T0 + 5_000];
    const types = ['explosion', 'projectile-in-flight', 'weapon-sighting', 'drone-flight'] as const;
    const parties = ['party-ru', 'party-ua', null];
    const clauses = ['no-fire', 'no-heavy-weapons', 'no-drones'];
    const events: FusedEvent[] = [];
    const violations: PotentialViolation[] = [];
    for (let i = 0; i < 40; i++) {
      const at = point(lats[i % 5]!, lons[(i * 3) % 5]!);
      // Some events have no location: their origin stands for it, or they have neither.
      const placeless = i % 9 === 4;
      const originOnly = i % 7 === 3;
      const event = fusedEvent(`ev-${String(i).padStart(2, '0')}`, {
        type: types[i % 4]!,
        timeMs: times[i % 7]!,
        location: placeless || originOnly ? null : at,
        origin: originOnly ? at : null,
      });
      events.push(event);
      if (i % 2 === 0)
        violations.push(
          violation(`v-${String(i).padStart(2, '0')}`, event, {
            location: i % 10 === 6 ? null : at,
            party: parties[i % 3]!,
            clause: clauses[i % 5 === 0 ? 2 : i % 3]!,
          }),
        );
    }
    const eventHeads = new Map<string, { seq: number; value: FusedEvent }>();
    const violationHeads = new Map<string, { seq: number; value: PotentialViolation }>();
    let seq = await store.observations.latestSeq();
    const commit = async (e: FusedEvent[], v: PotentialViolation[]) => {
      await store.fusion.commit(commitOf({ events: e, violations: v }));
      for (const value of e) eventHeads.set(value.id, { seq: (seq += 1), value });
      for (const value of v) violationHeads.set(value.id, { seq: (seq += 1), value });
      await ingest(store, 1);
      seq += 1;
    };
    await commit(events.slice(0, 20), violations.slice(0, 10));
    await commit(events.slice(20), violations.slice(10));
    // Revisions: some move, change time, type, party or clause; their old values must not match.
    const revisedEvents = events
      .filter((_, i) => i % 6 === 1)
      .map((e, k) => ({
        ...e,
        revision: 2,
        timeMs: times[(k + 2) % 7]!,
        type: types[(k + 1) % 4]!,
        location: point(lats[(k + 2) % 5]!, lons[k % 5]!),
        // Some are withdrawn: their status is read from the head's value.
        status: k % 3 === 0 ? ('withdrawn' as const) : ('active' as const),
      }));
    const revisedViolations = violations
      .filter((_, i) => i % 4 === 1)
      .map((v, k) => ({
        ...v,
        revision: 2,
        party: parties[(k + 1) % 3]!,
        clause: clauses[(k + 1) % 3]!,
        ...(k % 2 === 0 ? { status: 'withdrawn' as const, withdrawnReason: 'shown wrong' } : {}),
      }));
    await commit(revisedEvents, revisedViolations);
    const eventList = [...eventHeads.values()];
    const violationList = [...violationHeads.values()];

    const boxes = [
      undefined,
      { west: 37.5, south: 48, east: 38, north: 48.5 },
      { west: 37.5, south: 48.25, east: 37.5, north: 48.25 },
      { west: 36, south: 47, east: 37, north: 47.5 },
      { west: 39, south: 40, east: 40, north: 41 },
    ];
    const windows: { fromMs?: number; toMs?: number }[] = [
      {},
      { fromMs: T0 },
      { toMs: T0 + 1_000 },
      { fromMs: T0 + 0.5, toMs: T0 + 1_000.25 },
      { fromMs: T0 + 0.25, toMs: T0 + 0.75 },
      { fromMs: T0 + 5_000, toMs: T0 + 5_000 },
    ];
    const typeSets = [undefined, ['explosion'], ['projectile-in-flight', 'drone-flight'], []] as const;
    const partySets = [undefined, ['party-ru'], ['party-ua', 'party-ru'], []];
    const clauseSets = [undefined, ['no-drones'], ['no-fire', 'no-heavy-weapons'], []];
    const pages = [
      { limit: 100 },
      { limit: 3 },
      { limit: 0 },
      { afterSeq: 30, limit: 100 },
      { afterSeq: 62.5, limit: 5 },
      { throughSeq: 50.5, limit: 100 },
      { afterSeq: 30, throughSeq: 70, limit: 4 },
    ];
    let compared = 0;
    let nonEmpty = 0;
    for (const bbox of boxes)
      for (const window of windows)
        for (const typeSet of typeSets)
          for (const page of pages) {
            const query: EventQuery = {
              ...(bbox === undefined ? {} : { bbox }),
              ...window,
              ...(typeSet === undefined ? {} : { types: typeSet }),
              ...page,
            };
            const expected = expectedHeads(eventList, query);
            const label = JSON.stringify(query);
            assert.deepEqual(eventIds(await store.fusion.listEvents(query)), expected, label);
            compared += 1;
            if (expected.length > 0) nonEmpty += 1;
          }
    for (const bbox of boxes.slice(0, 3))
      for (const window of windows.slice(0, 4))
        for (const typeSet of typeSets.slice(0, 3))
          for (const parties of partySets)
            for (const clauses of clauseSets)
              for (const page of [pages[0]!, pages[1]!, pages[3]!, pages[5]!]) {
                const query: ViolationQuery = {
                  ...(bbox === undefined ? {} : { bbox }),
                  ...window,
                  ...(typeSet === undefined ? {} : { types: typeSet }),
                  ...(parties === undefined ? {} : { parties }),
                  ...(clauses === undefined ? {} : { clauses }),
                  ...page,
                };
                const expected = expectedHeads(violationList, query);
                const label = JSON.stringify(query);
                assert.deepEqual(violationIds(await store.fusion.listViolations(query)), expected, label);
                compared += 1;
                if (expected.length > 0) nonEmpty += 1;
              }
    const statusSets = [['active'], ['withdrawn'], ['active', 'withdrawn'], []] as const;
    for (const statuses of statusSets)
      for (const window of windows.slice(0, 4))
        for (const page of [pages[0]!, pages[1]!, pages[3]!]) {
          const query: ViolationQuery = { ...window, statuses, ...page };
          const label = JSON.stringify(query);
          assert.deepEqual(
            eventIds(await store.fusion.listEvents(query)),
            expectedHeads(eventList, query),
            label,
          );
          assert.deepEqual(
            violationIds(
              await store.fusion.listViolations({ ...query, types: ['explosion', 'drone-flight'] }),
            ),
            expectedHeads(violationList, { ...query, types: ['explosion', 'drone-flight'] }),
            label,
          );
        }
    // The filters were exercised, not vacuously satisfied: each one alone selects some but not all.
    assert.ok(nonEmpty > compared / 8, `${nonEmpty} of ${compared} queries matched something`);
    const selective: ViolationQuery[] = [
      { bbox: boxes[1]!, limit: 100 },
      { bbox: boxes[2]!, limit: 100 },
      { fromMs: T0 + 0.5, toMs: T0 + 1_000.25, limit: 100 },
      { types: ['explosion'], limit: 100 },
      { parties: ['party-ru'], limit: 100 },
      { clauses: ['no-drones'], limit: 100 },
      { afterSeq: 62.5, limit: 100 },
      { throughSeq: 50.5, limit: 100 },
      { statuses: ['active'], limit: 100 },
      { statuses: ['withdrawn'], limit: 100 },
    ];
    for (const query of selective) {
      const matched = expectedHeads(violationList, query).length;
      assert.ok(matched > 0 && matched < violationList.length, `${JSON.stringify(query)}: ${matched}`);
    }
  });
});

describe('FusionStore on a SQLite file made before fusion existed', () => {
  it('migrates it: the commit sequence carries on and the cursor starts at 0', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'truceline-fusion-upgrade-'));
    try {
      const path = join(scratch, 'old.db');
      const db = new Database(path);
      const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database: db }) });
      const first = Object.keys(sqliteMigrations).sort()[0] ?? '';
      const only = { [first]: sqliteMigrations[first]! };
      const { error } = await new Migrator({
        db: kysely,
        provider: { getMigrations: () => Promise.resolve(only) },
      }).migrateToLatest();
      assert.equal(error, undefined);
      db.prepare('UPDATE store_state SET last_seq = 7 WHERE id = 1').run();
      await kysely.destroy();

      const store = await openSqliteStore({ path });
      try {
        assert.equal(await store.fusion.cursor(), 0);
        assert.equal(await store.fusion.commit(commitOf({ events: [fusedEvent('ev')], cursorSeq: 7 })), 8);
        assert.equal(await store.fusion.cursor(), 7);
        assert.equal(await store.observations.latestSeq(), 8);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
