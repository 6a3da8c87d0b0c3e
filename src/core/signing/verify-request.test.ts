import assert from 'node:assert/strict';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import { describe, it } from 'node:test';
import { formatContentDigest } from './content-digest.ts';
import {
  buildSignatureBase,
  REQUIRED_COMPONENTS,
  signatureBaseBytes,
  signatureParamsList,
  type SignatureParams,
} from './signature-base.ts';
import { serializeDictionary, sf } from './structured-fields.ts';
import {
  SIGNATURE_ERROR_CODES,
  type SignedRequest,
  type SigningKeyRecord,
  verifySignedRequest,
  type VerifyOptions,
  type VerifyResult,
} from './verify-request.ts';

// RFC 9421 Appendix B.1.4: the test-key-ed25519 key pair.
const PRIVATE_KEY = createPrivateKey(`-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF
-----END PRIVATE KEY-----
`);
const PUBLIC_KEY_SPKI = 'MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=';
const KEY_ID = 'test-key-ed25519';

const NOW_MS = 1_700_000_000_000;
const CREATED = NOW_MS / 1000 - 10;
const BODY = new TextEncoder().encode('{"kind":"heartbeat"}\n{"kind":"heartbeat"}\n');

const sha256 = (bytes: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(bytes).digest());

interface Signing {
  readonly components?: readonly string[];
  readonly params?: Partial<SignatureParams>;
  readonly label?: string;
  readonly body?: Uint8Array;
  readonly privateKey?: ReturnType<typeof createPrivateKey>;
}

/** A request signed as a source would sign it, with the RFC's test key unless told otherwise. */
function signedRequest(signing: Signing = {}): SignedRequest & { headers: Record<string, string> } {
  const body = signing.body ?? BODY;
  const headers: Record<string, string> = {
    'content-type': 'application/x-ndjson',
    'content-digest': formatContentDigest(body, sha256),
  };
  const list = signatureParamsList(signing.components ?? REQUIRED_COMPONENTS, {
    created: CREATED,
    keyid: KEY_ID,
    nonce: 'batch-0001',
    alg: 'ed25519',
    ...signing.params,
  });
  const method = 'POST';
  const target = '/api/v1/observations';
  const base = buildSignatureBase({ method, path: target, headers }, list);
  const signature = sign(null, signatureBaseBytes(base), signing.privateKey ?? PRIVATE_KEY);
  const label = signing.label ?? 'sig1';
  headers['signature-input'] = serializeDictionary(new Map([[label, list]]));
  headers.signature = serializeDictionary(new Map([[label, sf.item(sf.bytes(signature))]]));
  return { method, target, headers, body };
}

const KEYS = new Map<string, SigningKeyRecord>([
  [KEY_ID, { sourceId: 'acoustic-7', publicKey: PUBLIC_KEY_SPKI, revokedAtMs: null }],
  ['revoked-key', { sourceId: 'acoustic-8', publicKey: PUBLIC_KEY_SPKI, revokedAtMs: NOW_MS - 3_600_000 }],
  ['revoked-later', { sourceId: 'acoustic-9', publicKey: PUBLIC_KEY_SPKI, revokedAtMs: NOW_MS + 3_600_000 }],
]);

interface Calls {
  findKey: number;
  sha256: number;
  verify: number;
}

function options(overrides: Partial<VerifyOptions> = {}, calls?: Calls): VerifyOptions {
  return {
    nowMs: NOW_MS,
    findKey: async (keyId) => {
      if (calls) calls.findKey += 1;
      return KEYS.get(keyId);
    },
    verifyEd25519: (spki, data, signature) => {
      if (calls) calls.verify += 1;
      const key = createPublicKey({ key: Buffer.from(spki, 'base64'), format: 'der', type: 'spki' });
      return verify(null, data, key, signature);
    },
    sha256: (bytes) => {
      if (calls) calls.sha256 += 1;
      return sha256(bytes);
    },
    ...overrides,
  };
}

