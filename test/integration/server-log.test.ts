// The server's log holds every failure of its own — an answer of 500 or 503 — with its cause, for the
// operators: the client is told only the code and message. Requests that succeed write nothing.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { startHarness } from '../helpers/app-harness.ts';

test('a failure of the server is answered with its code and logged; a request that succeeds is not', async () => {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const h = await startHarness({ logger: { level: 'info', stream } });
  try {
    const ok = await h.inject({ url: '/api/v1/sources' });
    assert.equal(ok.statusCode, 200);
    assert.equal(lines.length, 0, `a request that succeeds writes nothing: ${JSON.stringify(lines)}`);
    // A key file others may read: the server refuses to sign with it (E_LEDGER_KEY, 500).
    writeFileSync(`${h.dbPath}.ledger-key`, 'not a key\n', { mode: 0o644 });
    const failed = await h.inject({ url: '/api/v1/ledger/checkpoint', anonymous: true });
    assert.equal(failed.statusCode, 500, failed.body);
    const body = failed.json<{ code: string; message: string }>();
    assert.equal(body.code, 'E_LEDGER_KEY');
    const logged = lines.filter((l) => l.level === 50);
    assert.equal(logged.length, 1, JSON.stringify(lines));
    const err = logged[0]?.err as { code?: string; message?: string; stack?: string } | undefined;
    assert.equal(err?.code, 'E_LEDGER_KEY');
    assert.equal(err.message, body.message);
    assert.ok(
      typeof err.stack === 'string' && err.stack.length > body.message.length,
      'with where it failed',
    );
  } finally {
    await h.close();
  }
});
