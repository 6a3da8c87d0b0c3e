// `truceline post` as a gateway operator runs it: the source registered and its key made with the CLI,
// then NDJSON files signed and sent to a real listening server (in this process, on the same SQLite
// file), with a resend under the same batch id and a different file under it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/build-app.ts';
import type { AppDeps } from '../../src/application/app-deps.ts';
import { assemble, openStore } from '../../src/main.ts';
import { runCli } from '../helpers/cli.ts';

const observation = (id: string) =>
  JSON.stringify({
    id,
    sourceId: 'gw-post',
    kind: 'acoustic',
    observedAt: new Date(Date.now() - 120_000).toISOString(),
    timeUncertaintyMs: 10,
    location: { lat: 48.2, lon: 37.9, ceM: 5 },
    payload: { signal: 'impact' },
  });

describe('truceline post against a real server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'truceline-post-command-'));
  const db = join(dir, 'post.db');
  const keyFile = join(dir, 'gw-post.key');
  const batchFile = join(dir, 'batch.ndjson');
  const otherFile = join(dir, 'other.ndjson');
  let deps: AppDeps;
  let app: FastifyInstance;
  let base: string;
  let keyId: string;

  before(async () => {
    const sources = join(dir, 'sources.json');
    writeFileSync(sources, JSON.stringify({ id: 'gw-post', kind: 'acoustic', organisation: 'mission' }));
    const registered = await runCli(['sources', 'register', sources, '--db', db]);
    assert.equal(registered.code, 0, registered.stderr);
    const keygen = await runCli(['sources', 'keygen', '--source', 'gw-post', '--out', keyFile, '--db', db]);
    assert.equal(keygen.code, 0, keygen.stderr);
    keyId = keygen.stdout.trim();
    assert.match(keyId, /^ed25519-[0-9a-f]{16}$/);
    writeFileSync(batchFile, `${observation('p-1')}\n${observation('p-2')}\n${observation('p-3')}\n`);
    writeFileSync(otherFile, `${observation('p-4')}\n`);

    deps = assemble(await openStore({ db }), {
      ledgerKey: `${db}.ledger-key`,
      attachments: `${db}.attachments`,
    });
    app = await buildApp(deps);
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });

  after(async () => {
    await app.close();
    await deps.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (file: string, batchId: string) =>
    runCli(['post', '--key', keyFile, '--source', 'gw-post', '--url', base, '--batch-id', batchId, file]);

  test('a signed NDJSON file is stored; its resend is duplicates; another file under its batch id is refused', async () => {
    const sent = await post(batchFile, 'gw-post-batch-1');
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stdout, /accepted 3, duplicates 0, conflicts 0, rejected 0/);
    assert.match(
      sent.stderr,
      new RegExp(`batch gw-post-batch-1 sent as gw-post with key ${keyId}: HTTP 200`),
    );
    assert.equal(await deps.store.observations.count(), 3);
    const submission = await deps.store.observations.findSubmission('gw-post', 'gw-post-batch-1');
    assert.ok(submission !== undefined, 'the signed request is kept');
    assert.equal(submission.keyId, keyId);
    for (const id of ['p-1', 'p-2', 'p-3'])
      assert.ok((await deps.store.observations.findByRecordId('gw-post', id)) !== undefined, id);

    const resent = await post(batchFile, 'gw-post-batch-1');
    assert.equal(resent.code, 0, resent.stderr);
    assert.match(resent.stdout, /accepted 0, duplicates 3, conflicts 0, rejected 0/);
    assert.equal(await deps.store.observations.count(), 3, 'nothing stored again');

    const reused = await post(otherFile, 'gw-post-batch-1');
    assert.equal(reused.code, 1, reused.stdout);
    assert.match(reused.stderr, /E_NONCE_REUSED/);
    assert.match(reused.stderr, /HTTP 409/);
    assert.equal(await deps.store.observations.count(), 3, 'nothing of the other file stored');
    assert.equal(await deps.store.observations.findByRecordId('gw-post', 'p-4'), undefined);
  });
});