function assertFailure(
  result: VerifyResult,
  code: string,
  field: string | undefined,
  message?: RegExp,
): void {
  assert.equal(result.ok, false, 'expected a refusal');
  if (result.ok) return;
  assert.equal(result.code, code, result.message);
  assert.equal(result.field, field, result.message);
  if (message !== undefined) assert.match(result.message, message);
}

const withHeaders = (request: SignedRequest, headers: Record<string, string | undefined>): SignedRequest => ({
  ...request,
  headers: { ...request.headers, ...headers },
});

describe('verifySignedRequest accepts', () => {
  it('a well-signed batch, and says who sent it', async () => {
    const request = signedRequest();
    const result = await verifySignedRequest(request, options());
    assert.deepEqual(result, {
      ok: true,
      sourceId: 'acoustic-7',
      keyId: KEY_ID,
      batchId: 'batch-0001',
      signedAtMs: CREATED * 1000,
      contentDigest: request.headers['content-digest'],
      signatureInput: request.headers['signature-input'],
      signature: request.headers.signature,
    });
  });

  it('any single label, the parameters in any order, and no alg', async () => {
    const request = signedRequest({ label: 'gateway-7', params: { alg: undefined } });
    const result = await verifySignedRequest(request, options());
    assert.equal(result.ok, true);
    assert.match(result.ok ? result.signatureInput : '', /^gateway-7=\(/);
  });

  it('covered components in another order, and one more (@query)', async () => {
    const components = ['content-digest', '@query', 'content-type', '@path', '@method'];
    assert.equal((await verifySignedRequest(signedRequest({ components }), options())).ok, true);
  });

  it('headers sent as lists and with surrounding whitespace', async () => {
    const request = signedRequest();
    const result = await verifySignedRequest(
      {
        ...request,
        headers: {
          ...request.headers,
          signature: ` ${request.headers.signature}\t`,
          'content-digest': [request.headers['content-digest'] ?? ''],
        },
      },
      options(),
    );
    assert.equal(result.ok, true);
    assert.equal(result.ok && result.contentDigest, request.headers['content-digest']);
  });

  it('a signature exactly at the edges of the window', async () => {
    const oldest = signedRequest({ params: { created: (NOW_MS - 300_000) / 1000 } });
    assert.equal((await verifySignedRequest(oldest, options())).ok, true);
    const newest = signedRequest({ params: { created: (NOW_MS + 60_000) / 1000 } });
    assert.equal((await verifySignedRequest(newest, options())).ok, true);
  });

  it('a key whose revocation is still to come', async () => {
    const result = await verifySignedRequest(
      signedRequest({ params: { keyid: 'revoked-later' } }),
      options(),
    );
    assert.equal(result.ok, true);
  });
});

describe('verifySignedRequest refuses with E_SIGNATURE_MISSING', () => {
  for (const header of ['signature', 'signature-input', 'content-digest'])
    it(`a request without ${header}`, async () => {
      const result = await verifySignedRequest(
        withHeaders(signedRequest(), { [header]: undefined }),
        options(),
      );
      assertFailure(result, 'E_SIGNATURE_MISSING', header, new RegExp(`no ${header} header`));
    });

  it('a request with no signature at all, naming all three headers', async () => {
    const request: SignedRequest = {
      ...signedRequest(),
      headers: { 'content-type': 'application/x-ndjson' },
    };
    const result = await verifySignedRequest(request, options());
    assertFailure(
      result,
      'E_SIGNATURE_MISSING',
      'signature-input',
      /signature-input, signature, content-digest/,
    );
  });

  it('a blank signature header', async () => {
    const result = await verifySignedRequest(withHeaders(signedRequest(), { signature: '  ' }), options());
    assertFailure(result, 'E_SIGNATURE_MISSING', 'signature');
  });

  for (const component of REQUIRED_COMPONENTS)
    it(`a signature that does not cover ${component}`, async () => {
      const components = REQUIRED_COMPONENTS.filter((c) => c !== component);
      const result = await verifySignedRequest(signedRequest({ components }), options());
      assertFailure(result, 'E_SIGNATURE_MISSING', component, new RegExp(`does not cover "${component}"`));
    });

  for (const param of ['keyid', 'created', 'nonce'] as const)
    it(`a signature without ${param}`, async () => {
      const request = signedRequest();
      const input = request.headers['signature-input'] ?? '';
      const stripped = input.replace(new RegExp(`;${param}=[^;]*`), '');
      assert.notEqual(stripped, input);
      const result = await verifySignedRequest(
        withHeaders(request, { 'signature-input': stripped }),
        options(),
      );
      assertFailure(result, 'E_SIGNATURE_MISSING', param, new RegExp(`no ${param} parameter`));
    });

  it('a request without the content-type it signed', async () => {
    const result = await verifySignedRequest(
      withHeaders(signedRequest(), { 'content-type': undefined }),
      options(),
    );
    assertFailure(result, 'E_SIGNATURE_MISSING', 'content-type', /no such header/);
  });
});

describe('verifySignedRequest refuses with E_SIGNATURE_INVALID', () => {
  it('a malformed Signature-Input', async () => {
    const result = await verifySignedRequest(
      withHeaders(signedRequest(), { 'signature-input': 'sig1=("@method" "@path"' }),
      options(),
    );
    assertFailure(result, 'E_SIGNATURE_INVALID', 'signature-input', /Signature-Input is malformed/);
  });

  it('a malformed Signature', async () => {
    const result = await verifySignedRequest(
      withHeaders(signedRequest(), { signature: 'sig1=:abc$:' }),
      options(),
    );
    assertFailure(result, 'E_SIGNATURE_INVALID', 'signature', /Signature is malformed/);
  });

  it('two signatures', async () => {
    const request = signedRequest();
    const twice = `${request.headers['signature-input']}, ${(request.headers['signature-input'] ?? '').replace('sig1', 'sig2')}`;
    const result = await verifySignedRequest(withHeaders(request, { 'signature-input': twice }), options());
    assertFailure(
      result,
      'E_SIGNATURE_INVALID',
      'signature-input',
      /exactly one signature; it has 2 \(sig1, sig2\)/,
    );
  });

  it('a Signature under another label than the Signature-Input', async () => {
    const request = signedRequest();
    const signature = (request.headers.signature ?? '').replace('sig1', 'sig2');
    const result = await verifySignedRequest(withHeaders(request, { signature }), options());
    assertFailure(result, 'E_SIGNATURE_INVALID', 'signature', /no member sig1/);
  });

  it('a Signature-Input member that is not an inner list', async () => {
    const result = await verifySignedRequest(
      withHeaders(signedRequest(), { 'signature-input': 'sig1=1' }),
      options(),
    );
    assertFailure(result, 'E_SIGNATURE_INVALID', 'signature-input', /not an inner list/);
  });

  it('a signature that is not 64 bytes', async () => {
    const result = await verifySignedRequest(
      withHeaders(signedRequest(), { signature: 'sig1=:AAAA:' }),
      options(),
    );
    assertFailure(result, 'E_SIGNATURE_INVALID', 'signature', /3 bytes; an Ed25519 signature has 64/);
  });

  it('an alg other than ed25519', async () => {
    const request = signedRequest();
    const input = (request.headers['signature-input'] ?? '').replace('alg="ed25519"', 'alg="rsa-pss-sha512"');
    const result = await verifySignedRequest(withHeaders(request, { 'signature-input': input }), options());
    assertFailure(result, 'E_SIGNATURE_INVALID', 'alg', /alg must be "ed25519", not "rsa-pss-sha512"/);
  });

  const badNonces: [string, string][] = [
    ['a space', 'batch 1'],
    ['a slash', 'batch/1'],
    ['129 characters', 'x'.repeat(129)],
    ['nothing', ''],
  ];
  for (const [what, nonce] of badNonces)
    it(`a nonce with ${what}`, async () => {
      const result = await verifySignedRequest(signedRequest({ params: { nonce } }), options());
      assertFailure(result, 'E_SIGNATURE_INVALID', 'nonce', /nonce \(the batch id\)/);
    });

  it('a nonce of 128 characters is fine', async () => {
    const nonce = 'A-z0._:'.repeat(19).slice(0, 128);
    const result = await verifySignedRequest(signedRequest({ params: { nonce } }), options());
    assert.equal(result.ok && result.batchId, nonce);
  });

  it('a created that is not an integer', async () => {
    const request = signedRequest();
    const input = (request.headers['signature-input'] ?? '').replace(/created=\d+/, 'created="yesterday"');
    const result = await verifySignedRequest(withHeaders(request, { 'signature-input': input }), options());
    assertFailure(result, 'E_SIGNATURE_INVALID', 'created');
  });

  it('a Content-Digest without sha-256', async () => {
    const result = await verifySignedRequest(
      withHeaders(signedRequest(), { 'content-digest': 'sha-512=:AAAA:' }),
      options(),
    );
    assertFailure(result, 'E_SIGNATURE_INVALID', 'content-digest', /no sha-256 digest/);
  });

  it('a body that differs from its digest, without spending a signature check', async () => {
    const calls = { findKey: 0, sha256: 0, verify: 0 };
    const request = { ...signedRequest(), body: new TextEncoder().encode('{"kind":"tampered"}\n') };
    const result = await verifySignedRequest(request, options({}, calls));
    assertFailure(result, 'E_SIGNATURE_INVALID', 'content-digest', /differs from Content-Digest/);
    assert.equal(calls.verify, 0);
  });

  it('a body swapped together with its digest (the signature covers the digest)', async () => {
    const other = new TextEncoder().encode('{"kind":"swapped"}\n');
    const request = { ...signedRequest(), body: other };
    const result = await verifySignedRequest(
      withHeaders(request, { 'content-digest': formatContentDigest(other, sha256) }),
      options(),
    );
    assertFailure(result, 'E_SIGNATURE_INVALID', 'signature', /does not verify with key "test-key-ed25519"/);
  });

  it('a batch replayed on another path', async () => {
    const request = { ...signedRequest(), target: '/api/v1/sources' };
    assertFailure(await verifySignedRequest(request, options()), 'E_SIGNATURE_INVALID', 'signature');
  });

  it('a batch re-labelled as JSON', async () => {
    const request = withHeaders(signedRequest(), { 'content-type': 'application/json' });
    assertFailure(await verifySignedRequest(request, options()), 'E_SIGNATURE_INVALID', 'signature');
  });

  it('a batch signed by another key than the one its keyid names', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const result = await verifySignedRequest(signedRequest({ privateKey }), options());
    assertFailure(result, 'E_SIGNATURE_INVALID', 'signature');
  });

  it('a covered component with parameters', async () => {
    const request = signedRequest();
    const input = (request.headers['signature-input'] ?? '').replace('"content-type"', '"content-type";sf');
    const result = await verifySignedRequest(withHeaders(request, { 'signature-input': input }), options());
    assertFailure(result, 'E_SIGNATURE_INVALID', 'content-type', /not supported/);
  });
});

