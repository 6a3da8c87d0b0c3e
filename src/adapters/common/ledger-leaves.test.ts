import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { leafBytes } from '../../core/ledger/leaf.ts';
import { leafHash } from '../../core/ledger/merkle.ts';
import { commitmentOf, leafHashOf, sha256 } from './ledger-leaves.ts';

describe('the stores’ fast hashes equal the definitions', () => {
  test('commitmentOf is SHA-256 of the UTF-8 record then the salt, for any size and script', () => {
    for (const record of ['', '{"a":1}', 'Україна — «лінія»', '🙂'.repeat(40_000), 'x'.repeat(100_000)]) {
      const salt = randomBytes(32);
      const expected = createHash('sha256').update(Buffer.from(record, 'utf8')).update(salt).digest();
      assert.deepEqual(commitmentOf(record, salt), expected);
    }
  });
  test('leafHashOf is core’s leafHash of leafBytes', () => {
    for (const type of ['observation', 'case-action', 'a']) {
      const id = randomBytes(16);
      const commitment = randomBytes(32);
      const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
      assert.equal(
        hex(leafHashOf(type, id, commitment)),
        hex(leafHash(sha256, leafBytes({ type, id, commitment }))),
      );
    }
  });
});
