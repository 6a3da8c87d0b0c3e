import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { sha256Bytes, verifyEd25519 } from './ed25519.ts';

// RFC 9421 Appendix B.1.4 (test-key-ed25519) and B.2.6 (its signature base and signature).
const PUBLIC_KEY_SPKI = 'MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=';
const BASE = new TextEncoder().encode(
  [
    '"date": Tue, 20 Apr 2021 02:07:55 GMT',
    '"@method": POST',
    '"@path": /foo',
    '"@authority": example.com',
    '"content-type": application/json',
    '"content-length": 18',
    '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
  ].join('\n'),
);
const SIGNATURE = new Uint8Array(
  Buffer.from(
    'wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==',
    'base64',
  ),
);

describe('verifyEd25519', () => {
  it('verifies the RFC 9421 B.2.6 signature, again and again from the cached key', () => {
    for (let i = 0; i < 3; i++) assert.equal(verifyEd25519(PUBLIC_KEY_SPKI, BASE, SIGNATURE), true);
  });

  it('is false for other data, a flipped bit, or a signature of the wrong length', () => {
    assert.equal(verifyEd25519(PUBLIC_KEY_SPKI, BASE.subarray(1), SIGNATURE), false);
    const flipped = SIGNATURE.slice();
    flipped[10] = (flipped[10] ?? 0) ^ 1;
    assert.equal(verifyEd25519(PUBLIC_KEY_SPKI, BASE, flipped), false);
    assert.equal(verifyEd25519(PUBLIC_KEY_SPKI, BASE, SIGNATURE.subarray(0, 63)), false);
    assert.equal(verifyEd25519(PUBLIC_KEY_SPKI, BASE, new Uint8Array()), false);
  });

  it('is false for another Ed25519 key', () => {
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
    assert.equal(verifyEd25519(other.toString('base64'), BASE, SIGNATURE), false);
  });

  it('throws for a registered key that is not Ed25519 or not a key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      format: 'der',
      type: 'spki',
    });
    assert.throws(() => verifyEd25519(rsa.toString('base64'), BASE, SIGNATURE), /is rsa, not Ed25519/);
    assert.throws(() => verifyEd25519('bm90IGEga2V5', BASE, SIGNATURE));
  });
});

describe('sha256Bytes', () => {
  it('gives the 32 bytes of the digest (RFC 9530: {"hello": "world"})', () => {
    const digest = sha256Bytes(new TextEncoder().encode('{"hello": "world"}'));
    assert.equal(digest.length, 32);
    assert.equal(Buffer.from(digest).toString('base64'), 'X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=');
  });
});
