import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { FusionPipeline } from '../../src/application/fusion-pipeline.ts';
import { registerAgreement } from '../../src/application/register-agreement.ts';
import { fusionLogic } from '../../src/main.ts';
import { startHarness, TestClock } from '../helpers/app-harness.ts';
import { fireScenario, SCENARIO_START_MS } from '../helpers/fusion-scenario.ts';

const HOUR = 3_600_000;

test('a breach of a remedy reopens its case also when a case action lands between the read and the reopening', async () => {
  const clock = new TestClock(SCENARIO_START_MS + 3 * HOUR);
  const h = await startHarness({ clock });
  try {
    const agreement = readFileSync('data/agreements/donbas-2015.yaml', 'utf8')
      .replace('decisionRule: consensus', 'decisionRule: majority')
      .replace(
        '    - { id: ua-delegation, name: Delegation of Ukraine, party: ua }',
        '    - { id: ua-delegation, name: Delegation of Ukraine, party: ua }\n    - { id: un, name: United Nations }\n    - { id: eu, name: European Union }',
      );
    await registerAgreement(h.deps, { text: agreement, format: 'yaml' });
    const scenario = await fireScenario(3, 0);
    for (const source of scenario.sources) await h.addSource(source);
    for (const source of scenario.sources)
      await h.inject({
        method: 'POST',
        url: '/api/v1/observations',
        payload: scenario.records.filter((r) => r.sourceId === source.id),
      });
    await new FusionPipeline(h.deps, fusionLogic, { agreementId: 'donbas-2015' }).run(true);
    const breach = (await h.deps.store.fusion.listViolations({ limit: 100 })).find(
      (v) => v.violation.party !== null,
    )?.violation;
    assert.ok(breach?.party);
    const party = breach.party;

    const tokens = new Map<string, string>();
    for (const [name, orgId, kind, role] of [
      ['analyst', 'mission', 'mission', 'analyst'],
      ['verifier', 'mission', 'mission', 'verifier'],
      ['chair', 'osce', 'chair', 'chair'],
      ['un', 'un', 'member', 'commissioner'],
      ['eu', 'eu', 'member', 'commissioner'],
    ] as const)
      tokens.set(
        name,
        await h.tokenFor({ orgId, kind, role, scopes: 'read,act', name: `race-${name}`, expiresIn: '90d' }),
      );
    const as = async (
      who: string,
      method: 'GET' | 'POST',
      url: string,
      payload?: unknown,
      version?: number,
    ) => {
      const response = await h.app.inject({
        method,
        url,
        headers: {
          authorization: `Bearer ${tokens.get(who) ?? ''}`,
          ...(version === undefined ? {} : { 'if-match': `"${version}"` }),
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
      });
      assert.ok(
        response.statusCode < 300,
        `${who} ${method} ${url}: ${response.statusCode} ${response.body}`,
      );
      return response.json<{ version: number } & Record<string, unknown>>();
    };
    const substantiate = async (id: string): Promise<{ url: string; version: number }> => {
      const url = `/api/v1/violations/${encodeURIComponent(id)}`;
      let { version } = await as('analyst', 'POST', `${url}/verification`, { type: 'verify' }, 1);
      ({ version } = await as(
        'analyst',
        'POST',
        `${url}/findings`,
        { outcome: 'substantiated', narrative: 'seen', evidence: [], observationSeqs: [1] },
        version,
      ));
      return { url, version };
    };
    const first = await substantiate(breach.id);
    await as('verifier', 'POST', `${first.url}/verification`, { type: 'approve-finding' }, first.version);

    // The case is ruled with a remedy due within an hour.
    const opened = await as('chair', 'POST', '/api/v1/cases', {
      violations: [breach.id],
      accused: [party],
      agreementId: 'donbas-2015',
    });
    const caseUrl = `/api/v1/cases/${String(opened.id)}`;
    let { version } = await as('chair', 'POST', `${caseUrl}/actions`, { type: 'notify', party }, 1);
    clock.ms += 73 * HOUR;
    const proposed = await as(
      'un',
      'POST',
      `${caseUrl}/actions`,
      {
        type: 'propose-ruling',
        responsibility: { kind: 'one-party', parties: [party] },
        severity: 'serious',
        remedies: [{ kind: 'discipline-and-report', party, withinHours: 1, description: 'report' }],
        reasoning: 'attributed fire',
      },
      version,
    );
    version = proposed.version;
    const proposalId = (proposed.proposals as { proposalId: string }[]).at(-1)?.proposalId;
    for (const who of ['chair', 'un', 'eu'])
      ({ version } = await as(
        who,
        'POST',
        `${caseUrl}/actions`,
        { type: 'vote', proposalId, choice: 'for' },
        version,
      ));
    ({ version } = await as('chair', 'POST', `${caseUrl}/actions`, { type: 'rule', proposalId }, version));

    // The same breach again, after the remedy's deadline.
    clock.ms += 3 * HOUR;
    const laterId = `${breach.id}-later`;
    await h.deps.store.fusion.commit({
      events: [],
      violations: [{ ...breach, id: laterId, revision: 1, timeMs: clock.ms - HOUR / 2 }],
      setAside: [],
      cursorSeq: await h.deps.store.fusion.cursor(),
      committedAtMs: clock.ms,
    });
    const later = await substantiate(laterId);
    // The chair publishes the ruling just after remedy tracking has read the case, as a request or
    // another server may at any time.
    const cases = h.deps.store.cases;
    const list = cases.list.bind(cases);
    let published = false;
    Object.assign(cases, {
      list: async (query: Parameters<typeof list>[0]) => {
        const page = await list(query);
        if (!published) {
          published = true;
          await as('chair', 'POST', `${caseUrl}/actions`, { type: 'publish' }, version);
        }
        return page;
      },
    });
    await as('verifier', 'POST', `${later.url}/verification`, { type: 'approve-finding' }, later.version);
    Object.assign(cases, { list });
    assert.ok(published);
    const after = await as('chair', 'GET', caseUrl);
    assert.equal(after.state, 'open');
    assert.equal((after.reopenings as unknown[]).length, 1);
  } finally {
    await h.close();
  }
});
