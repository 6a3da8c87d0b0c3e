/**
 * Cases on the live stream: every recorded action on a case of the Special Commission is announced as
 * an `event: case` message — to the mission and the Commission, and to the case's parties, except the
 * members' deliberation, which a party sees only if it sits on the Commission. Nobody else hears of it —
 * not the chair or a member of another Commission — nor does a token that may not read.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { actOnCase, openCommissionCase } from '../../src/application/commission/act-on-case.ts';
import { registerAgreement } from '../../src/application/register-agreement.ts';
import type { Actor } from '../../src/core/verification/actor.ts';
import { startHarness, TestClock, type Harness } from '../helpers/app-harness.ts';
import { listenToStream, type StreamListener } from '../helpers/stream-listener.ts';

const HOUR = 3_600_000;
const CHAIR: Actor = { userId: 'u-chair', orgId: 'osce', role: 'chair' };

describe('case actions on the live stream', () => {
  let h: Harness;
  let base: string;
  const clock = new TestClock(Date.parse('2026-03-02T08:00:00Z'));

  before(async () => {
    h = await startHarness({ clock });
    await registerAgreement(h.deps, {
      text: readFileSync('data/agreements/donbas-2015.yaml', 'utf8'),
      format: 'yaml',
    });
    base = await h.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await h.close();
  });

  const listen = (token: string | undefined): Promise<StreamListener> => listenToStream(base, token);

  const caseMessages = (l: StreamListener): { caseId: string; action: string; version: number }[] =>
    [...l.received.matchAll(/event: case\ndata: (.*)\n/g)].map(
      (m) => JSON.parse(m[1] ?? '{}') as { caseId: string; action: string; version: number },
    );

  test('reach the Commission and the case’s parties; deliberation only the members', async () => {
    const token = (orgId: string, kind: 'chair' | 'member' | 'party' | 'mission', role: string) =>
      h.tokenFor({ orgId, kind, role: role as never });
    const listeners = {
      chair: await listen(await token('osce', 'chair', 'chair')),
      analyst: await listen(h.analystToken),
      accused: await listen(await token('ua', 'party', 'party-liaison')),
      complainant: await listen(await token('ru-af', 'party', 'party-liaison')),
      delegation: await listen(await token('ua-delegation', 'party', 'commissioner')),
      bystander: await listen(await token('other-party', 'party', 'party-liaison')),
      // A chair and a member of another Commission (not donbas-2015's).
      otherChair: await listen(await token('other-chair', 'chair', 'chair')),
      otherMember: await listen(await token('coalition-fr', 'member', 'commissioner')),
      // A token that may ingest but not read.
      ingestOnly: await listen(
        await h.tokenFor({ orgId: 'mission', kind: 'mission', role: 'analyst', scopes: 'ingest' }),
      ),
      public: await listen(undefined),
    };

    const opened = await openCommissionCase(h.deps, {
      violations: [],
      complaint: { id: 'c-1', complainant: 'ru-af', accused: 'ua', clause: null, timeMs: clock.ms - HOUR },
      accused: ['ua'],
      agreementId: 'donbas-2015',
      by: CHAIR,
    });
    const commented = await actOnCase(h.deps, {
      caseId: opened.id,
      expectedVersion: opened.version,
      action: { type: 'comment', text: 'the crater analysis is due tomorrow' },
      by: CHAIR,
    });
    await actOnCase(h.deps, {
      caseId: opened.id,
      expectedVersion: commented.version,
      action: { type: 'notify', party: 'ua' },
      by: CHAIR,
    });

    const receivers = ['chair', 'analyst', 'accused', 'complainant', 'delegation'] as const;
    for (const name of receivers)
      while (!caseMessages(listeners[name]).some((m) => m.action === 'notify'))
        await new Promise((r) => setTimeout(r, 10));
    // Notices are written to every stream at once; give any stray one time to arrive.
    await new Promise((r) => setTimeout(r, 200));
    for (const l of Object.values(listeners)) l.abort.abort();
    await Promise.all(Object.values(listeners).map((l) => l.done));

    const actions = (name: keyof typeof listeners) => caseMessages(listeners[name]).map((m) => m.action);
    for (const name of ['chair', 'analyst', 'delegation'] as const)
      assert.deepEqual(actions(name), ['open', 'comment', 'notify'], name);
    for (const name of ['accused', 'complainant'] as const)
      assert.deepEqual(actions(name), ['open', 'notify'], name);
    for (const name of ['bystander', 'otherChair', 'otherMember', 'ingestOnly', 'public'] as const)
      assert.deepEqual(actions(name), [], name);

    // Over the API, too, the members' deliberation is the case's Commission's, and the mission's.
    const commentsSeenBy = async (orgId: string, kind: 'chair' | 'member', role: string) => {
      const response = await h.inject({
        url: `/api/v1/cases/${opened.id}`,
        headers: { authorization: `Bearer ${await token(orgId, kind, role)}` },
      });
      assert.equal(response.statusCode, 200, response.body);
      return response.json<{ comments?: { text: string }[] }>().comments?.map((c) => c.text);
    };
    assert.deepEqual(await commentsSeenBy('osce', 'chair', 'chair'), ['the crater analysis is due tomorrow']);
    assert.equal(await commentsSeenBy('other-chair', 'chair', 'chair'), undefined);
    assert.equal(await commentsSeenBy('coalition-fr', 'member', 'commissioner'), undefined);

    const [first] = caseMessages(listeners.chair);
    assert.equal(first?.caseId, opened.id);
    assert.equal(first.version, opened.version);
    // The message says what happened, not the deliberation's content.
    assert.doesNotMatch(listeners.delegation.received, /crater analysis/);
  });
});
