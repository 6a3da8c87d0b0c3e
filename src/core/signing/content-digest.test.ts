import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  checkContentDigest,
  ContentDigestError,
  formatContentDigest,
  parseContentDigest,
} from './content-digest.ts';

const sha256 = (bytes: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(bytes).digest());
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

// RFC 9530 Appendix B: the representation `{"hello": "world"}` and its digests.
const HELLO = utf8('{"hello": "world"}');
const HELLO_SHA256 = 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:';
const HELLO_SHA512 =
  'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:';
// RFC 9530 Appendix B.2: the digest of empty content.
const EMPTY_SHA256 = 'sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:';

describe('formatContentDigest', () => {
  it('gives the RFC 9530 value for {"hello": "world"}', () => {
    assert.equal(formatContentDigest(HELLO, sha256), HELLO_SHA256);
  });

  it('gives the RFC 9530 value for empty content', () => {
    assert.equal(formatContentDigest(new Uint8Array(), sha256), EMPTY_SHA256);
  });
});

describe('parseContentDigest', () => {
  it('takes sha-256 from a value that lists sha-512 too, in either order', () => {
    const expected = sha256(HELLO);
    assert.deepEqual(parseContentDigest(`${HELLO_SHA512}, ${HELLO_SHA256}`), expected);
    assert.deepEqual(parseContentDigest(`${HELLO_SHA256},${HELLO_SHA512}`), expected);
  });

  it('tolerates the whitespace HTTP leaves around a value', () => {
    assert.deepEqual(parseContentDigest(`  ${HELLO_SHA256}\t`), sha256(HELLO));
  });

  const refused: [string, string, RegExp][] = [
    ['a value with only sha-512', HELLO_SHA512, /no sha-256 digest \(only sha-512\)/],
    ['an empty value', '', /no sha-256 digest$/],
    [
      'a value that is not a dictionary',
      'SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=',
      /not a structured/,
    ],
    [
      'a sha-256 that is not a byte sequence',
      'sha-256="X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="',
      /not a byte sequence/,
    ],
    ['a sha-256 of the wrong length', 'sha-256=:AAAA:', /3 bytes, not 32/],
    ['a sha-256 in an inner list', 'sha-256=(:AAAA:)', /not a byte sequence/],
  ];
  for (const [what, value, message] of refused)
    it(`refuses ${what}`, () => {
      assert.throws(
        () => parseContentDigest(value),
        (error: unknown) => error instanceof ContentDigestError && message.test(error.message),
      );
    });
});

describe('checkContentDigest', () => {
  it('accepts the body the digest was made of', () => {
    const result = checkContentDigest(HELLO_SHA256, HELLO, sha256);
    assert.equal(result.ok, true);
  });

  it('refuses a body that differs by one byte', () => {
    const result = checkContentDigest(HELLO_SHA256, utf8('{"hello": "World"}'), sha256);
    assert.deepEqual(result, { ok: false, reason: "the body's sha-256 differs from Content-Digest" });
  });

  it('refuses an unusable value with the reason, without throwing', () => {
    const result = checkContentDigest(HELLO_SHA512, HELLO, sha256);
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.reason, /no sha-256/);
  });
});
