import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { registerAgreement } from '../../src/application/register-agreement.ts';
import { startHarness } from '../helpers/app-harness.ts';

test('the chair and the coalition follow verification without learning who in the mission acted', async () => {
  const h = await startHarness();
  try {
    await registerAgreement(h.deps, {
      text: readFileSync('data/agreements/donbas-2015.yaml', 'utf8'),
      format: 'yaml',
    });
    const monitor = await h.tokenFor({
      orgId: 'mission',
      kind: 'mission',
      role: 'monitor',
      scopes: 'read,act',
    });
    const member = await h.tokenFor({ orgId: 'un', kind: 'member', role: 'coordinator' });
    const reported = await h.app.inject({
      method: 'POST',
      url: '/api/v1/impediments',
      headers: { authorization: `Bearer ${monitor}`, 'content-type': 'application/json' },
      payload: JSON.stringify({
        kind: 'delayed',
        delayMinutes: 95,
        at: h.deps.clock.now() - 3_600_000,
        location: { lat: 48.2, lon: 37.7 },
        party: 'ru-af',
        sourceRef: 'patrol-7',
        description: 'held at a checkpoint before the village',
      }),
    });
    assert.equal(reported.statusCode, 201, reported.body);
    const { item } = reported.json<{ item: { id: string } }>();
    const read = async (token: string) => {
      const response = await h.app.inject({
        url: `/api/v1/verification/${encodeURIComponent(item.id)}`,
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(response.statusCode, 200, response.body);
      return response.json<{ openedBy: Record<string, unknown> }>();
    };
    const mission = await read(monitor);
    assert.equal(typeof mission.openedBy.userId, 'string');
    const coalition = await read(member);
    assert.deepEqual(coalition.openedBy, { orgId: 'mission', role: mission.openedBy.role });
    const listed = await h.app.inject({
      url: '/api/v1/verification',
      headers: { authorization: `Bearer ${member}` },
    });
    assert.doesNotMatch(listed.body, new RegExp(String(mission.openedBy.userId)));
  } finally {
    await h.close();
  }
});
