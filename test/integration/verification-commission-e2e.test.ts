// One simulated violation all the way, over the HTTP API with the right roles and tokens: triage,
// tasking, evidence, a finding, four-eyes approval, a case, the accused party's reply, a majority
// ruling with a dissent (the accused party's delegation not voting), a remedy demand, a missed deadline
// and escalation — then the ledger exported and checked with `ledger verify` against the log's key and
// a witness's co-signature. Along the way: stale versions are refused, two analysts acting at once get
// one success and one 409, four-eyes and recusal cannot be bypassed.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FusionPipeline } from '../../src/application/fusion-pipeline.ts';
import { checkDeadlines } from '../../src/application/commission/check-deadlines.ts';
import { registerAgreement } from '../../src/application/register-agreement.ts';
import { fusionLogic } from '../../src/main.ts';
import { startHarness, TestClock, type Harness } from '../helpers/app-harness.ts';
import { runCli, runCliOk } from '../helpers/cli.ts';
import { fireScenario, SCENARIO_START_MS } from '../helpers/fusion-scenario.ts';

const HOUR = 3_600_000;

/** donbas-2015 with a Commission that decides by majority, recuses the parties, and has two more members. */
function majorityAgreement(text: string): string {
  const changed = text
    .replace('decisionRule: consensus', 'decisionRule: majority')
    .replace('recuseParties: false', 'recuseParties: true')
    .replace(
      '    - { id: ua-delegation, name: Delegation of Ukraine, party: ua }',
      '    - { id: ua-delegation, name: Delegation of Ukraine, party: ua }\n    - { id: un, name: United Nations }\n    - { id: eu, name: European Union }',
    );
  assert.notEqual(changed, text);
  assert.match(changed, /decisionRule: majority/);
  assert.match(changed, /recuseParties: true/);
  return changed;
}

