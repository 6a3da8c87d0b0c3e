/**
 * A sensor whose reports fusion sets aside (decision 0016) is told on the live stream as an
 * `event: sensor` message — to those shown sensors' details (the mission, the Commission), not to the
 * parties, as a sensor's state is — and its totals are on `GET /api/v1/sources/{id}`.
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

  test('the mission and the Commission are told which sensor and how many; the parties are not', async () => {
    const scenario = await fireScenario(2, 0);
    await registerAgreement(h.deps, { text: scenario.agreementText, format: 'yaml' });
    for (const source of scenario.sources) await registerSource(h.deps, source);
    const flooder = scenario.records.find((r) => r.sourceId === 'ac-3');
    assert.ok(flooder);
    const flood = Array.from({ length: 100 }, (_, i) => ({
      ...flooder,
      id: `flood-${i}`,
      observedAt: new Date(Date.parse(String(flooder.observedAt)) + 1_000 + i * 20).toISOString(),
    }));
    const report = await recordObservations(h.deps, {
      input: { format: 'json', text: JSON.stringify([...scenario.records, ...flood]) },
      origin: 'http',
    });
    assert.equal(report.accepted, scenario.records.length + flood.length);

    const expected = {
      sourceId: 'ac-3',
      setAside: {
        reason: 'crowded',
        // The flood and the sensor's own arrival of the launch among it.
        arrivals: 101,
        first: flooder.observedAt,
        last: flood.at(-1)?.observedAt,
      },
    };
    const sensorMessages = (received: string) =>
      [...received.matchAll(/event: sensor\ndata: (.*)\n/g)].map((m) => JSON.parse(m[1] ?? '{}') as unknown);
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
      for (const name of ['analyst', 'chair'] as const) {
        const l = listeners[name];
        const deadline = Date.now() + 5_000;
        while (sensorMessages(l.received).length === 0 && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 20));
        assert.deepEqual(sensorMessages(l.received), [expected], name);
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
    assert.deepEqual(shown.json<{ setAside: unknown }>().setAside, [expected.setAside]);
  });
});
