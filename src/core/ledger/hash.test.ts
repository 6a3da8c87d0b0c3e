import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesEqual, concatBytes, fromHex, toHex, utf8 } from './hash.ts';

describe('byte helpers', () => {
  it('concatenate in order, with empty parts and none', () => {
    assert.deepEqual(
      concatBytes(new Uint8Array([1, 2]), new Uint8Array(), new Uint8Array([3])),
      new Uint8Array([1, 2, 3]),
    );
    assert.deepEqual(concatBytes(), new Uint8Array());
  });

  it('compare bytes and lengths', () => {
    assert.ok(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])));
    assert.ok(!bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3])));
    assert.ok(!bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0])));
    assert.ok(bytesEqual(new Uint8Array(), new Uint8Array()));
  });

  it('write and read hex', () => {
    assert.equal(toHex(new Uint8Array([0, 15, 16, 255])), '000f10ff');
    assert.deepEqual(fromHex('000F10ff'), new Uint8Array([0, 15, 16, 255]));
    assert.equal(fromHex('abc'), undefined);
    assert.equal(fromHex('zz'), undefined);
    assert.deepEqual(fromHex(''), new Uint8Array());
  });

  it('encode UTF-8, the em dash as three bytes', () => {
    assert.equal(toHex(utf8('\u2014 ')), 'e2809420');
  });
});
