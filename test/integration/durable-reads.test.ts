// Reads show what is on disk: a commit is visible to the store before its log is synced (decision
// 0019), and the API must not show it until then — a power cut could still take it back and give its
// sequence to another record. The store's log sync is held here, so that moment lasts.
import assert from 'node:assert/strict';
import { fdatasync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { SyncFile } from '../../src/adapters/sqlite/wal-sync.ts';
import { FusionPipeline } from '../../src/application/fusion-pipeline.ts';
import { registerAgreement } from '../../src/application/register-agreement.ts';
import { registerSource } from '../../src/application/register-source.ts';
import { fusionLogic } from '../../src/main.ts';
import { startHarness, type Harness } from '../helpers/app-harness.ts';
import { fireScenario, sourceRuns, type Scenario } from '../helpers/fusion-scenario.ts';

type Done = Parameters<SyncFile>[1];

/** The log's syncs, run at once or held until released (or failed, as a failing disk would). */
class HeldSyncs {
  holding = false;
  readonly #held: { fd: number; done: Done }[] = [];

  readonly sync: SyncFile = (fd, done) => {
    if (this.holding) this.#held.push({ fd, done });
    else fdatasync(fd, done);
  };

  /** Resolves once a sync is being held (a commit is visible and not on disk). */
  async waitForHeld(): Promise<void> {
    for (let turns = 0; this.#held.length === 0; turns++) {
      assert.ok(turns < 100_000, 'a commit waits for its sync');
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  release(): void {
    this.holding = false;
    for (const { fd, done } of this.#held.splice(0)) fdatasync(fd, done);
  }

  fail(): void {
    this.holding = false;
    const eio = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    for (const { done } of this.#held.splice(0)) done(eio);
  }
}

/** Whether `answer` settles within a few hundred turns of the event loop (a read that waits does not). */
async function settles(answer: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void answer.finally(() => (settled = true)).catch(() => undefined);
  for (let turns = 0; turns < 300 && !settled; turns++) await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

interface Page {
  items: { seq: number; id?: string }[];
}

describe('reads show only what is on disk', () => {
  const syncs = new HeldSyncs();
  let h: Harness;
  let scenario: Scenario;
  let runs: ReturnType<typeof sourceRuns>;

  before(async () => {
    h = await startHarness({ syncLog: syncs.sync });
    scenario = await fireScenario(2);
    runs = sourceRuns(scenario.records);
    await registerAgreement(h.deps, { text: scenario.agreementText, format: 'yaml' });
    for (const source of scenario.sources) await h.addSource(source);
  });
  after(async () => {
    syncs.release();
    await h.close();
  });

  const get = async (url: string) => {
    const response = await h.inject({ method: 'GET', url });
    return { status: response.statusCode, body: response.json<Page>() };
  };
  const post = (records: readonly unknown[]) =>
    h.inject({
      method: 'POST',
      url: '/api/v1/observations',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(records),
    });

  test('an observation committed and not yet synced is in no answer until it is synced', async () => {
    const [first, ...rest] = runs;
    assert.ok(first !== undefined && rest.length > 2);
    assert.equal((await post(first.records)).statusCode, 200);
    const shown = (await get('/api/v1/observations?limit=1000')).body.items.map((o) => o.seq);
    assert.equal(shown.length, first.records.length);

    syncs.holding = true;
    const posting = Promise.all(rest.slice(0, -2).map((run) => post(run.records)));
    try {
      await syncs.waitForHeld();
      const latest = await h.deps.store.observations.latestSeq();
      assert.ok(latest > Math.max(...shown), 'the next batch is committed');
      const during = await get('/api/v1/observations?limit=1000');
      assert.equal(during.status, 200);
      assert.deepEqual(
        during.body.items.map((o) => o.seq),
        shown,
      );
      assert.equal((await get(`/api/v1/observations/${latest}`)).status, 404);
      // Their ledger entries, and proofs of a tree that holds them, wait for the sync.
      const ledgerSize = (await h.deps.store.ledger.head()).size;
      const newest = get(`/api/v1/ledger/entries/${ledgerSize - 1}`);
      const proof = get(`/api/v1/ledger/proofs/inclusion?index=0&size=${ledgerSize}`);
      assert.equal(await settles(newest), false);
      assert.equal(await settles(proof), false);
      const health = (await h.inject({ url: '/healthz', anonymous: true })).json<{ latestSeq: number }>();
      assert.equal(health.latestSeq, Math.max(...shown), 'healthz names the latest a reader may page to');

      syncs.release();
      for (const answer of await posting) assert.equal(answer.statusCode, 200, answer.body);
      const afterSync = (await get('/api/v1/observations?limit=1000')).body.items;
      assert.equal(afterSync.length, await h.deps.store.observations.latestSeq());
      assert.ok(afterSync.length > shown.length);
      assert.equal((await get(`/api/v1/observations/${latest}`)).status, 200);
      assert.equal((await newest).status, 200);
      assert.equal((await proof).status, 200);
    } finally {
      syncs.release();
      await posting.catch(() => undefined);
    }
  });

  test('a ledger entry another commit made while an ingest sync runs is served once that sync ends', async () => {
    // Registering a source is synced in its own commit, and notes no ledger size: the entry must
    // not be refused because ingest's mark is behind it.
    const run = runs.at(-2);
    assert.ok(run !== undefined);
    const before = (await h.deps.store.ledger.head()).size;
    syncs.holding = true;
    const posting = post(run.records);
    try {
      await syncs.waitForHeld();
      await h.addSource({ id: 'late-patrol', kind: 'patrol' });
      const size = (await h.deps.store.ledger.head()).size;
      assert.ok(size > before + 1, 'the batch and the source are both in the ledger');
      const entry = get(`/api/v1/ledger/entries/${size - 1}`);
      const consistency = get(`/api/v1/ledger/proofs/consistency?from=${before}&to=${size}`);
      assert.equal(await settles(entry), false);
      syncs.release();
      assert.equal((await entry).status, 200);
      assert.equal((await consistency).status, 200);
      assert.equal((await posting).statusCode, 200);
    } finally {
      syncs.release();
      await posting.catch(() => undefined);
    }
  });

  test('events and potential violations committed and not yet synced are in no answer until they are synced', async () => {
    syncs.holding = true;
    const fusing = new FusionPipeline(h.deps, fusionLogic, { agreementId: 'donbas-2015' }).run(true);
    try {
      await syncs.waitForHeld();
      // The store holds them already.
      const events = await h.deps.store.fusion.listEvents({ limit: 1000 });
      const violations = await h.deps.store.fusion.listViolations({ limit: 1000 });
      assert.ok(events.length > 0 && violations.length > 0, 'fusion committed events and violations');
      const [event] = events;
      const [violation] = violations;
      assert.ok(event !== undefined && violation !== undefined);
      const eventUrl = `/api/v1/events/${encodeURIComponent(event.event.id)}`;
      const violationUrl = `/api/v1/violations/${encodeURIComponent(violation.violation.id)}`;

      assert.deepEqual((await get('/api/v1/events?limit=1000')).body.items, []);
      assert.deepEqual((await get('/api/v1/violations?limit=1000')).body.items, []);
      assert.equal((await get(eventUrl)).status, 404);
      assert.equal((await get(violationUrl)).status, 404);
      assert.equal((await get(`${violationUrl}/verification`)).status, 404);

      syncs.release();
      await fusing;
      assert.equal((await get('/api/v1/events?limit=1000')).body.items.length, events.length);
      assert.equal((await get('/api/v1/violations?limit=1000')).body.items.length, violations.length);
      assert.equal((await get(eventUrl)).status, 200);
      assert.equal((await get(violationUrl)).status, 200);
      assert.equal((await get(`${violationUrl}/verification`)).status, 200);
    } finally {
      syncs.release();
      await fusing.catch(() => undefined);
    }
  });

  test('after the log fails to sync, ingest is refused and reads go on with what was synced', async () => {
    const last = runs.at(-1);
    assert.ok(last !== undefined);
    const before = (await get('/api/v1/observations?limit=1000')).body.items.length;
    const health = async () =>
      (await h.inject({ url: '/healthz', anonymous: true })).json<{ status: string; logSync: string }>();
    assert.deepEqual(await health().then((x) => [x.status, x.logSync]), ['ok', 'ok']);
    syncs.holding = true;
    const posting = post(last.records);
    await syncs.waitForHeld();
    syncs.fail();
    const answer = await posting;
    assert.equal(answer.statusCode, 503, answer.body);
    assert.equal(answer.json<{ code: string }>().code, 'E_STORE');
    const reads = await get('/api/v1/observations?limit=1000');
    assert.equal(reads.status, 200);
    assert.equal(reads.body.items.length, before);
    assert.equal((await get('/api/v1/events?limit=1000')).status, 200);
    // The operator sees it: nothing more is taken until the process restarts.
    assert.deepEqual(await health().then((x) => [x.status, x.logSync]), ['degraded', 'failed']);
    // Nor is anything else committed, though registrations sync inside their own commits.
    await assert.rejects(
      registerSource(h.deps, { id: 'after-the-failure', kind: 'radar', organisation: 'mission' }),
      (error: unknown) => {
        assert.equal((error as { code?: string }).code, 'E_STORE', String(error));
        return true;
      },
    );
    assert.equal(await h.deps.store.sources.find('after-the-failure'), undefined);
  });
});