describe('verifySignedRequest refuses with E_KEY_REVOKED', () => {
  it('an unknown key id, saying so', async () => {
    const result = await verifySignedRequest(signedRequest({ params: { keyid: 'nobody' } }), options());
    assertFailure(result, 'E_KEY_REVOKED', 'keyid', /^unknown key id "nobody"$/);
  });

  it('a revoked key, saying when it was revoked', async () => {
    const result = await verifySignedRequest(signedRequest({ params: { keyid: 'revoked-key' } }), options());
    assertFailure(
      result,
      'E_KEY_REVOKED',
      'keyid',
      /^key "revoked-key" of source "acoustic-8" was revoked at 2023-11-14T21:13:20.000Z$/,
    );
  });
});

describe('verifySignedRequest refuses with E_SIGNATURE_EXPIRED', () => {
  it('a signature older than five minutes', async () => {
    const result = await verifySignedRequest(
      signedRequest({ params: { created: (NOW_MS - 301_000) / 1000 } }),
      options(),
    );
    assertFailure(result, 'E_SIGNATURE_EXPIRED', 'created', /created 301 s ago; at most 300 s/);
  });

  it('a signature more than a minute in the future', async () => {
    const result = await verifySignedRequest(
      signedRequest({ params: { created: (NOW_MS + 61_000) / 1000 } }),
      options(),
    );
    assertFailure(result, 'E_SIGNATURE_EXPIRED', 'created', /61 s in the future/);
  });

  it('by the window given in the options', async () => {
    const request = signedRequest({ params: { created: (NOW_MS - 20_000) / 1000 } });
    assertFailure(
      await verifySignedRequest(request, options({ maxAgeMs: 15_000 })),
      'E_SIGNATURE_EXPIRED',
      'created',
    );
    const ahead = signedRequest({ params: { created: (NOW_MS + 5_000) / 1000 } });
    assertFailure(
      await verifySignedRequest(ahead, options({ maxFutureMs: 0 })),
      'E_SIGNATURE_EXPIRED',
      'created',
    );
  });

  it('a signature past its own expires', async () => {
    const result = await verifySignedRequest(
      signedRequest({ params: { expires: NOW_MS / 1000 - 1 } }),
      options(),
    );
    assertFailure(result, 'E_SIGNATURE_EXPIRED', 'expires');
  });
});

