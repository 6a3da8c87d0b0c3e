import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeBase64, encodeBase64 } from './base64.ts';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

// RFC 4648 section 10.
const VECTORS: [string, string][] = [
  ['', ''],
  ['f', 'Zg=='],
  ['fo', 'Zm8='],
  ['foo', 'Zm9v'],
  ['foob', 'Zm9vYg=='],
  ['fooba', 'Zm9vYmE='],
  ['foobar', 'Zm9vYmFy'],
];

describe('base64', () => {
  it('encodes and decodes the RFC 4648 test vectors', () => {
    for (const [text, encoded] of VECTORS) {
      assert.equal(encodeBase64(ascii(text)), encoded);
      assert.deepEqual(decodeBase64(encoded), ascii(text));
    }
  });

  it('agrees with node for random bytes of every length up to 100', () => {
    for (let length = 0; length <= 100; length++) {
      const bytes = new Uint8Array(randomBytes(length));
      const encoded = Buffer.from(bytes).toString('base64');
      assert.equal(encodeBase64(bytes), encoded);
      assert.deepEqual(decodeBase64(encoded), bytes);
    }
    const all = new Uint8Array(256).map((_, i) => i);
    assert.equal(encodeBase64(all), Buffer.from(all).toString('base64'));
  });

  it('refuses everything but canonical padded standard base64', () => {
    for (const bad of [
      'Zg',
      'Zg=',
      'Z===',
      '=',
      '====',
      'Zh==',
      'Zm9=',
      'Zg==Zg==',
      'Zm9v\n',
      ' Zm9v',
      'Zm-_',
      'Zm9v!A==',
      'Zm8=Zm8=',
      'Zé==',
    ]) {
      assert.equal(decodeBase64(bad), undefined, JSON.stringify(bad));
    }
  });
});
