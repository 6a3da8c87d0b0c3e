// Revoking a source's key as compromised: the submissions it signed after the compromise are flagged,
// and the events built on their observations are fused again without them — revised, or withdrawn with
// their potential violations when what remains no longer makes them. Rotation keeps old submissions
// verifiable.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FusionPipeline } from '../../src/application/fusion-pipeline.ts';
import { revokeSourceKey, rotateSourceKey } from '../../src/application/manage-source-keys.ts';
import { refuseFlagged } from '../../src/application/refuse-flagged.ts';
import { registerAgreement } from '../../src/application/register-agreement.ts';
import { generateSourceKey } from '../../src/client/source-key.ts';
import { verifySignedRequest } from '../../src/core/signing/verify-request.ts';
import { sha256Bytes, verifyEd25519 } from '../../src/adapters/crypto/ed25519.ts';
import { fusionLogic } from '../../src/main.ts';
import { startHarness, TestClock, type Harness } from '../helpers/app-harness.ts';
import { fireScenario, SCENARIO_START_MS } from '../helpers/fusion-scenario.ts';

const LAUNCHES = 6;

/** A harness with the fire scenario posted as signed batches (one per sensor) and fused to the end. */
async function fused(): Promise<{ h: Harness; clock: TestClock }> {
  const clock = new TestClock(SCENARIO_START_MS + 3 * 3_600_000);
  const h = await startHarness({ clock });
  const scenario = await fireScenario(LAUNCHES, 0);
  await registerAgreement(h.deps, { text: scenario.agreementText, format: 'yaml' });
  for (const source of scenario.sources) await h.addSource(source);
  for (const source of scenario.sources) {
    const records = scenario.records.filter((r) => r.sourceId === source.id);
    const posted = await h.inject({ method: 'POST', url: '/api/v1/observations', payload: records });
    assert.equal(posted.statusCode, 200, posted.body);
  }
  await new FusionPipeline(h.deps, fusionLogic, { agreementId: 'donbas-2015' }).run(true);
  return { h, clock };
}

async function heads(h: Harness) {
  const events = await h.deps.store.fusion.listEvents({ limit: 1_000 });
  const violations = await h.deps.store.fusion.listViolations({ limit: 1_000 });
  return {
    active: events.filter((e) => e.event.status === 'active').map((e) => e.event),
    withdrawn: events.filter((e) => e.event.status === 'withdrawn').map((e) => e.event),
    standing: violations.filter((v) => v.violation.status !== 'withdrawn').map((v) => v.violation),
    withdrawnViolations: violations.filter((v) => v.violation.status === 'withdrawn').map((v) => v.violation),
  };
}

