/**
 * The access policy on the record, for anyone to read: `GET /api/v1/access-policy` answers the policy
 * the server runs with and, once recorded, its version and ledger entry; that entry opens to the
 * public and to a party, and its record is the policy answered.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { recordAccessPolicy } from '../../src/application/access/record-access-policy.ts';
import { decide, policyDocument } from '../../src/core/access/policy.ts';
import { startHarness, type Harness } from '../helpers/app-harness.ts';

interface PolicyAnswer {
  policy: Record<string, unknown>;
  contentSha256: string;
  recorded: { version: number; recordedAt: string; ledgerIndex: number | null } | null;
}

describe('GET /api/v1/access-policy', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  test('answers the policy in force to anyone; unrecorded, it says so', async () => {
    const response = await h.inject({ url: '/api/v1/access-policy', anonymous: true });
    assert.equal(response.statusCode, 200);
    const answer = response.json<PolicyAnswer>();
    assert.deepEqual(answer.policy, JSON.parse(JSON.stringify(policyDocument())));
    assert.match(answer.contentSha256, /^[0-9a-f]{64}$/);
    assert.equal(answer.recorded, null);
  });

  test('once recorded, names its version and ledger entry, which anyone and a party may open', async () => {
    assert.deepEqual(await recordAccessPolicy(h.deps), { version: 1, recorded: true });
    const answer = (await h.inject({ url: '/api/v1/access-policy', anonymous: true })).json<PolicyAnswer>();
    assert.equal(answer.recorded?.version, 1);
    const index = answer.recorded.ledgerIndex;
    assert.equal(typeof index, 'number');
    assert.equal(index, (await h.deps.store.ledger.findEntry('access-policy', 1))?.index);

    const partyToken = await h.tokenFor({ orgId: 'ua', kind: 'party', role: 'party-liaison' });
    for (const authorization of [undefined, `Bearer ${partyToken}`]) {
      const entry: { type: string; record?: string; salt?: string } = (
        await h.inject({
          url: `/api/v1/ledger/entries/${String(index)}`,
          ...(authorization === undefined ? { anonymous: true } : { headers: { authorization } }),
        })
      ).json<{ type: string; record?: string; salt?: string }>();
      assert.equal(entry.type, 'access-policy');
      assert.ok(entry.record !== undefined && entry.salt !== undefined, 'the record opens');
      const record = JSON.parse(entry.record) as { document_json: string; content_sha256: string };
      assert.deepEqual(JSON.parse(record.document_json), answer.policy);
      assert.equal(record.content_sha256, answer.contentSha256);
    }
    // The route's own grant is in the policy it answers.
    assert.deepEqual((answer.policy.grants as Record<string, unknown>)['access-policy:read'], {
      roles: 'anyone',
      scope: null,
    });
    assert.equal(decide({ type: 'public' }, 'access-policy:read'), 'allow');
  });
});