describe('from a potential violation to an escalated ruling, over the API', () => {
  let h: Harness;
  let clock: TestClock;
  let dir: string;
  let violationId: string;
  let accused: string;
  const tokens = new Map<string, string>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'truceline-e2e-'));
    clock = new TestClock(SCENARIO_START_MS + 3 * HOUR);
    h = await startHarness({ clock });
    const scenario = await fireScenario(3, 0);
    await registerAgreement(h.deps, { text: majorityAgreement(scenario.agreementText), format: 'yaml' });
    for (const source of scenario.sources) await h.addSource(source);
    for (const source of scenario.sources) {
      const records = scenario.records.filter((r) => r.sourceId === source.id);
      const posted = await h.inject({ method: 'POST', url: '/api/v1/observations', payload: records });
      assert.equal(posted.statusCode, 200, posted.body);
    }
    await new FusionPipeline(h.deps, fusionLogic, { agreementId: 'donbas-2015' }).run(true);
    const violations = await h.deps.store.fusion.listViolations({ limit: 100 });
    const attributed = violations.find((v) => v.violation.party !== null)?.violation;
    assert.ok(attributed !== undefined, 'the scenario attributes a potential violation to a party');
    violationId = attributed.id;
    accused = attributed.party ?? '';

    const people: [
      string,
      { orgId: string; kind: 'mission' | 'chair' | 'member' | 'party'; role: string; scopes: string },
    ][] = [
      ['analyst', { orgId: 'mission', kind: 'mission', role: 'analyst', scopes: 'read,act' }],
      ['analyst2', { orgId: 'mission', kind: 'mission', role: 'analyst', scopes: 'read,act' }],
      ['verifier', { orgId: 'mission', kind: 'mission', role: 'verifier', scopes: 'read,act' }],
      ['monitor', { orgId: 'mission', kind: 'mission', role: 'monitor', scopes: 'read,act' }],
      ['chair', { orgId: 'osce', kind: 'chair', role: 'chair', scopes: 'read,act' }],
      ['un', { orgId: 'un', kind: 'member', role: 'commissioner', scopes: 'read,act' }],
      ['eu', { orgId: 'eu', kind: 'member', role: 'commissioner', scopes: 'read,act' }],
      ['ua-delegation', { orgId: 'ua-delegation', kind: 'party', role: 'commissioner', scopes: 'read,act' }],
      [
        'ru-af-representatives',
        { orgId: 'ru-af-representatives', kind: 'party', role: 'commissioner', scopes: 'read,act' },
      ],
      ['liaison', { orgId: accused, kind: 'party', role: 'party-liaison', scopes: 'read,act' }],
      ['witness', { orgId: 'mission', kind: 'mission', role: 'auditor', scopes: 'read,ingest' }],
    ];
    for (const [name, person] of people)
      tokens.set(
        name,
        await h.tokenFor({ ...person, role: person.role as never, name: `e2e-${name}`, expiresIn: '90d' }),
      );
  });
  after(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A request as `who`, with `If-Match` when `version` is given. */
  const as = async (
    who: string,
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    payload?: unknown,
    version?: number,
  ) => {
    const headers: Record<string, string> = { authorization: `Bearer ${tokens.get(who) ?? ''}` };
    if (version !== undefined) headers['if-match'] = `"${version}"`;
    if (payload !== undefined) headers['content-type'] = 'application/json';
    return h.app.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
  };
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the answer's shape
  const ok = <T = Record<string, unknown>>(
    response: { statusCode: number; body: string; json: () => unknown },
    status = 200,
  ): T => {
    assert.equal(response.statusCode, status, `${response.statusCode}: ${response.body}`);
    return response.json() as T;
  };
  const code = (response: { json: () => unknown }): unknown => (response.json() as { code?: unknown }).code;

  test('the whole way', { timeout: 120_000 }, async () => {
    const item = `/api/v1/violations/${encodeURIComponent(violationId)}`;

    // Triage: the item starts `new` at version 1; a step without If-Match, or with a stale one, is refused.
    const fresh = await as('analyst', 'GET', `${item}/verification`);
    assert.equal(ok<{ state: string }>(fresh).state, 'new');
    assert.equal(fresh.headers.etag, '"1"');
    const unversioned = await as('analyst', 'POST', `${item}/verification`, { type: 'verify' });
    assert.equal(unversioned.statusCode, 428);
    assert.equal(code(unversioned), 'E_VERSION_REQUIRED');
    const verifying = ok<{ state: string; version: number }>(
      await as('analyst', 'POST', `${item}/verification`, { type: 'verify', note: 'worth a patrol' }, 1),
    );
    assert.equal(verifying.state, 'verifying');
    const stale = await as(
      'analyst',
      'POST',
      `${item}/verification`,
      { type: 'dismiss', reason: 'duplicate' },
      1,
    );
    assert.equal(stale.statusCode, 409);
    assert.equal(code(stale), 'E_STALE_VERSION');

    // Two analysts task at once on the same version: one wins, the other gets 409.
    const task = (taskId: string, who: string) =>
      as(
        who,
        'POST',
        `${item}/verification`,
        {
          type: 'task',
          taskId,
          asset: 'patrol',
          deadlineMs: clock.ms + 24 * HOUR,
          instructions: 'visit the point of impact, photograph the crater',
        },
        verifying.version,
      );
    const [first, second] = await Promise.all([task('t-1', 'analyst'), task('t-2', 'analyst2')]);
    assert.deepEqual(
      [first.statusCode, second.statusCode].sort(),
      [200, 409],
      `${first.body} ${second.body}`,
    );
    const tasked = ok<{ version: number; tasks: { taskId: string }[] }>(
      first.statusCode === 200 ? first : second,
    );
    assert.equal(tasked.tasks.length, 1);
    const taskId = tasked.tasks[0]?.taskId ?? '';

    // The patrol reports back with a photograph, uploaded as evidence under its SHA-256.
    const photo = Buffer.from(`crater photograph ${violationId}`);
    const sha = createHash('sha256').update(photo).digest('hex');
    const wrongHash = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/attachments/${'0'.repeat(64)}`,
      headers: { authorization: `Bearer ${tokens.get('monitor') ?? ''}`, 'content-type': 'image/jpeg' },
      payload: photo,
    });
    assert.equal(wrongHash.statusCode, 422);
    assert.equal(code(wrongHash), 'E_HASH_MISMATCH');
    const uploaded = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/attachments/${sha}`,
      headers: { authorization: `Bearer ${tokens.get('monitor') ?? ''}`, 'content-type': 'image/jpeg' },
      payload: photo,
    });
    assert.equal(uploaded.statusCode, 201, uploaded.body);
    const download = await as('verifier', 'GET', `/api/v1/attachments/${sha}`);
    assert.equal(download.statusCode, 200);
    assert.deepEqual(download.rawPayload, photo);
    assert.equal(
      (await as('liaison', 'GET', `/api/v1/attachments/${sha}`)).statusCode,
      404,
      'a party cannot read the mission’s evidence',
    );

    const reported = ok<{ version: number }>(
      await as(
        'monitor',
        'POST',
        `${item}/verification`,
        { type: 'task-result', taskId, result: 'done', note: 'crater found, fragments of a 122 mm shell' },
        tasked.version,
      ),
    );

    // A finding, recorded by one analyst: the same analyst cannot approve it; a verifier does.
    const recorded = ok<{ state: string; version: number }>(
      await as(
        'analyst',
        'POST',
        `${item}/findings`,
        {
          outcome: 'substantiated',
          narrative:
            'The crater and fragments match the fused impact; the origin lies on the attributed side.',
          evidence: [sha],
          observationSeqs: [1],
        },
        reported.version,
      ),
    );
    assert.equal(recorded.state, 'awaiting-approval');
    const selfApproved = await as(
      'analyst',
      'POST',
      `${item}/verification`,
      { type: 'approve-finding' },
      recorded.version,
    );
    assert.equal(selfApproved.statusCode, 403);
    assert.equal(code(selfApproved), 'E_FOUR_EYES');
    const approved = ok<{ state: string }>(
      await as('verifier', 'POST', `${item}/verification`, { type: 'approve-finding' }, recorded.version),
    );
    assert.equal(approved.state, 'substantiated');

    // The chair opens a case; the accused party is notified; its reply window starts then.
    assert.equal(
      (
        await as('un', 'POST', '/api/v1/cases', {
          violations: [violationId],
          accused: [accused],
          agreementId: 'donbas-2015',
        })
      ).statusCode,
      403,
    );
    const opened = ok<{ id: string; version: number }>(
      await as('chair', 'POST', '/api/v1/cases', {
        violations: [violationId],
        accused: [accused],
        agreementId: 'donbas-2015',
      }),
      201,
    );
    const caseUrl = `/api/v1/cases/${opened.id}`;
    const act = (who: string, action: Record<string, unknown>, version: number) =>
      as(who, 'POST', `${caseUrl}/actions`, action, version);
    const notified = ok<{ version: number; notifications: { replyDeadlineMs?: number }[] }>(
      await act('chair', { type: 'notify', party: accused }, opened.version),
    );

    // The Commission cannot put a ruling to the vote while the accused party's reply window is open.
    const early = await act(
      'un',
      {
        type: 'propose-ruling',
        responsibility: { kind: 'one-party', parties: [accused] },
        severity: 'serious',
        remedies: [],
        reasoning: 'too early',
      },
      notified.version,
    );
    assert.equal(early.statusCode, 409, early.body);
    assert.equal(code(early), 'E_INVALID_TRANSITION');

    // The reply comes after the window: accepted, marked late, never dropped.
    clock.ms += 80 * HOUR;
    const replied = ok<{ version: number; replies: { late: boolean; text: string }[] }>(
      await act(
        'liaison',
        { type: 'reply', text: 'Our units did not fire; the shell came from the other side.', evidence: [] },
        notified.version,
      ),
    );
    assert.equal(replied.replies.length, 1);
    assert.equal(replied.replies[0]?.late, true);

    // A proposal; the accused party's delegation may not vote on it; a majority adopts it with one dissent.
    const proposed = ok<{ version: number; proposals: { proposalId: string }[] }>(
      await act(
        'un',
        {
          type: 'propose-ruling',
          responsibility: { kind: 'one-party', parties: [accused] },
          severity: 'serious',
          remedies: [
            {
              kind: 'discipline-and-report',
              party: accused,
              withinHours: 48,
              description: 'identify the unit that fired, discipline it and report to the Commission',
            },
          ],
          reasoning: 'The verified finding attributes the fire to the accused party.',
        },
        replied.version,
      ),
    );
    const proposalId = proposed.proposals.at(-1)?.proposalId ?? '';
    let version = proposed.version;
    // Each party has a delegation on the Commission: the accused party's is recused, the other votes.
    const delegations: Record<string, string> = { ua: 'ua-delegation', 'ru-af': 'ru-af-representatives' };
    const recusedDelegation = delegations[accused] ?? '';
    const otherDelegation = Object.values(delegations).find((d) => d !== recusedDelegation) ?? '';
    const recused = await act(recusedDelegation, { type: 'vote', proposalId, choice: 'against' }, version);
    assert.equal(recused.statusCode, 403);
    assert.equal(code(recused), 'E_RECUSED');
    const votes: [string, 'for' | 'against', string | undefined][] = [
      ['chair', 'for', undefined],
      ['un', 'for', undefined],
      [otherDelegation, 'for', undefined],
      ['eu', 'against', 'The attribution rests on one acoustic array; I would have waited for the radar.'],
    ];
    for (const [who, choice, dissent] of votes)
      version = ok<{ version: number }>(
        await act(
          who,
          { type: 'vote', proposalId, choice, ...(dissent === undefined ? {} : { dissent }) },
          version,
        ),
      ).version;
    const ruled = ok<{
      state: string;
      version: number;
      rulings: {
        dissents: { member: string }[];
        remedies: { deadlineMs: number }[];
        tally: { outcome: string };
      }[];
    }>(await act('chair', { type: 'rule', proposalId }, version));
    assert.equal(ruled.state, 'ruled');
    const ruling = ruled.rulings.at(-1);
    assert.equal(ruling?.tally.outcome, 'adopted');
    assert.deepEqual(
      ruling?.dissents.map((d) => d.member),
      ['eu'],
    );
    const published = ok<{ state: string; version: number }>(
      await act('chair', { type: 'publish' }, ruled.version),
    );
    assert.equal(published.state, 'published');

    // The remedy's deadline passes unmet: a deadline message on the stream, and the ladder advances.
    const base = await h.app.listen({ port: 0, host: '127.0.0.1' });
    const abort = new AbortController();
    const stream = await fetch(`${base}/api/v1/stream`, {
      headers: { authorization: `Bearer ${tokens.get('chair') ?? ''}` },
      signal: abort.signal,
    });
    // Closed however this part ends: an open stream would keep the server, and the test, from ending.
    let received = '';
    let notices: Awaited<ReturnType<typeof checkDeadlines>> = [];
    try {
      const reader = stream.body?.getReader();
      assert.ok(reader !== undefined);
      await reader.read(); // `: connected`
      clock.ms = (ruling?.remedies[0]?.deadlineMs ?? 0) + HOUR;
      // Two watches at once (two servers on one database): one advances the ladder, the other finds
      // the case moved on and goes on with the rest; the deadline is announced once between them.
      notices = (
        await Promise.all([checkDeadlines(h.deps, new Set()), checkDeadlines(h.deps, new Set())])
      ).flat();
      assert.equal(notices.filter((n) => n.kind === 'remedy').length, 1, JSON.stringify(notices));
      assert.ok(
        notices.some((n) => n.kind === 'remedy' && n.caseId === opened.id),
        JSON.stringify(notices),
      );
      while (!received.includes('event: deadline')) {
        const chunk = await reader.read();
        if (chunk.done) break;
        received += Buffer.from(chunk.value).toString('utf8');
      }
    } finally {
      abort.abort();
    }
    assert.match(received, /event: deadline\ndata: .*"caseId":"case-/);
    const escalated = ok<{ escalations: { stepId: string }[]; deadlines: { deadlineLocal: string }[] }>(
      await as('chair', 'GET', caseUrl),
    );
    assert.equal(escalated.escalations.length, 1, 'the ladder advanced one step');
    assert.equal(escalated.escalations[0]?.stepId, 'jccc-coordination');
    assert.match(escalated.deadlines[0]?.deadlineLocal ?? '', /Europe\/Kyiv/);
    // A restarted server (nothing in memory) does not announce the same deadline again.
    const again = await checkDeadlines(h.deps, new Set());
    assert.deepEqual(
      again.filter((n) => n.key === notices.find((m) => m.kind === 'remedy')?.key),
      [],
      JSON.stringify(again),
    );

    // Remedy tracking: a later breach of the same clause by the same party, substantiated after the
    // remedy's deadline, reopens the case.
    const original = (await h.deps.store.fusion.violationRevisions(violationId)).at(-1)?.violation;
    assert.ok(original !== undefined);
    const laterId = `${violationId}-later`;
    await h.deps.store.fusion.commit({
      events: [],
      violations: [{ ...original, id: laterId, revision: 1, timeMs: clock.ms - HOUR / 2 }],
      cursorSeq: await h.deps.store.fusion.cursor(),
      committedAtMs: clock.ms,
    });
    const later = `/api/v1/violations/${encodeURIComponent(laterId)}`;
    const laterVerifying = ok<{ version: number }>(
      await as('analyst', 'POST', `${later}/verification`, { type: 'verify' }, 1),
    );
    const laterFinding = ok<{ version: number }>(
      await as(
        'analyst',
        'POST',
        `${later}/findings`,
        {
          outcome: 'substantiated',
          narrative: 'the same unit fired again',
          evidence: [sha],
          observationSeqs: [],
        },
        laterVerifying.version,
      ),
    );
    ok(
      await as(
        'verifier',
        'POST',
        `${later}/verification`,
        { type: 'approve-finding' },
        laterFinding.version,
      ),
    );
    const reopened = ok<{ state: string; reopenings: unknown[] }>(await as('chair', 'GET', caseUrl));
    assert.equal(reopened.reopenings.length, 1, 'the case was reopened by the later breach');

    // A witness co-signs the log; the export verifies against the log's key and the witness's co-signature.
    const witnessKeyFile = join(dir, 'witness.key');
    const witnessKey = (
      await runCliOk(['witness', 'keygen', '--name', 'ua-witness', '--out', witnessKeyFile])
    ).trim();
    const witnessed = await runCli([
      'witness',
      '--follow',
      base,
      '--key',
      witnessKeyFile,
      '--state',
      join(dir, 'witness.state'),
      '--token',
      tokens.get('witness') ?? '',
      '--once',
    ]);
    assert.equal(witnessed.code, 0, witnessed.stderr);
    const out = join(dir, 'ledger.ndjson');
    await runCliOk(['ledger', 'export', '--db', h.dbPath, '--out', out]);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    const types = new Set(lines.slice(1).map((l) => (JSON.parse(l) as { type?: string }).type));
    for (const type of ['verification-step', 'case-action', 'attachment', 'violation-revision'])
      assert.ok(types.has(type), `the ledger records ${type}`);
    const logKey = (await runCliOk(['ledger', 'pubkey', '--db', h.dbPath])).trim();
    const verified = await runCliOk([
      'ledger',
      'verify',
      out,
      '--key',
      logKey,
      '--witness-key',
      witnessKey,
      '--quorum',
      '1',
    ]);
    assert.match(verified, /co-signed by ua-witness/);
  });
});
