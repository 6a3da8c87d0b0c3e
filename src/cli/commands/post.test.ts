import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateSourceKey, writeSourceKeyFile } from '../../client/source-key.ts';
import { type SigningKeyRecord, verifySignedRequest } from '../../core/signing/verify-request.ts';
import { postCommand, type PostArgs } from './post.ts';

const sha256 = (bytes: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(bytes).digest());

const active = generateSourceKey();
const revoked = generateSourceKey();
const keys = new Map<string, SigningKeyRecord>([
  [active.keyId, { sourceId: 'gw-3', publicKey: active.publicKeySpkiB64, revokedAtMs: null }],
  [revoked.keyId, { sourceId: 'gw-4', publicKey: revoked.publicKeySpkiB64, revokedAtMs: 1_000 }],
]);

const NDJSON = '{"kind":"heartbeat","n":1}\n{"kind":"heartbeat","n":2}\n';

/** A stand-in for the ingest route: verifies the signature, then answers as the real route would. */
interface Received {
  path: string | undefined;
  batchId?: string;
  bodySha256: string;
}
const received: Received[] = [];
let server: Server;
let baseUrl: string;

const scratch = mkdtempSync(join(tmpdir(), 'truceline-post-'));
const activeKeyFile = join(scratch, 'gw-3.key');
const revokedKeyFile = join(scratch, 'gw-4.key');
const dataFile = join(scratch, 'batch.ndjson');

before(async () => {
  await writeSourceKeyFile(activeKeyFile, {
    sourceId: 'gw-3',
    keyId: active.keyId,
    privateKeyPem: active.privateKeyPem,
  });
  await writeSourceKeyFile(revokedKeyFile, {
    sourceId: 'gw-4',
    keyId: revoked.keyId,
    privateKeyPem: revoked.privateKeyPem,
  });
  writeFileSync(dataFile, NDJSON);
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      void verifySignedRequest(
        { method: request.method ?? '', target: request.url ?? '', headers: request.headers, body },
        {
          nowMs: Date.now(),
          findKey: async (keyId) => keys.get(keyId),
          verifyEd25519: (spki, data, signature) =>
            verify(
              null,
              data,
              createPublicKey({ key: Buffer.from(spki, 'base64'), format: 'der', type: 'spki' }),
              signature,
            ),
          sha256,
        },
      ).then((result) => {
        received.push({
          path: request.url,
          bodySha256: createHash('sha256').update(body).digest('hex'),
          ...(result.ok ? { batchId: result.batchId } : {}),
        });
        const [status, answer] = result.ok
          ? [200, { accepted: 2, duplicates: 0, conflicts: 0, rejected: 0, rejections: [], lastSeq: 7 }]
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

async function run(args: Partial<PostArgs>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await postCommand(
    { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
    { keyFile: activeKeyFile, sourceId: 'gw-3', url: baseUrl, json: false, file: dataFile, ...args },
  );
  return { code, stdout, stderr };
}

describe('truceline post', () => {
  it('signs the file, sends it byte for byte, prints the counts and exits 0', async () => {
    const { code, stdout, stderr } = await run({ batchId: 'gw3-0001' });
    assert.equal(code, 0, stderr);
    assert.equal(stdout, 'accepted 2, duplicates 0, conflicts 0, rejected 0\n');
    assert.equal(stderr, `batch gw3-0001 sent as gw-3 with key ${active.keyId}: HTTP 200\n`);
    assert.deepEqual(received.at(-1), {
      path: '/api/v1/observations',
      batchId: 'gw3-0001',
      bodySha256: createHash('sha256').update(NDJSON).digest('hex'),
    });
  });

  it("with --json, prints the server's answer on stdout", async () => {
    const { code, stdout } = await run({ json: true, url: `${baseUrl}/` });
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), {
      accepted: 2,
      duplicates: 0,
      conflicts: 0,
      rejected: 0,
      rejections: [],
      lastSeq: 7,
    });
  });

  it("prints the server's error code and message and exits 1 when refused", async () => {
    const { code, stdout, stderr } = await run({ keyFile: revokedKeyFile, sourceId: 'gw-4', batchId: 'b-9' });
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(
      stderr,
      /^truceline post: the server refused batch b-9 \(HTTP 401\): E_KEY_REVOKED: key "ed25519-[0-9a-f]{16}" of source "gw-4" was revoked at 1970-01-01T00:00:01.000Z\n$/,
    );
  });

  it("with --json, prints the server's refusal on stdout too", async () => {
    const { code, stdout } = await run({ keyFile: revokedKeyFile, sourceId: 'gw-4', json: true });
    assert.equal(code, 1);
    assert.equal((JSON.parse(stdout) as { code: string }).code, 'E_KEY_REVOKED');
  });

  it("refuses, without sending, when --source disagrees with the key file's source", async () => {
    const before = received.length;
    const { code, stdout, stderr } = await run({ sourceId: 'gw-4' });
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(
      stderr,
      /--source gw-4 disagrees with the key file .*gw-3\.key, which is the key of source gw-3; nothing was sent/,
    );
    assert.equal(received.length, before);
  });

  it('sends with a bare PEM key file, which names no source', async () => {
    const bare = join(scratch, 'bare.key');
    writeFileSync(bare, active.privateKeyPem);
    const { code } = await run({ keyFile: bare, sourceId: 'gw-3' });
    assert.equal(code, 0);
  });

  it('says so and exits 1 when the data file is missing', async () => {
    const { code, stderr } = await run({ file: join(scratch, 'absent.ndjson') });
    assert.equal(code, 1);
    assert.match(stderr, /^truceline post: cannot read .*absent\.ndjson: ENOENT/);
  });

  it('says so and exits 1 when the key file is missing or not a key', async () => {
    const missing = await run({ keyFile: join(scratch, 'absent.key') });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^truceline post: cannot use key file .*absent\.key: ENOENT/);
    const notKey = join(scratch, 'not-a.key');
    writeFileSync(notKey, 'hello\n');
    const bad = await run({ keyFile: notKey });
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /cannot use key file .*not-a\.key: line 1 is neither a "#" comment nor the start of a PEM key/,
    );
  });

  it('says so and exits 1 when the server cannot be reached or the URL is wrong', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await run({ url: `http://127.0.0.1:${port}` });
    assert.equal(unreachable.code, 1);
    assert.match(
      unreachable.stderr,
      /cannot send to http:\/\/127\.0\.0\.1:\d+: fetch failed: .*ECONNREFUSED/,
    );
    const wrong = await run({ url: 'not a url' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /cannot send to not a url: Invalid URL/);
  });
});
