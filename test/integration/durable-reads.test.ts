// Reads show what is on disk: a commit is visible to the store before its log is synced (decision
// 0019), and the API must not show it until then — a power cut could still take it back and give its
// sequence to another record. The store's log sync is held here, so that moment lasts.
import assert from 'node:assert/strict';
import { fdatasync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { SyncFile } from '../../src/adapters/sqlite/wal-sync.ts';
import { FusionPipeline } from '../../src/application/fusion-pipeline.ts';
import { registerAgreement } from '../../src/application/register-agreement.ts';
import { fusionLogic } from '../../src/main.ts';
import { startHarness, type Harness } from '../helpers/app-harness.ts';
import { fireScenario, sourceRuns, type Scenario } from '../helpers/fusion-scenario.ts';

/** The log's syncs, run at once or held until released. */
class HeldSyncs {
  holding = false;
  readonly #held: (() => void)[] = [];

  readonly sync: SyncFile = (fd, done) => {
    if (this.holding) this.#held.push(() => fdatasync(fd, done));
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
    for (const run of this.#held.splice(0)) run();
  }
}

interface Page {
  items: { seq: number; id?: string }[];
}

describe('reads show only what is on disk', () => {
  const syncs = new HeldSyncs();
  let h: Harness;
  let scenario: Scenario;

  before(async () => {
    h = await startHarness({ syncLog: syncs.sync });
    scenario = await fireScenario(2);
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

  test('an observation committed and not yet synced is in no answer until it is synced', async () => {
    const [first, ...rest] = sourceRuns(scenario.records);
    assert.ok(first !== undefined && rest.length > 0);
    const post = (records: readonly unknown[]) =>
      h.inject({
        method: 'POST',
        url: '/api/v1/observations',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(records),
      });
    assert.equal((await post(first.records)).statusCode, 200);
    const shown = (await get('/api/v1/observations?limit=1000')).body.items.map((o) => o.seq);
    assert.equal(shown.length, first.records.length);

    syncs.holding = true;
    const posting = Promise.all(rest.map((run) => post(run.records)));
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

    syncs.release();
    for (const answer of await posting) assert.equal(answer.statusCode, 200, answer.body);
    const afterSync = (await get('/api/v1/observations?limit=1000')).body.items;
    assert.equal(afterSync.length, scenario.records.length);
    assert.equal((await get(`/api/v1/observations/${latest}`)).status, 200);
  });

  test('events and potential violations committed and not yet synced are in no answer until they are synced', async () => {
    syncs.holding = true;
    const fusing = new FusionPipeline(h.deps, fusionLogic, { agreementId: 'donbas-2015' }).run(true);
    await syncs.waitForHeld();
    // The store holds them already.
    const events = await h.deps.store.fusion.listEvents({ limit: 1000 });
    const violations = await h.deps.store.fusion.listViolations({ limit: 1000 });
    assert.ok(events.length > 0 && violations.length > 0, 'fusion committed events and violations');
    const [event] = events;
    const [violation] = violations;
    assert.ok(event !== undefined && violation !== undefined);

    assert.deepEqual((await get('/api/v1/events?limit=1000')).body.items, []);
    assert.deepEqual((await get('/api/v1/violations?limit=1000')).body.items, []);
    assert.equal((await get(`/api/v1/events/${encodeURIComponent(event.event.id)}`)).status, 404);
    assert.equal((await get(`/api/v1/violations/${encodeURIComponent(violation.violation.id)}`)).status, 404);

    syncs.release();
    await fusing;
    assert.equal((await get('/api/v1/events?limit=1000')).body.items.length, events.length);
    assert.equal((await get('/api/v1/violations?limit=1000')).body.items.length, violations.length);
    assert.equal((await get(`/api/v1/events/${encodeURIComponent(event.event.id)}`)).status, 200);
    assert.equal((await get(`/api/v1/violations/${encodeURIComponent(violation.violation.id)}`)).status, 200);
  });
});