describe('revoking a compromised key', () => {
  test('one sensor of eight distrusted: its submissions are flagged and every event is fused again without it', async () => {
    const { h } = await fused();
    try {
      const before = await heads(h);
      assert.equal(before.active.length, LAUNCHES, 'every launch is an event before');
      assert.ok(before.standing.length > 0, 'the scenario makes potential violations');
      const key = h.keys.get('ac-1')!;
      const { batches, seqs } = await revokeSourceKey(h.deps, {
        sourceId: 'ac-1',
        keyId: key.keyId,
        compromisedAtMs: 0,
      });
      assert.equal(batches.length, 1);
      assert.equal(seqs.length, LAUNCHES, "ac-1's arrival of each launch");
      const submission = await h.deps.store.observations.findSubmission('ac-1', batches[0]!.batchId);
      assert.ok(submission?.flaggedAtMs !== null && submission?.flagReason?.includes('compromised'));

      const report = await refuseFlagged(h.deps, fusionLogic, 'donbas-2015', seqs);
      assert.equal(report.revised + report.withdrawn, LAUNCHES, JSON.stringify(report));
      const after = await heads(h);
      // Seven arrivals still locate each launch: the events stand, none of them on ac-1's word.
      assert.equal(after.active.length, LAUNCHES);
      const distrusted = new Set(seqs);
      for (const event of after.active)
        assert.ok(!event.provenance.some((c) => distrusted.has(c.seq)), `${event.id} still uses ac-1`);
      for (const violation of after.standing)
        assert.ok(
          !violation.supportingSeqs.some((s) => distrusted.has(s)),
          `${violation.id} still rests on ac-1`,
        );
      // Every earlier revision is kept.
      for (const event of before.active)
        assert.ok(
          (await h.deps.store.fusion.eventRevisions(event.id)).length >= 2,
          `${event.id} has its old revision`,
        );
    } finally {
      await h.close();
    }
  });

  test('six of eight distrusted: two arrivals cannot locate anything, so the events and their violations are withdrawn', async () => {
    const { h } = await fused();
    try {
      const before = await heads(h);
      const seqs: number[] = [];
      for (const id of ['ac-1', 'ac-2', 'ac-3', 'ac-4', 'ac-5', 'ac-6'])
        seqs.push(
          ...(
            await revokeSourceKey(h.deps, { sourceId: id, keyId: h.keys.get(id)!.keyId, compromisedAtMs: 0 })
          ).seqs,
        );
      const report = await refuseFlagged(h.deps, fusionLogic, 'donbas-2015', seqs);
      assert.equal(report.withdrawn, LAUNCHES, JSON.stringify(report));
      const after = await heads(h);
      assert.equal(after.active.length, 0);
      assert.equal(after.standing.length, 0, 'no potential violation stands on a withdrawn event');
      assert.equal(after.withdrawnViolations.length, before.standing.length);
      for (const v of after.withdrawnViolations) assert.match(v.withdrawnReason ?? '', /compromised key/);
      // Nothing new to do the second time.
      assert.deepEqual(await refuseFlagged(h.deps, fusionLogic, 'donbas-2015', seqs), {
        revised: 0,
        withdrawn: 0,
        added: 0,
        violations: 0,
      });
    } finally {
      await h.close();
    }
  });

  test('a compromise after the submissions flags nothing; rotation keeps old submissions verifiable', async () => {
    const { h, clock } = await fused();
    try {
      const old = h.keys.get('ac-4')!;
      const flaggedLater = await revokeSourceKey(h.deps, {
        sourceId: 'ac-5',
        keyId: h.keys.get('ac-5')!.keyId,
        compromisedAtMs: clock.ms + 60_000,
      });
      assert.deepEqual(flaggedLater, { batches: [], seqs: [] });

      const fresh = generateSourceKey();
      const { revoked } = await rotateSourceKey(h.deps, {
        sourceId: 'ac-4',
        keyId: fresh.keyId,
        publicKeySpkiB64: fresh.publicKeySpkiB64,
      });
      assert.deepEqual(revoked, [old.keyId]);
      // The stored submission signed with the old key verifies against the key it names, as it did.
      const rows = await h.deps.store.observations.query({ sourceIds: ['ac-4'], limit: 1 });
      const submission = await h.deps.store.observations.findSubmission('ac-4', rows[0]!.batchId!);
      assert.ok(submission !== undefined);
      const source = await h.deps.store.sources.get('ac-4');
      const verdict = await verifySignedRequest(
        {
          method: submission.method,
          target: submission.target,
          headers: {
            'content-type': submission.contentType,
            'content-digest': submission.contentDigest,
            'signature-input': submission.signatureInput,
            signature: submission.signature,
          },
          body: submission.body,
        },
        {
          nowMs: submission.signedAtMs,
          findKey: async (keyId) => {
            const key = source.keys.find((k) => k.keyId === keyId);
            // Checked as of its signing time: the key was live then.
            return key === undefined
              ? undefined
              : { sourceId: source.id, publicKey: key.publicKey, revokedAtMs: null };
          },
          verifyEd25519,
          sha256: sha256Bytes,
        },
      );
      assert.equal(verdict.ok, true, JSON.stringify(verdict));
      // New batches with the old key are refused.
      const refused = await h.inject({
        method: 'POST',
        url: '/api/v1/observations',
        payload: [{ ...rows[0], id: 'after-rotation' }],
        signAs: 'ac-4',
      });
      assert.equal(refused.statusCode, 401);
      assert.equal(refused.json<{ code: string }>().code, 'E_KEY_REVOKED');
    } finally {
      await h.close();
    }
  });
});
