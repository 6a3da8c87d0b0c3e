import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  buildSignatureBase,
  REQUIRED_COMPONENTS,
  type RequestDescription,
  SignatureBaseError,
  signatureBaseBytes,
  signatureParamsList,
} from './signature-base.ts';
import { type InnerList, parseDictionary, serializeMember } from './structured-fields.ts';

// RFC 9421 Appendix B.1.4: the test-key-ed25519 key pair.
const TEST_KEY_ED25519_PRIVATE = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF
-----END PRIVATE KEY-----
`;
const TEST_KEY_ED25519_SPKI = 'MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=';

// RFC 9421 Appendix B.2: the test request (its body is `{"hello": "world"}`).
const TEST_REQUEST: RequestDescription = {
  method: 'POST',
  path: '/foo?param=Value&Pet=dog',
  headers: {
    Host: 'example.com',
    Date: 'Tue, 20 Apr 2021 02:07:55 GMT',
    'Content-Type': 'application/json',
    'Content-Digest':
      'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
    'Content-Length': '18',
  },
};

// RFC 9421 Appendix B.2.6, with the RFC 8792 line wrapping undone.
const B26_SIGNATURE_INPUT =
  'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"';
const B26_SIGNATURE_BASE = [
  '"date": Tue, 20 Apr 2021 02:07:55 GMT',
  '"@method": POST',
  '"@path": /foo',
  '"@authority": example.com',
  '"content-type": application/json',
  '"content-length": 18',
  '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
].join('\n');
const B26_SIGNATURE =
  'wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==';

const inputOf = (signatureInput: string): InnerList => {
  const [member] = parseDictionary(signatureInput).values();
  assert.equal(member?.kind, 'inner-list');
  return member;
};

const baseError = (fn: () => unknown, reason: 'missing' | 'invalid', component: string, message?: RegExp) =>
  assert.throws(
    fn,
    (error: unknown) =>
      error instanceof SignatureBaseError &&
      error.reason === reason &&
      error.component === component &&
      (message === undefined || message.test(error.message)),
  );

describe('the RFC 9421 B.2.6 Ed25519 test vector', () => {
  const base = buildSignatureBase(TEST_REQUEST, inputOf(B26_SIGNATURE_INPUT));

  it('builds the signature base of the RFC byte for byte', () => {
    assert.equal(base, B26_SIGNATURE_BASE);
  });

  it('signs to the signature of the RFC with test-key-ed25519 (Ed25519 is deterministic)', () => {
    const signature = sign(null, signatureBaseBytes(base), createPrivateKey(TEST_KEY_ED25519_PRIVATE));
    assert.equal(signature.toString('base64'), B26_SIGNATURE);
  });

  it('verifies the signature of the RFC with the public key of the RFC', () => {
    const publicKey = createPublicKey({
      key: Buffer.from(TEST_KEY_ED25519_SPKI, 'base64'),
      format: 'der',
      type: 'spki',
    });
    assert.ok(verify(null, signatureBaseBytes(base), publicKey, Buffer.from(B26_SIGNATURE, 'base64')));
  });
});

describe('buildSignatureBase for a signed ingest batch', () => {
  const request: RequestDescription = {
    method: 'POST',
    path: '/api/v1/observations',
    headers: {
      'content-type': 'application/x-ndjson',
      'content-digest': 'sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:',
    },
  };
  const params = signatureParamsList(REQUIRED_COMPONENTS, {
    created: 1700000000,
    keyid: 'ed25519-0123456789abcdef',
    nonce: 'batch-1',
    alg: 'ed25519',
  });

  it('serialises the parameters in the order created, keyid, nonce, alg', () => {
    assert.equal(
      serializeMember(params),
      '("@method" "@path" "content-type" "content-digest");created=1700000000;keyid="ed25519-0123456789abcdef";nonce="batch-1";alg="ed25519"',
    );
  });

  it('covers the four components, then the parameters', () => {
    assert.equal(
      buildSignatureBase(request, params),
      [
        '"@method": POST',
        '"@path": /api/v1/observations',
        '"content-type": application/x-ndjson',
        '"content-digest": sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:',
        `"@signature-params": ${serializeMember(params)}`,
      ].join('\n'),
    );
  });

  it('leaves the query out of @path and puts it in @query', () => {
    const list = signatureParamsList(['@path', '@query'], { created: 1, keyid: 'k', nonce: 'n' });
    assert.equal(
      buildSignatureBase({ ...request, path: '/a/b?x=1&y=%20' }, list)
        .split('\n')
        .slice(0, 2)
        .join('\n'),
      '"@path": /a/b\n"@query": ?x=1&y=%20',
    );
    assert.equal(buildSignatureBase({ ...request, path: '/a' }, list).split('\n')[1], '"@query": ?');
  });

  it('joins a field sent twice with ", " and trims each line', () => {
    const list = signatureParamsList(['x-list'], { created: 1, keyid: 'k', nonce: 'n' });
    assert.equal(
      buildSignatureBase({ ...request, headers: { 'X-List': [' a ', 'b\t'] } }, list).split('\n')[0],
      '"x-list": a, b',
    );
  });

  it('finds header names in any case', () => {
    const headers = { 'Content-Type': 'application/x-ndjson', 'CONTENT-DIGEST': 'sha-256=:AA==:' };
    assert.match(buildSignatureBase({ ...request, headers }, params), /"content-digest": sha-256=:AA==:/);
  });

  it('says which covered header the request lacks', () => {
    baseError(
      () => buildSignatureBase({ ...request, headers: { 'content-digest': 'x' } }, params),
      'missing',
      'content-type',
      /covers "content-type" but the request has no such header/,
    );
  });

  it('refuses a component covered twice', () => {
    baseError(
      () => buildSignatureBase(request, inputOf('s=("@method" "@method")')),
      'invalid',
      '@method',
      /twice/,
    );
  });

  it('refuses component parameters, @signature-params and unsupported derived components', () => {
    baseError(() => buildSignatureBase(request, inputOf('s=("content-type";sf)')), 'invalid', 'content-type');
    baseError(
      () => buildSignatureBase(request, inputOf('s=("@signature-params")')),
      'invalid',
      '@signature-params',
    );
    baseError(
      () => buildSignatureBase(request, inputOf('s=("@target-uri")')),
      'invalid',
      '@target-uri',
      /not supported/,
    );
    baseError(
      () => buildSignatureBase(request, inputOf('s=(method)')),
      'invalid',
      'method',
      /must be a string/,
    );
    baseError(() => buildSignatureBase(request, inputOf('s=("Content-Type")')), 'invalid', 'Content-Type');
  });

  it('refuses a value that would break the base into another line', () => {
    baseError(
      () =>
        buildSignatureBase({ ...request, headers: { ...request.headers, 'content-type': 'a\nb' } }, params),
      'invalid',
      'content-type',
      /outside printable ASCII/,
    );
  });

  it('refuses a request target that is not a path', () => {
    baseError(() => buildSignatureBase({ ...request, path: 'http://x/y' }, params), 'invalid', '@path');
  });
});
