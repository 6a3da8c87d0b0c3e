/**
 * A sensor whose reports fusion sets aside (decision 0016) is told on the live stream as an
 * `event: sensor` message — to those shown sensors' details (the mission, the Commission) who may read
 * the source, not to the parties, as a sensor's state is — and its totals are on
 * `GET /api/v1/sources/{id}`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FusionPipeline } from '../../src/application/fusion-pipeline.ts';
import { recordObservations } from '../../src/application/record-observations.ts';
import { registerAgreement } from '../../src/application/register-agreement.ts';
import { registerSource } from '../../src/application/register-source.ts';
import { fusionLogic } from '../../src/main.ts';
import { startHarness, TestClock, type Harness } from '../helpers/app-harness.ts';
import { fireScenario, SCENARIO_START_MS } from '../helpers/fusion-scenario.ts';
import { listenToStream } from '../helpers/stream-listener.ts';

describe('a sensor set aside, on the live stream and the sources route', () => {
  let h: Harness;
  let base: string;
  const clock = new TestClock(SCENARIO_START_MS + 86_400_000);

  before(async () => {
    h = await startHarness({ clock });
    base = await h.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await h.close();
  });

  test('the mission and the Commission are told which sensor and how many, of sources they may read; the parties are not', async () => {
    const scenario = await fireScenario(2, 0);
    await registerAgreement(h.deps, { text: scenario.agreementText, format: 'yaml' });
    // ac-3's description is for the mission only; ac-6's has the default marking.
    for (const source of scenario.sources)
      await registerSource(h.deps, {
        ...source,
        ...(source.id === 'ac-3' ? { marking: { tlp: 'AMBER', releasableTo: ['@mission'] } } : {}),
      });
    const floodOf = (sourceId: string) => {
      const real = scenario.records.find((r) => r.sourceId === sourceId);
      assert.ok(real);
      const flood = Array.from({ length: 100 }, (_, i) => ({
        ...real,
        id: `flood-${sourceId}-${i}`,
        observedAt: new Date(Date.parse(String(real.observedAt)) + 1_000 + i * 20).toISOString(),
      }));
      const told = {
        sourceId,
        setAside: {
          reason: 'crowded',
          // The flood and the sensor's own arrival of the launch among it.
          arrivals: 101,
          first: real.observedAt,
          last: flood.at(-1)?.observedAt,
        },
      };
      return { flood, told };
    };
    const [restricted, open] = [floodOf('ac-3'), floodOf('ac-6')];
    const records = [...scenario.records, ...restricted.flood, ...open.flood];
    const report = await recordObservations(h.deps, {
      input: { format: 'json', text: JSON.stringify(records) },
      origin: 'http',
    });
    assert.equal(report.accepted, records.length);

    const sensorMessages = (received: string) =>
      [...received.matchAll(/event: sensor\ndata: (.*)\n/g)]
        .map((m) => JSON.parse(m[1] ?? '{}') as { sourceId: string })
        .sort((a, b) => a.sourceId.localeCompare(b.sourceId));
    const listen = (token: string) => listenToStream(base, token);
    const listeners = {
      analyst: await listen(h.analystToken),
      chair: await listen(await h.tokenFor({ orgId: 'osce', kind: 'chair', role: 'chair' })),
      party: await listen(await h.tokenFor({ orgId: 'ua', kind: 'party', role: 'party-liaison' })),
    };
    try {
      const pipeline = new FusionPipeline(h.deps, fusionLogic, {
        agreementId: 'donbas-2015',
        provisional: true,
      });
      await pipeline.run(true);
      const expected = { analyst: [restricted.told, open.told], chair: [open.told] };
      for (const name of ['analyst', 'chair'] as const) {
        const l = listeners[name];
        const deadline = Date.now() + 5_000;
        while (sensorMessages(l.received).length < expected[name].length && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 20));
        assert.deepEqual(sensorMessages(l.received), expected[name], name);
      }
      // The party's stream carried the fusion output, but no sensor message.
      const deadline = Date.now() + 5_000;
      while (!listeners.party.received.includes('event: violation') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      assert.ok(listeners.party.received.includes('event: violation'));
      assert.deepEqual(sensorMessages(listeners.party.received), []);
    } finally {
      for (const l of Object.values(listeners)) {
        l.abort.abort();
        await l.done;
      }
    }

    const shown = await h.inject({ url: '/api/v1/sources/ac-3' });
    assert.deepEqual(shown.json<{ setAside: unknown }>().setAside, [restricted.told.setAside]);
  });
});
