import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { FusionHealth, type FusionHealthView } from '../../src/application/fusion-health.ts';
import type { FusionLogic } from '../../src/application/fusion-pipeline.ts';
import { registerAgreement } from '../../src/application/register-agreement.ts';
import { fusionLogic, startFusion } from '../../src/main.ts';
import { startHarness } from '../helpers/app-harness.ts';

interface Health {
  status: string;
  fusion?: FusionHealthView;
}

test('/healthz says when fusion runs fail, and when they complete again', async () => {
  const fusionHealth = new FusionHealth('donbas-2015', { now: () => Date.now() });
  const h = await startHarness({ fusionHealth, sources: [{ id: 'rd-1', kind: 'radar' }] });
  await registerAgreement(h.deps, {
    text: readFileSync('data/agreements/donbas-2015.yaml', 'utf8'),
    format: 'yaml',
  });
  // Rules that cannot take one event, as a record the pipeline cannot take would: every run fails at it.
  let broken = true;
  const logic: FusionLogic = {
    ...fusionLogic,
    check: (event, attribution, agreement) => {
      if (broken) throw new Error('the rules cannot take this event');
      return fusionLogic.check(event, attribution, agreement);
    },
  };
  const errors: unknown[] = [];
  const stop = startFusion(h.deps, 'donbas-2015', (error) => errors.push(error), {
    health: fusionHealth,
    logic,
  });
  const health = async (): Promise<Health> =>
    (await h.inject({ url: '/healthz', anonymous: true })).json<Health>();
  const until = async (state: FusionHealthView['state']): Promise<Health> => {
    for (let waited = 0; waited < 10_000; waited += 50) {
      const now = await health();
      if (now.fusion?.state === state) return now;
      await sleep(50);
    }
    assert.fail(`fusion never became ${state}: ${JSON.stringify(await health())}`);
  };
  try {
    const started = await until('running');
    assert.equal(started.status, 'ok');

    const posted = await h.inject({
      method: 'POST',
      url: '/api/v1/observations',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify([
        {
          id: 'rd-1-000001',
          sourceId: 'rd-1',
          kind: 'radar',
          observedAt: '2024-03-01T10:00:00Z',
          timeUncertaintyMs: 500,
          location: { lat: 48.0, lon: 38.0, ceM: 10 },
          payload: {
            track: 'origin',
            origin: {
              lat: 48.1,
              lon: 37.7,
              ellipse: { semiMajorM: 100, semiMinorM: 60, orientationDeg: 30 },
            },
          },
        },
      ]),
    });
    assert.equal(posted.statusCode, 200, posted.body);
    const failing = await until('failing');
    assert.equal(failing.status, 'degraded');
    assert.ok(failing.fusion !== undefined && failing.fusion.consecutiveFailures >= 1);
    assert.ok(failing.fusion.failingSince !== null);
    assert.equal(JSON.stringify(failing).includes('cannot take'), false, 'the error stays in the log');
    assert.ok(errors.length >= 1);

    broken = false;
    const recovered = await until('running');
    assert.equal(recovered.status, 'ok');
    assert.equal(recovered.fusion?.failingSince, null);
    const events = (await h.inject({ url: '/api/v1/events' })).json<{ items: unknown[] }>();
    assert.equal(events.items.length, 1, 'the event the failing runs held back is stored');
  } finally {
    await stop();
    await h.close();
  }
});
