// The live stream checks its reader's credentials as it goes, not only when it opens: a stream whose
// token is revoked, or whose account is disabled, ends with a `closed` message, and carries nothing
// committed after it; another reader's stream goes on.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { revokeToken } from '../../src/application/access/create-token.ts';
import { startHarness, type Harness } from '../helpers/app-harness.ts';
import { listenToStream } from '../helpers/stream-listener.ts';

let h: Harness;
let base: string;
before(async () => {
  h = await startHarness({
    stream: { heartbeatMs: 500, pollMs: 100, batch: 20, credentialCheckMs: 100 },
    sources: [{ id: 'ac-1', kind: 'acoustic' }],
  });
  base = await h.app.listen({ port: 0, host: '127.0.0.1' });
});
after(() => h.close());

let records = 0;
const post = async (): Promise<string> => {
  records += 1;
  const id = `ac-1-${records}`;
  const response = await h.inject({
    method: 'POST',
    url: '/api/v1/observations',
    payload: [
      {
        id,
        sourceId: 'ac-1',
        kind: 'acoustic',
        observedAt: '2026-03-01T10:00:00Z',
        timeUncertaintyMs: 20,
        location: { lat: 48, lon: 37.8, ceM: 10 },
        payload: { signal: 'launch' },
      },
    ],
  });
  assert.equal(response.statusCode, 200, response.body);
  return id;
};

const until = async (what: string, check: () => boolean): Promise<void> => {
  for (let waited = 0; waited < 5_000; waited += 20) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`${what} did not happen within 5 s`);
};

test('a stream whose token is revoked ends with a closed message; another reader’s goes on', async () => {
  const token = await h.tokenFor({ orgId: 'mission', kind: 'mission', role: 'analyst' });
  const revoked = await listenToStream(base, token);
  const other = await listenToStream(base, h.analystToken);
  const before = await post();
  await until('both streams carrying the first record', () =>
    [revoked, other].every((s) => s.received.includes(`"id":"${before}"`)),
  );

  await revokeToken(h.deps, token);
  await Promise.race([
    revoked.done,
    new Promise((_, reject) => setTimeout(() => reject(new Error('the stream did not end')), 5_000)),
  ]);
  assert.match(revoked.received, /event: closed\ndata: \{"code":"E_TOKEN_EXPIRED",/);
  const afterRevocation = await post();
  await until('the other stream carrying the next record', () =>
    other.received.includes(`"id":"${afterRevocation}"`),
  );
  assert.equal(revoked.received.includes(afterRevocation), false);
  assert.equal(other.received.includes('event: closed'), false);
  other.abort.abort();
  await other.done;

  // Reconnecting with the revoked token is refused.
  const again = await fetch(`${base}/api/v1/stream`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(again.status, 401);
  await again.body?.cancel();
});
