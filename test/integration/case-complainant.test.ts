import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { registerAgreement } from '../../src/application/register-agreement.ts';
import { startHarness, TestClock } from '../helpers/app-harness.ts';

const START = Date.parse('2019-06-01T10:00:00Z');

test('the complainant of a case is the party whose source signed the complaint, whatever its text names', async () => {
  const h = await startHarness({ clock: new TestClock(START + 3 * 3_600_000) });
  try {
    const donbas = readFileSync('data/agreements/donbas-2015.yaml', 'utf8')
      .replace('decisionRule: consensus', 'decisionRule: majority')
      .replace('recuseParties: false', 'recuseParties: true')
      .replace(
        '    - { id: ua-delegation, name: Delegation of Ukraine, party: ua }',
        '    - { id: ua-delegation, name: Delegation of Ukraine, party: ua }\n    - { id: un, name: United Nations }\n    - { id: eu, name: European Union }',
      );
    await registerAgreement(h.deps, { text: donbas, format: 'yaml' });
    const chair = await h.tokenFor({ orgId: 'osce', kind: 'chair', role: 'chair', scopes: 'read,act' });
    await h.tokenFor({ orgId: 'ua', kind: 'party', role: 'party-liaison' });
    await h.addSource({ id: 'ua-desk', kind: 'complaint', organisation: 'ua' });
    // Signed by ua's source on the observations route, naming another complainant: had the case taken
    // the text, ua's own delegation would not have been recused on it.
    const posted = await h.inject({
      method: 'POST',
      url: '/api/v1/observations',
      payload: [
        {
          id: 'c-1',
          sourceId: 'ua-desk',
          kind: 'complaint',
          observedAt: new Date(START).toISOString(),
          timeUncertaintyMs: 60_000,
          location: { lat: 48.2, lon: 37.7, ceM: 500 },
          payload: { complainant: 'nobody', accused: 'ru-af', allegation: 'ceasefire-violation' },
        },
      ],
    });
    assert.equal(posted.statusCode, 200, posted.body);
    const seq = posted.json<{ lastSeq: number }>().lastSeq;
    const opened = await h.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { authorization: `Bearer ${chair}` },
      payload: { complaint: seq, accused: ['ru-af'], agreementId: 'donbas-2015' },
    });
    assert.equal(opened.statusCode, 201, opened.body);
    const kase = opened.json<{ complaint: { complainant: string } | null }>();
    assert.equal(kase.complaint?.complainant, 'ua');
  } finally {
    await h.close();
  }
});
