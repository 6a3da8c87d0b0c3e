import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { FusionPipeline } from '../../src/application/fusion-pipeline.ts';
import { registerAgreement } from '../../src/application/register-agreement.ts';
import { fusionLogic } from '../../src/main.ts';
import { startHarness, type Harness } from '../helpers/app-harness.ts';
import { fireScenario, sourceRuns, type Scenario } from '../helpers/fusion-scenario.ts';

interface Page<T> {
  items: T[];
  next: string | null;
}
interface EventItem {
  id: string;
  seq: number;
  type: string;
  phase: string | null;
  time: string;
  origin: { lat: number; lon: number } | null;
}
interface ViolationItem {
  id: string;
  eventId: string;
  clause: string;
  party: string | null;
  agreementVersion: string;
  explanation: string;
}

describe('/api/v1/events and /api/v1/violations', () => {
  let h: Harness;
  let scenario: Scenario;

  before(async () => {
    h = await startHarness();
    scenario = await fireScenario(6);
    await registerAgreement(h.deps, { text: scenario.agreementText, format: 'yaml' });
    for (const source of scenario.sources) await h.addSource(source);
    // Each source signs its own records: one batch per run of a source's records, in the scenario's order.
    for (const run of sourceRuns(scenario.records)) {
      const posted = await h.inject({
        method: 'POST',
        url: '/api/v1/observations',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(run.records),
      });
      assert.equal(posted.statusCode, 200, posted.body);
      assert.equal(posted.json<{ accepted: number }>().accepted, run.records.length, posted.body);
    }
    await new FusionPipeline(h.deps, fusionLogic, { agreementId: 'donbas-2015' }).run(true);
  });
  after(() => h.close());

  // The caller names the shape of the answer it expects (JSON from the server is untyped).
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
  const get = async <T>(url: string): Promise<{ status: number; body: T }> => {
    const response = await h.inject({ method: 'GET', url });
    return { status: response.statusCode, body: response.json<T>() };
  };

  test('lists every event, filters by type, time and box, and pages with `next`', async () => {
    const all = await get<Page<EventItem>>('/api/v1/events');
    assert.equal(all.status, 200);
    assert.equal(all.body.items.length, scenario.launches.length);
    assert.ok(
      all.body.items.every((e) => e.type === 'explosion' && e.phase === 'launch' && e.origin !== null),
    );

    const none = await get<Page<EventItem>>('/api/v1/events?type=drone-flight');
    assert.deepEqual(none.body.items, []);

    const first = scenario.launches[0]!;
    const window = await get<Page<EventItem>>(
      `/api/v1/events?from=${new Date(first.timeMs - 60_000).toISOString()}&to=${new Date(first.timeMs + 60_000).toISOString()}`,
    );
    assert.equal(window.body.items.length, 1);
    const box = `${first.lon - 0.02},${first.lat - 0.02},${first.lon + 0.02},${first.lat + 0.02}`;
    const boxed = await get<Page<EventItem>>(`/api/v1/events?bbox=${box}`);
    assert.ok(boxed.body.items.length >= 1 && boxed.body.items.length < scenario.launches.length);

    const paged = await get<Page<EventItem>>('/api/v1/events?limit=4');
    assert.equal(paged.body.items.length, 4);
    assert.ok(paged.body.next !== null);
    const rest = await get<Page<EventItem>>(`/api/v1/events?limit=4&after=${paged.body.next}`);
    assert.equal(rest.body.items.length, scenario.launches.length - 4);
    assert.equal(rest.body.next, null);
  });

  test('potential violations filter by party and clause, and each explains itself', async () => {
    const all = await get<Page<ViolationItem>>('/api/v1/violations');
    assert.equal(all.body.items.length, scenario.launches.length);
    const parties = new Set(scenario.launches.map((l) => l.party));
    for (const party of parties) {
      const mine = await get<Page<ViolationItem>>(`/api/v1/violations?party=${party}`);
      assert.equal(mine.body.items.length, scenario.launches.filter((l) => l.party === party).length);
      assert.ok(mine.body.items.every((v) => v.party === party));
    }
    const fire = await get<Page<ViolationItem>>('/api/v1/violations?clause=ceasefire-violation');
    assert.equal(fire.body.items.length, scenario.launches.length);
    const other = await get<Page<ViolationItem>>('/api/v1/violations?clause=impeding-monitors');
    assert.deepEqual(other.body.items, []);
    for (const v of all.body.items) {
      assert.match(v.agreementVersion, /^donbas-2015@\d+$/);
      assert.match(v.explanation, /donbas-2015@\d+/);
    }
  });

  test('a reader gets only the potential violations and events it may read, in full pages', async () => {
    const party = await h.tokenFor({ orgId: 'ua', kind: 'party', role: 'party-liaison' });
    const asParty = async <T>(url: string) => {
      const res = await h.inject({ method: 'GET', url, headers: { authorization: `Bearer ${party}` } });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<Page<T>>();
    };
    const all = (await get<Page<ViolationItem>>('/api/v1/violations')).body.items;
    const events = (await get<Page<EventItem>>('/api/v1/events')).body.items;
    assert.ok(all.length >= 3 && events.length >= 3);
    // Fusion output carries its defaults, which a party may read; mark one of each for the mission only.
    const hidden = all[1]?.id ?? '';
    const hiddenEvent = events[1]?.id ?? '';
    const db = new Database(h.dbPath);
    try {
      db.prepare(
        `UPDATE violation_revisions SET tlp = 'RED', releasable_to = '["mission"]' WHERE id = ?`,
      ).run(hidden);
      db.prepare(`UPDATE event_revisions SET tlp = 'RED', releasable_to = '["mission"]' WHERE id = ?`).run(
        hiddenEvent,
      );
    } finally {
      db.close();
    }
    const seen = await asParty<ViolationItem>(`/api/v1/violations?limit=${all.length - 1}`);
    assert.deepEqual(
      seen.items.map((v) => v.id),
      all.filter((v) => v.id !== hidden).map((v) => v.id),
    );
    const seenEvents = await asParty<EventItem>(`/api/v1/events?limit=${events.length - 1}`);
    assert.deepEqual(
      seenEvents.items.map((e) => e.id),
      events.filter((e) => e.id !== hiddenEvent).map((e) => e.id),
    );
    // The mission still reads both.
    assert.equal((await get<Page<ViolationItem>>('/api/v1/violations')).body.items.length, all.length);
  });

  test('one event or potential violation by id gives every revision; an unknown id is a 404', async () => {
    const all = await get<Page<ViolationItem>>('/api/v1/violations');
    const violation = all.body.items[0]!;
    const one = await get<{ revisions: ViolationItem[] }>(
      `/api/v1/violations/${encodeURIComponent(violation.id)}`,
    );
    assert.equal(one.status, 200);
    assert.equal(one.body.revisions.at(-1)?.id, violation.id);
    const event = await get<{ revisions: EventItem[] }>(
      `/api/v1/events/${encodeURIComponent(violation.eventId)}`,
    );
    assert.equal(event.status, 200);
    assert.equal(event.body.revisions.at(-1)?.id, violation.eventId);
    const missing = await get<{ code: string }>('/api/v1/events/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'E_NOT_FOUND');
  });

  test('without a token events and potential violations are a 401', async () => {
    for (const url of ['/api/v1/events', '/api/v1/violations']) {
      const res = await h.inject({ method: 'GET', url, anonymous: true });
      assert.equal(res.statusCode, 401, url);
      assert.equal(res.json<{ code: string }>().code, 'E_UNAUTHENTICATED', url);
    }
  });

  test('bad query parameters are a 400 naming the parameter and the reason', async () => {
    const badType = await get<{ code: string; message: string; issues?: { path: string; reason: string }[] }>(
      '/api/v1/events?type=telepathy',
    );
    assert.equal(badType.status, 400);
    assert.equal(badType.body.code, 'E_VALIDATION');
    assert.match(JSON.stringify(badType.body), /type/);
    assert.match(JSON.stringify(badType.body), /telepathy/);
    const badBox = await get<{ code: string }>('/api/v1/violations?bbox=1,2,3');
    assert.equal(badBox.status, 400);
    assert.match(JSON.stringify(badBox.body), /bbox/);
    const badStatus = await get<{ code: string }>('/api/v1/violations?status=active,maybe');
    assert.equal(badStatus.status, 400);
    assert.match(JSON.stringify(badStatus.body), /status/);
    assert.match(JSON.stringify(badStatus.body), /maybe/);
  });

  // Last: it withdraws an event and its potential violation.
  test('events and potential violations filter by status: what stands, what was withdrawn', async () => {
    const [first] = await h.deps.store.fusion.listEvents({ limit: 1 });
    assert.ok(first);
    const made = (await h.deps.store.fusion.listViolations({ limit: 100 })).filter(
      (v) => v.violation.eventId === first.event.id,
    );
    assert.equal(made.length, 1);
    await h.deps.store.fusion.commit({
      events: [{ ...first.event, revision: first.event.revision + 1, status: 'withdrawn' }],
      violations: made.map((v) => ({
        ...v.violation,
        revision: v.violation.revision + 1,
        status: 'withdrawn' as const,
        withdrawnReason: 'its event was withdrawn',
      })),
      cursorSeq: await h.deps.store.fusion.cursor(),
      committedAtMs: Date.now(),
    });
    const withdrawn = await get<Page<EventItem>>('/api/v1/events?status=withdrawn');
    assert.deepEqual(
      withdrawn.body.items.map((e) => e.id),
      [first.event.id],
    );
    const standing = await get<Page<EventItem>>('/api/v1/events?status=active');
    assert.equal(standing.body.items.length, scenario.launches.length - 1);
    assert.ok(standing.body.items.every((e) => e.id !== first.event.id));
    const both = await get<Page<EventItem>>('/api/v1/events?status=active,withdrawn');
    assert.equal(both.body.items.length, scenario.launches.length);
    const violations = await get<Page<ViolationItem>>('/api/v1/violations?status=withdrawn');
    assert.deepEqual(
      violations.body.items.map((v) => v.eventId),
      [first.event.id],
    );
    const standingViolations = await get<Page<ViolationItem>>('/api/v1/violations?status=active');
    assert.equal(standingViolations.body.items.length, scenario.launches.length - 1);
  });
});
