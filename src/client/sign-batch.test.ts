import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifySignedRequest, type VerifyOptions } from '../core/signing/verify-request.ts';
import { postSignedBatch, signBatch } from './sign-batch.ts';
import { generateSourceKey, writeSourceKeyFile } from './source-key.ts';

// RFC 9421 Appendix B.1.4: test-key-ed25519.
const PRIVATE_PEM = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF
-----END PRIVATE KEY-----
`;
const PUBLIC_SPKI = 'MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=';

const BODY = new TextEncoder().encode('{"kind":"heartbeat"}\n');
const CREATED_MS = 1_700_000_000_987;

const keys = new Map([['test-key-ed25519', { sourceId: 'gw-1', publicKey: PUBLIC_SPKI, revokedAtMs: null }]]);

const verifyOptions = (nowMs: number): VerifyOptions => ({
  nowMs,
  findKey: async (keyId) => keys.get(keyId),
  verifyEd25519: (spki, data, signature) =>
    verify(
      null,
      data,
      createPublicKey({ key: Buffer.from(spki, 'base64'), format: 'der', type: 'spki' }),
      signature,
    ),
  sha256: (bytes) => new Uint8Array(createHash('sha256').update(bytes).digest()),
});

describe('signBatch', () => {
  const headers = signBatch({
    url: 'https://truceline.example/api/v1/observations',
    contentType: 'application/x-ndjson',
    body: BODY,
    keyId: 'test-key-ed25519',
    privateKey: PRIVATE_PEM,
    batchId: 'gw1-000042',
    createdMs: CREATED_MS,
  });

  it('writes the four headers, created in whole seconds', () => {
    assert.deepEqual(Object.keys(headers).sort(), [
      'content-digest',
      'content-type',
      'signature',
      'signature-input',
    ]);
    assert.equal(headers['content-type'], 'application/x-ndjson');
    assert.match(headers['content-digest'] ?? '', /^sha-256=:[A-Za-z0-9+/]{43}=:$/);
    assert.equal(
      headers['signature-input'],
      'sig1=("@method" "@path" "content-type" "content-digest");created=1700000000;keyid="test-key-ed25519";nonce="gw1-000042";alg="ed25519"',
    );
    assert.match(headers.signature ?? '', /^sig1=:[A-Za-z0-9+/]{86}==:$/);
  });

  it('produces what the server-side verification accepts', async () => {
    const result = await verifySignedRequest(
      { method: 'POST', target: '/api/v1/observations', headers, body: BODY },
      verifyOptions(CREATED_MS),
    );
    assert.deepEqual(result.ok && [result.sourceId, result.keyId, result.batchId], [
      'gw-1',
      'test-key-ed25519',
      'gw1-000042',
    ]);
  });

  it('takes a path instead of a URL, and a KeyObject instead of PEM', async () => {
    const fromPath = signBatch({
      path: '/api/v1/observations',
      contentType: 'application/x-ndjson',
      body: BODY,
      keyId: 'test-key-ed25519',
      privateKey: createPrivateKey(PRIVATE_PEM),
      batchId: 'gw1-000042',
      createdMs: CREATED_MS,
    });
    // Ed25519 is deterministic: the same input signs the same.
    assert.deepEqual(fromPath, headers);
  });

  it('signs the path of the URL, not its host', async () => {
    const behindPrefix = signBatch({
      url: 'http://10.0.0.5:8080/truceline/api/v1/observations?via=relay',
      contentType: 'application/x-ndjson',
      body: BODY,
      keyId: 'test-key-ed25519',
      privateKey: PRIVATE_PEM,
      batchId: 'b',
      createdMs: CREATED_MS,
    });
    const request = { method: 'POST', headers: behindPrefix, body: BODY };
    const options = verifyOptions(CREATED_MS);
    assert.equal(
      (await verifySignedRequest({ ...request, target: '/truceline/api/v1/observations?via=relay' }, options))
        .ok,
      true,
    );
    assert.equal(
      (await verifySignedRequest({ ...request, target: '/api/v1/observations' }, options)).ok,
      false,
    );
  });

  const input = {
    path: '/api/v1/observations',
    contentType: 'application/x-ndjson',
    body: BODY,
    keyId: 'k',
    privateKey: PRIVATE_PEM,
  };

  it('refuses a batch id the server would refuse', () => {
    assert.throws(
      () => signBatch({ ...input, batchId: 'has space' }),
      /batch id "has space" must be 1 to 128/,
    );
    assert.throws(() => signBatch({ ...input, batchId: '' }), /must be 1 to 128/);
  });

  it('refuses a key that is not an Ed25519 private key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    assert.throws(() => signBatch({ ...input, batchId: 'b', privateKey: rsa }), /Ed25519 private key/);
    const publicKey = createPublicKey(PRIVATE_PEM);
    assert.throws(() => signBatch({ ...input, batchId: 'b', privateKey: publicKey }), /Ed25519 private key/);
  });
});

describe('postSignedBatch', () => {
  let server: Server;
  let baseUrl: string;
  const received: { url: string | undefined; headers: IncomingMessage['headers'] }[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'truceline-sign-batch-'));
  const gateway = generateSourceKey();
  keys.set(gateway.keyId, { sourceId: 'gw-2', publicKey: gateway.publicKeySpkiB64, revokedAtMs: null });

  before(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ url: request.url, headers: request.headers });
        if (request.url === '/text') {
          response.writeHead(200, { 'content-type': 'text/plain' }).end('plain answer');
          return;
        }
        void verifySignedRequest(
          {
            method: request.method ?? '',
            target: request.url ?? '',
            headers: request.headers,
            body: Buffer.concat(chunks),
          },
          verifyOptions(Date.now()),
        ).then((result) => {
          const [status, answer] = result.ok
            ? [
                200,
                {
                  accepted: 1,
                  duplicates: 0,
                  conflicts: 0,
                  rejected: 0,
                  batchId: result.batchId,
                  source: result.sourceId,
                },
              ]
            : [401, { code: result.code, message: result.message }];
          response
            .writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
            .end(JSON.stringify(answer));
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(scratch, { recursive: true, force: true });
  });

  it('signs with a key file and sends; the server verifies it', async () => {
    const keyFile = join(scratch, 'gw-2.key');
    await writeSourceKeyFile(keyFile, {
      sourceId: 'gw-2',
      keyId: gateway.keyId,
      privateKeyPem: gateway.privateKeyPem,
    });
    const result = await postSignedBatch({
      baseUrl: `${baseUrl}/`,
      keyFile,
      contentType: 'application/x-ndjson',
      body: '{"kind":"heartbeat"}\n',
      batchId: 'gw2-1',
    });
    assert.equal(result.status, 200);
    assert.deepEqual(result.body, {
      accepted: 1,
      duplicates: 0,
      conflicts: 0,
      rejected: 0,
      batchId: 'gw2-1',
      source: 'gw-2',
    });
    assert.equal(received.at(-1)?.url, '/api/v1/observations');
  });

  it('signs with a key and key id, and makes up a UUID batch id', async () => {
    const result = await postSignedBatch({
      baseUrl,
      key: PRIVATE_PEM,
      keyId: 'test-key-ed25519',
      contentType: 'application/json',
      body: BODY,
    });
    assert.equal(result.status, 200);
    assert.match(result.batchId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal((result.body as { batchId: string }).batchId, result.batchId);
    assert.equal(received.at(-1)?.headers['content-type'], 'application/json');
  });

  it("returns the server's refusal as it came", async () => {
    const result = await postSignedBatch({
      baseUrl,
      key: PRIVATE_PEM,
      keyId: 'nobody',
      contentType: 'application/json',
      body: BODY,
    });
    assert.equal(result.status, 401);
    assert.deepEqual(result.body, { code: 'E_KEY_REVOKED', message: 'unknown key id "nobody"' });
  });

  it('returns an answer that is not JSON as text', async () => {
    const fetchText: typeof fetch = (_url, init) => fetch(`${baseUrl}/text`, init);
    const result = await postSignedBatch({
      baseUrl,
      key: PRIVATE_PEM,
      keyId: 'k',
      contentType: 'application/json',
      body: BODY,
      fetch: fetchText,
    });
    assert.deepEqual([result.status, result.body], [200, 'plain answer']);
  });

  it('fails before sending when the key file is unusable', async () => {
    await assert.rejects(
      postSignedBatch({
        baseUrl,
        keyFile: join(scratch, 'absent.key'),
        contentType: 'application/json',
        body: BODY,
      }),
      { code: 'ENOENT' },
    );
  });
});
