import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { leafBytes } from '../../core/ledger/leaf.ts';
import { leafHash } from '../../core/ledger/merkle.ts';
import { commitmentOf, leafHashOf, sha256 } from './ledger-leaves.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('the stores’ fast hashes equal the definitions', () => {
  test('commitmentOf is SHA-256 of the UTF-8 record then the salt, for any size and script', () => {
    for (const record of ['', '{"a":1}', 'Україна — «лінія»', '🙂'.repeat(40_000), 'x'.repeat(100_000)]) {
      const salt = randomBytes(32);
      const expected = createHash('sha256').update(Buffer.from(record, 'utf8')).update(salt).digest();
      assert.deepEqual(commitmentOf(record, salt), expected);
    }
  });
  test('sha256 is SHA-256, whatever the bytes (the digest passes through latin1 text)', () => {
    for (const data of [
      new Uint8Array(0),
      randomBytes(65),
      randomBytes(1000),
      new Uint8Array(256).map((_, i) => i),
    ])
      assert.equal(hex(sha256(data)), createHash('sha256').update(data).digest('hex'));
  });
  test('leafHashOf is core’s leafHash of leafBytes', () => {
    for (const type of ['observation', 'case-action', 'a', 'observation']) {
      const id = randomBytes(16);
      const commitment = randomBytes(32);
      const expected = createHash('sha256')
        .update(Uint8Array.of(0))
        .update(leafBytes({ type, id, commitment }))
        .digest('hex');
      assert.equal(hex(leafHashOf(type, id, commitment)), expected);
      assert.equal(hex(leafHash(sha256, leafBytes({ type, id, commitment }))), expected);
    }
  });
  test('leafHashOf refuses what leafBytes refuses', () => {
    assert.throws(() => leafHashOf('Not a type', randomBytes(16), randomBytes(32)), /record type/);
    assert.throws(() => leafHashOf('observation', randomBytes(15), randomBytes(32)), /16 bytes, not 15/);
    assert.throws(() => leafHashOf('observation', randomBytes(16), randomBytes(31)), /32 bytes, not 31/);
  });
});