describe('verifySignedRequest checks in a fixed order', () => {
  it('headers present before parsing', async () => {
    const request = withHeaders(signedRequest(), { signature: undefined, 'signature-input': 'garbage(' });
    assertFailure(await verifySignedRequest(request, options()), 'E_SIGNATURE_MISSING', 'signature');
  });

  it('parsing before the key lookup', async () => {
    const calls = { findKey: 0, sha256: 0, verify: 0 };
    const request = signedRequest({ params: { keyid: 'nobody', nonce: 'bad nonce' } });
    assertFailure(await verifySignedRequest(request, options({}, calls)), 'E_SIGNATURE_INVALID', 'nonce');
    assert.equal(calls.findKey, 0);
  });

  it('the key before the time window', async () => {
    const request = signedRequest({ params: { keyid: 'revoked-key', created: 1 } });
    assertFailure(await verifySignedRequest(request, options()), 'E_KEY_REVOKED', 'keyid');
  });

  it('the time window before the digest, which is not even computed', async () => {
    const calls = { findKey: 0, sha256: 0, verify: 0 };
    const request = { ...signedRequest({ params: { created: 1 } }), body: new Uint8Array([1]) };
    assertFailure(await verifySignedRequest(request, options({}, calls)), 'E_SIGNATURE_EXPIRED', 'created');
    assert.deepEqual(calls, { findKey: 1, sha256: 0, verify: 0 });
  });

  it('the digest before the signature', async () => {
    const request = {
      ...signedRequest({ privateKey: generateKeyPairSync('ed25519').privateKey }),
      body: new Uint8Array(),
    };
    assertFailure(await verifySignedRequest(request, options()), 'E_SIGNATURE_INVALID', 'content-digest');
  });

  it('uses only the four documented codes', () => {
    assert.deepEqual(SIGNATURE_ERROR_CODES, [
      'E_SIGNATURE_MISSING',
      'E_SIGNATURE_INVALID',
      'E_KEY_REVOKED',
      'E_SIGNATURE_EXPIRED',
    ]);
  });
});
