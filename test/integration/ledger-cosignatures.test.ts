// Witnesses' co-signatures over the API: a witness name keeps the key it first co-signed with, so no
// holder of `ledger:cosign` (another party's liaison) can replace a witness's line with one of its own
// key and make that witness's quorum fail; and a checkpoint takes a bounded number of lines, so a
// flood of made-up witnesses cannot push its note past the 100 signatures verifiers read.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { nodeEd25519 } from '../../src/adapters/crypto/ed25519.ts';
import { sha256 } from '../../src/adapters/common/ledger-leaves.ts';
import { NEW_WITNESSES_PER_CHECKPOINT } from '../../src/application/ledger/add-cosignature.ts';
import { cosign, formatWitnessVerifierKey } from '../../src/core/ledger/cosignature.ts';
import { parseNote, parseSignatureLine } from '../../src/core/ledger/signed-note.ts';
import { startHarness, type Harness } from '../helpers/app-harness.ts';

const witness = (name: string) => {
  const seed = new Uint8Array(randomBytes(32));
  const publicKey = nodeEd25519.publicKey(seed);
  return { name, seed, publicKey, key: formatWitnessVerifierKey(name, publicKey, sha256) };
};

describe('co-signatures of the log’s checkpoints', () => {
  let h: Harness;
  let ua: string;
  let ru: string;
  let size: number;
  let body: string;

  before(async () => {
    h = await startHarness({ sources: [{ id: 'ac-1', kind: 'acoustic' }] });
    const token = (orgId: string) =>
      h.tokenFor({ orgId, kind: 'party', role: 'party-liaison', scopes: 'read,ingest' });
    [ua, ru] = [await token('ua'), await token('ru-af')];
    const checkpoint = await h.inject({ url: '/api/v1/ledger/checkpoint', anonymous: true });
    assert.equal(checkpoint.statusCode, 200, checkpoint.body);
    body = parseNote(checkpoint.body).body;
    size = Number(body.split('\n')[1]);
  });
  after(() => h.close());

  const post = (token: string, w: ReturnType<typeof witness>) =>
    h.inject({
      method: 'POST',
      url: '/api/v1/ledger/cosignatures',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        size,
        key: w.key,
        line: cosign(body, w, Math.floor(Date.now() / 1000), nodeEd25519, sha256),
      },
    });

  const linesOf = async () =>
    (await h.deps.store.ledger.findCheckpoint(size))?.cosignatures.map((c) => c.witness) ?? [];

  it('keeps a witness’s line: another key under its name is refused, the same key may sign again', async () => {
    const genuine = witness('ua-witness');
    assert.equal((await post(ua, genuine)).statusCode, 204);
    const impostor = await post(ru, witness('ua-witness'));
    assert.equal(impostor.statusCode, 409, impostor.body);
    assert.match(impostor.json<{ message: string }>().message, /co-signs with another key/);
    const keyIdOf = (line: string) => parseSignatureLine(line).keyId.join(',');
    const genuineKeyId = keyIdOf(cosign(body, genuine, 0, nodeEd25519, sha256));
    const served = async () => {
      const stored = await h.deps.store.ledger.findCheckpoint(size);
      assert.ok(stored !== undefined);
      return stored.cosignatures.map((c) => keyIdOf(c.line));
    };
    assert.deepEqual(await served(), [genuineKeyId], 'the genuine line stands');
    assert.equal((await post(ua, genuine)).statusCode, 204, 'its own key again');
    assert.deepEqual(await served(), [genuineKeyId]);
    assert.deepEqual(await linesOf(), ['ua-witness']);
  });

  it('takes a bounded number of new witnesses, and still the ones that co-signed before', async () => {
    const before = (await linesOf()).length;
    const answers: number[] = [];
    for (let i = 0; i < NEW_WITNESSES_PER_CHECKPOINT + 5; i++)
      answers.push((await post(ru, witness(`made-up-${i}`))).statusCode);
    assert.equal(answers.filter((s) => s === 204).length, NEW_WITNESSES_PER_CHECKPOINT - before);
    assert.ok(answers.slice(NEW_WITNESSES_PER_CHECKPOINT - before).every((s) => s === 409));
    assert.equal((await linesOf()).length, NEW_WITNESSES_PER_CHECKPOINT);
  });
});
