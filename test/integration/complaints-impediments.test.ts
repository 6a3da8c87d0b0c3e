// A party's complaint arrives with its liaison's token and the party's signature, is stored as an
// observation of kind `complaint`, and gets a verification item linked to the events near it. A
// monitor's impediment report is a record of its own, evaluated as a violation and verified like one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FusionPipeline } from '../../src/application/fusion-pipeline.ts';
import { registerAgreement } from '../../src/application/register-agreement.ts';
import { signBatch } from '../../src/client/sign-batch.ts';
import { fusionLogic } from '../../src/main.ts';
import { startHarness, TestClock, type Harness } from '../helpers/app-harness.ts';
import { fireScenario, SCENARIO_START_MS } from '../helpers/fusion-scenario.ts';

describe('complaints and impediments', () => {
  let h: Harness;
  let liaison: string;
  let analyst: string;
  let monitor: string;
  let eventTime: number;
  let eventPoint: { lat: number; lon: number };
  let batches = 0;

  before(async () => {
    h = await startHarness({ clock: new TestClock(SCENARIO_START_MS + 3 * 3_600_000) });
    const scenario = await fireScenario(2, 0);
    await registerAgreement(h.deps, { text: scenario.agreementText, format: 'yaml' });
    for (const source of scenario.sources) await h.addSource(source);
    for (const source of scenario.sources) {
      const records = scenario.records.filter((r) => r.sourceId === source.id);
      assert.equal(
        (await h.inject({ method: 'POST', url: '/api/v1/observations', payload: records })).statusCode,
        200,
      );
    }
    await new FusionPipeline(h.deps, fusionLogic, { agreementId: 'donbas-2015' }).run(true);
    const event = (await h.deps.store.fusion.listEvents({ limit: 10 })).find(
      (e) => e.event.location !== null,
    )?.event;
    assert.ok(event?.location !== undefined && event.location !== null);
    eventTime = event.timeMs;
    eventPoint = { lat: event.location.lat, lon: event.location.lon };
    // Registering the agreement made each party a complaint source under its id: key it.
    await h.addSource({ id: 'ua', kind: 'complaint', organisation: 'ua' });
    await h.addSource({ id: 'ru-af', kind: 'complaint', organisation: 'ru-af' });
    liaison = await h.tokenFor({ orgId: 'ua', kind: 'party', role: 'party-liaison', scopes: 'read,ingest' });
    analyst = await h.tokenFor({ orgId: 'mission', kind: 'mission', role: 'analyst', scopes: 'read,act' });
    monitor = await h.tokenFor({ orgId: 'mission', kind: 'mission', role: 'monitor', scopes: 'read,act' });
  });
  after(() => h.close());

  const complaint = (id: string, sourceId = 'ua') => ({
    id,
    sourceId,
    kind: 'complaint',
    observedAt: new Date(Math.round(eventTime)).toISOString(),
    timeUncertaintyMs: 60_000,
    location: { ...eventPoint, ceM: 500 },
    payload: {
      complainant: 'ua',
      accused: 'ru-af',
      allegation: 'ceasefire-violation',
      summary: 'shelling of the village',
    },
  });

  /** POSTs complaints signed with `signer`'s key, with the liaison's token. */
  const lodge = (records: unknown[], signer = 'ua') => {
    const body = Buffer.from(JSON.stringify(records));
    const key = h.keys.get(signer);
    assert.ok(key !== undefined);
    batches += 1;
    const signature = signBatch({
      path: '/api/v1/complaints',
      contentType: 'application/json',
      body,
      keyId: key.keyId,
      privateKey: key.privateKeyPem,
      batchId: `complaints-${batches}`,
      createdMs: h.deps.clock.now(),
    });
    return h.app.inject({
      method: 'POST',
      url: '/api/v1/complaints',
      headers: { ...signature, authorization: `Bearer ${liaison}` },
      payload: body,
    });
  };

  test('a signed complaint is stored and gets a verification item linked to the event', async () => {
    const response = await lodge([complaint('c-1')]);
    assert.equal(response.statusCode, 200, response.body);
    const report = response.json<{ accepted: number; items: string[] }>();
    assert.equal(report.accepted, 1);
    assert.equal(report.items.length, 1);
    const item = await h.app.inject({
      method: 'GET',
      url: `/api/v1/verification/${encodeURIComponent(report.items[0] ?? '')}`,
      headers: { authorization: `Bearer ${analyst}` },
    });
    assert.equal(item.statusCode, 200, item.body);
    assert.equal(item.json<{ state: string }>().state, 'new');
    const opening = (await h.deps.store.verification.find(report.items[0] ?? ''))?.actions[0]
      ?.action as unknown as {
      links: { eventId: string }[];
    };
    assert.ok(opening.links.length > 0, 'the complaint is linked to the event near it');
  });

  test('a complaint without the signature, or in another party’s name, is refused', async () => {
    const unsigned = await h.app.inject({
      method: 'POST',
      url: '/api/v1/complaints',
      headers: { authorization: `Bearer ${liaison}`, 'content-type': 'application/json' },
      payload: JSON.stringify([complaint('c-2')]),
    });
    assert.equal(unsigned.statusCode, 401);
    assert.equal(unsigned.json<{ code: string }>().code, 'E_SIGNATURE_MISSING');
    const impersonating = await lodge([complaint('c-3', 'ru-af')]);
    assert.equal(impersonating.statusCode, 400);
    assert.match(impersonating.body, /\[0\]\.sourceId/);
    // Signed by ua, naming another complainant: ua's own delegation would not be recused on the case.
    const c5 = complaint('c-5');
    const namingAnother = await lodge([{ ...c5, payload: { ...c5.payload, complainant: 'nobody' } }]);
    assert.equal(namingAnother.statusCode, 400);
    assert.match(namingAnother.body, /\[0\]\.payload\.complainant/);
    const otherKey = await lodge([complaint('c-4')], 'ru-af');
    assert.equal(otherKey.statusCode, 200);
    assert.equal(
      otherKey.json<{ accepted: number }>().accepted,
      0,
      'records signed by another source are not stored',
    );
  });

  test('an impediment is evaluated as a violation and opens its verification item', async () => {
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/v1/impediments',
      headers: { authorization: `Bearer ${monitor}`, 'content-type': 'application/json' },
      payload: JSON.stringify({
        kind: 'delayed',
        delayMinutes: 95,
        at: Math.round(eventTime),
        location: eventPoint,
        party: 'ru-af',
        sourceRef: 'patrol-7',
        description: 'held at a checkpoint before the village',
      }),
    });
    assert.equal(response.statusCode, 201, response.body);
    const { item, violation } = response.json<{
      item: { id: string; state: string; version: number };
      violation: { clause: string; id: string };
    }>();
    assert.equal(item.state, 'new');
    assert.match(violation.id, /^impediment:/);
    // A step carrying a field no rule reads is refused, naming it, and nothing is recorded.
    const step = (body: Record<string, unknown>, version: number) =>
      h.app.inject({
        method: 'POST',
        url: `/api/v1/verification/${encodeURIComponent(item.id)}/steps`,
        headers: { authorization: `Bearer ${analyst}`, 'if-match': `"${version}"` },
        payload: body,
      });
    const junk = await step(
      { type: 'verify', note: 'to be checked', junk: 'A'.repeat(200_000) },
      item.version,
    );
    assert.equal(junk.statusCode, 400, junk.body);
    assert.deepEqual(junk.json<{ issues: unknown[] }>().issues, [
      { path: 'junk', reason: 'is not a field of this input' },
    ]);
    const verified = await step({ type: 'verify', note: 'to be checked' }, item.version);
    assert.equal(verified.statusCode, 200, verified.body);
    assert.equal(
      verified.json<{ version: number }>().version,
      item.version + 1,
      'the refused step took no version',
    );
    const bad = await h.app.inject({
      method: 'POST',
      url: '/api/v1/impediments',
      headers: { authorization: `Bearer ${monitor}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ kind: 'delayed', at: 1, sourceRef: 'p', description: 'd' }),
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /delayMinutes/);
    const chosenId = await h.app.inject({
      method: 'POST',
      url: '/api/v1/impediments',
      headers: { authorization: `Bearer ${monitor}`, 'content-type': 'application/json' },
      payload: JSON.stringify({
        id: 'chosen-1',
        kind: 'denied',
        at: Math.round(eventTime),
        location: eventPoint,
        party: 'ru-af',
        sourceRef: 'patrol-7',
        description: 'turned back',
      }),
    });
    assert.equal(chosenId.statusCode, 400, chosenId.body);
    assert.deepEqual(chosenId.json<{ issues: unknown[] }>().issues, [
      { path: 'id', reason: 'is given by the server, not by the report' },
    ]);
  });
});
