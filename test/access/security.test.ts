// The ways in, tried the wrong way: every refusal is a clear error with its documented code, and a
// refused batch leaves nothing stored (no observation, no quarantined record, no submission).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { revokeToken } from '../../src/application/access/create-token.ts';
import { createUser } from '../../src/application/access/create-user.ts';
import { revokeSourceKey } from '../../src/application/manage-source-keys.ts';
import { signBatch } from '../../src/client/sign-batch.ts';
import { startHarness, TestClock, type Harness, type SourceKeyPair } from '../helpers/app-harness.ts';

const URL_PATH = '/api/v1/observations';
const BODY_LIMIT = 256 * 1024;

let recordCounter = 0;
const record = (sourceId: string, extra: Record<string, unknown> = {}): Record<string, unknown> => {
  recordCounter += 1;
  return {
    id: `sec-${recordCounter}`,
    sourceId,
    kind: 'acoustic',
    observedAt: new Date(Date.now() - 60_000).toISOString(),
    timeUncertaintyMs: 10,
    location: { lat: 48.1, lon: 37.7, ceM: 5 },
    payload: { signal: 'impact' },
    ...extra,
  };
};

interface ErrorBody {
  code: string;
  message: string;
  issues?: { path: string; reason: string }[];
}

/** What the store holds: stored observations, quarantined records, the last commit sequence. */
interface Counts {
  observations: number;
  quarantined: number;
  latestSeq: number;
}

describe('security: refusals are clear and store nothing', () => {
  let h: Harness;
  let key: SourceKeyPair;

  before(async () => {
    h = await startHarness({ sources: [{ id: 'ac-1', kind: 'acoustic' }], bodyLimitBytes: BODY_LIMIT });
    const pair = h.keys.get('ac-1');
    assert.ok(pair !== undefined);
    key = pair;
    const baseline = await h.inject({
      method: 'POST',
      url: URL_PATH,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify([record('ac-1')]),
    });
    assert.equal(baseline.statusCode, 200, baseline.body);
  });
  after(() => h.close());

  const counts = async (): Promise<Counts> => ({
    observations: await h.deps.store.observations.count(),
    quarantined: await h.deps.store.observations.countQuarantine(),
    latestSeq: await h.deps.store.observations.latestSeq(),
  });

  /** POSTs `body` with the headers of a signature made over `signedBody` (default: the body itself). */
  const postSigned = (
    body: string,
    options: {
      batchId: string;
      signedBody?: string;
      createdMs?: number;
      contentType?: string;
      signer?: SourceKeyPair;
    },
  ): Promise<LightMyRequestResponse> => {
    const signer = options.signer ?? key;
    const contentType = options.contentType ?? 'application/json';
    const headers = signBatch({
      path: URL_PATH,
      contentType,
      body: Buffer.from(options.signedBody ?? body),
      keyId: signer.keyId,
      privateKey: signer.privateKeyPem,
      batchId: options.batchId,
      createdMs: options.createdMs ?? h.deps.clock.now(),
    });
    return h.app.inject({ method: 'POST', url: URL_PATH, headers, payload: Buffer.from(body) });
  };

  /** The answer is the error `code` with `status`, and nothing of batch `batchId` was stored. */
  const refused = async (
    response: LightMyRequestResponse,
    status: number,
    code: string,
    before: Counts,
    batchId?: string,
  ): Promise<ErrorBody> => {
    assert.equal(response.statusCode, status, response.body);
    const body = response.json<ErrorBody>();
    assert.equal(body.code, code, response.body);
    assert.ok(body.message.length > 0);
    assert.deepEqual(await counts(), before, 'nothing was stored');
    if (batchId !== undefined)
      assert.equal(await h.deps.store.observations.findSubmission('ac-1', batchId), undefined);
    return body;
  };

  test('a token alone, without a signature: 401 E_SIGNATURE_MISSING', async () => {
    const before = await counts();
    const response = await h.inject({
      method: 'POST',
      url: URL_PATH,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify([record('ac-1')]),
      unsigned: true,
    });
    await refused(response, 401, 'E_SIGNATURE_MISSING', before);
  });

  test('a tampered body: 401 E_SIGNATURE_INVALID', async () => {
    const before = await counts();
    const original = record('ac-1');
    const signed = JSON.stringify([original]);
    const tampered = JSON.stringify([{ ...original, payload: { signal: 'launch' } }]);
    const response = await postSigned(tampered, { batchId: 'sec-tampered', signedBody: signed });
    await refused(response, 401, 'E_SIGNATURE_INVALID', before, 'sec-tampered');
  });

  test('a revoked key: 401 E_KEY_REVOKED', async () => {
    const revoked = await h.addSource({ id: 'ac-revoked', kind: 'acoustic' });
    await revokeSourceKey(h.deps, { sourceId: 'ac-revoked', keyId: revoked.keyId, compromisedAtMs: null });
    const before = await counts();
    const response = await postSigned(JSON.stringify([record('ac-revoked')]), {
      batchId: 'sec-revoked',
      signer: revoked,
    });
    await refused(response, 401, 'E_KEY_REVOKED', before);
    assert.equal(await h.deps.store.observations.findSubmission('ac-revoked', 'sec-revoked'), undefined);
  });

  test('a batch id reused with another body: 409 E_NONCE_REUSED; an identical resend: duplicates', async () => {
    const first = JSON.stringify([record('ac-1'), record('ac-1')]);
    const accepted = await postSigned(first, { batchId: 'sec-nonce' });
    assert.equal(accepted.statusCode, 200, accepted.body);
    assert.equal(accepted.json<{ accepted: number }>().accepted, 2);
    const stored = await h.deps.store.observations.findSubmission('ac-1', 'sec-nonce');
    assert.ok(stored !== undefined);
    const after = await counts();

    const other = JSON.stringify([record('ac-1')]);
    const reused = await postSigned(other, { batchId: 'sec-nonce' });
    assert.equal(reused.statusCode, 409, reused.body);
    assert.equal(reused.json<ErrorBody>().code, 'E_NONCE_REUSED');
    assert.deepEqual(await counts(), after, 'nothing was stored');
    assert.equal(
      Buffer.from(
        (await h.deps.store.observations.findSubmission('ac-1', 'sec-nonce'))?.body ?? [],
      ).toString(),
      first,
      'the stored submission is still the first body',
    );

    const resend = await postSigned(first, { batchId: 'sec-nonce' });
    assert.equal(resend.statusCode, 200, resend.body);
    const report = resend.json<{ accepted: number; duplicates: number; rejected: number }>();
    assert.deepEqual(
      { accepted: report.accepted, duplicates: report.duplicates, rejected: report.rejected },
      { accepted: 0, duplicates: 2, rejected: 0 },
    );
    assert.deepEqual(await counts(), after, 'nothing new was stored');
  });

  test('a signature created outside the window (too old, too far ahead): 401 E_SIGNATURE_EXPIRED', async () => {
    const before = await counts();
    const now = h.deps.clock.now();
    const old = await postSigned(JSON.stringify([record('ac-1')]), {
      batchId: 'sec-old',
      createdMs: now - 6 * 60_000,
    });
    await refused(old, 401, 'E_SIGNATURE_EXPIRED', before, 'sec-old');
    const ahead = await postSigned(JSON.stringify([record('ac-1')]), {
      batchId: 'sec-ahead',
      createdMs: now + 3 * 60_000,
    });
    await refused(ahead, 401, 'E_SIGNATURE_EXPIRED', before, 'sec-ahead');
  });

  test('a body over the limit: 413 E_PAYLOAD_TOO_LARGE', async () => {
    const before = await counts();
    const records = Array.from({ length: 2000 }, () => record('ac-1'));
    const body = JSON.stringify(records);
    assert.ok(body.length > BODY_LIMIT);
    const response = await postSigned(body, { batchId: 'sec-large' });
    await refused(response, 413, 'E_PAYLOAD_TOO_LARGE', before, 'sec-large');
  });

  test('a 100 KB text field in a body under the limit is rejected, naming the field', async () => {
    const before = await counts();
    const body = JSON.stringify([record('ac-1', { text: 'x'.repeat(100_000) })]);
    assert.ok(body.length < BODY_LIMIT);
    const response = await postSigned(body, { batchId: 'sec-text' });
    assert.ok(response.statusCode === 200 || response.statusCode === 400, response.body.slice(0, 500));
    const answer = response.json<{
      accepted?: number;
      rejected?: number;
      rejections?: { issues: { path: string }[] }[];
      issues?: { path: string }[];
    }>();
    const paths = [...(answer.issues ?? []), ...(answer.rejections ?? []).flatMap((r) => r.issues)].map(
      (i) => i.path,
    );
    assert.ok(
      paths.some((p) => p === 'text' || p.endsWith('.text')),
      `the rejection names text: ${JSON.stringify(paths)}`,
    );
    if (response.statusCode === 200) assert.equal(answer.accepted, 0);
    assert.equal(await h.deps.store.observations.count(), before.observations, 'no observation stored');
    assert.ok(response.body.length < 10_000, 'the 100 KB text is not echoed back');
  });

  test('application/xml to ingest: 415 E_UNSUPPORTED_MEDIA_TYPE', async () => {
    const before = await counts();
    const xml = '<?xml version="1.0"?><observations><observation id="x"/></observations>';
    const response = await postSigned(xml, { batchId: 'sec-xml', contentType: 'application/xml' });
    await refused(response, 415, 'E_UNSUPPORTED_MEDIA_TYPE', before, 'sec-xml');
  });

  test('security headers on answers, errors included', async () => {
    const answers = [
      await h.inject({ method: 'GET', url: '/healthz', anonymous: true }),
      await h.inject({ method: 'GET', url: '/api/v1/observations?limit=1' }),
      await h.inject({ method: 'GET', url: '/api/v1/observations', anonymous: true }),
    ];
    assert.deepEqual(
      answers.map((a) => a.statusCode),
      [200, 200, 401],
    );
    for (const answer of answers) {
      assert.equal(answer.headers['x-content-type-options'], 'nosniff');
      assert.match(String(answer.headers['content-security-policy']), /default-src 'self'/);
      assert.ok(answer.headers['strict-transport-security'] !== undefined);
      assert.ok(answer.headers['x-frame-options'] !== undefined);
    }
    // The live stream writes its own head (it is hijacked from Fastify): it must carry them too.
    const base = await h.app.listen({ port: 0, host: '127.0.0.1' });
    const abort = new AbortController();
    try {
      const stream = await fetch(`${base}/api/v1/stream`, { signal: abort.signal });
      assert.equal(stream.status, 200);
      assert.equal(stream.headers.get('x-content-type-options'), 'nosniff');
      assert.match(stream.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    } finally {
      abort.abort();
    }
  });

  test('web sign-in: a secure cookie, the session reads, and signing out needs the CSRF token', async () => {
    const password = 'a long enough password';
    await createUser(h.deps, { orgId: 'mission', role: 'analyst', name: 'web-analyst', password });
    const wrong = await h.inject({
      method: 'POST',
      url: '/auth/login',
      anonymous: true,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'web-analyst', password: 'not the password' }),
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json<ErrorBody>().code, 'E_UNAUTHENTICATED');
    assert.equal(wrong.headers['set-cookie'], undefined);

    const login = await h.inject({
      method: 'POST',
      url: '/auth/login',
      anonymous: true,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'web-analyst', password }),
    });
    assert.equal(login.statusCode, 200, login.body);
    const setCookie = String(login.headers['set-cookie']);
    assert.match(setCookie, /^tl_session=[^;]+;/);
    assert.match(setCookie, /;\s*HttpOnly/i);
    assert.match(setCookie, /;\s*Secure/i);
    assert.match(setCookie, /;\s*SameSite=Strict/i);
    const cookie = setCookie.split(';')[0] ?? '';
    const { csrfToken } = login.json<{ csrfToken: string }>();
    assert.ok(csrfToken.length > 0);

    const me = await h.inject({ method: 'GET', url: '/api/v1/me', anonymous: true, headers: { cookie } });
    assert.equal(me.statusCode, 200, me.body);
    assert.deepEqual(me.json(), login.json<{ me: unknown }>().me, 'sign-in says who the session is');
    assert.deepEqual(
      (({ name, role, via }) => ({ name, role, via }))(
        me.json<{ name: string; role: string; via: string }>(),
      ),
      { name: 'web-analyst', role: 'analyst', via: 'session' },
    );

    const noCsrf = await h.inject({
      method: 'POST',
      url: '/auth/logout',
      anonymous: true,
      headers: { cookie },
    });
    assert.equal(noCsrf.statusCode, 403, noCsrf.body);
    assert.equal(noCsrf.json<ErrorBody>().code, 'E_CSRF');
    const badCsrf = await h.inject({
      method: 'POST',
      url: '/auth/logout',
      anonymous: true,
      headers: { cookie, 'x-csrf-token': 'not-the-token' },
    });
    assert.equal(badCsrf.statusCode, 403, badCsrf.body);

    const logout = await h.inject({
      method: 'POST',
      url: '/auth/logout',
      anonymous: true,
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    assert.equal(logout.statusCode, 204, logout.body);
    const gone = await h.inject({ method: 'GET', url: '/api/v1/me', anonymous: true, headers: { cookie } });
    assert.equal(gone.statusCode, 401, 'the session ended');
  });

  test("an analyst's read of observations is in the record of reads", async () => {
    const analyst = await h.deps.store.access.findUserByName('analyst');
    assert.ok(analyst !== undefined);
    const startedMs = h.deps.clock.now();
    const read = await h.inject({ method: 'GET', url: '/api/v1/observations?limit=5' });
    assert.equal(read.statusCode, 200);
    const seqs = read.json<{ items: { seq: number }[] }>().items.map((i) => `observation:${i.seq}`);
    assert.ok(seqs.length > 0);
    // Reads are written at most a second late.
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    const reads = await h.deps.store.access.listReads({ afterMs: startedMs - 1, limit: 100 });
    const entry = reads.find(
      (r) => r.route === 'GET /api/v1/observations?limit=5' && r.userId === analyst.id,
    );
    assert.ok(entry !== undefined, `no read recorded: ${JSON.stringify(reads)}`);
    assert.equal(entry.orgId, 'mission');
    assert.deepEqual([...entry.records].sort(), [...seqs].sort());
  });
});

/** A batch from another address naming `keyId`, with a signature that does not verify. */
const forged = (h: Harness, keyId: string, records: Record<string, unknown>[]) =>
  h.app.inject({
    method: 'POST',
    url: URL_PATH,
    remoteAddress: '10.9.9.9',
    headers: {
      'content-type': 'application/json',
      'signature-input': `sig1=("@method");keyid="${keyId}";alg="ed25519"`,
      signature: 'sig1=:AAAA:',
    },
    payload: JSON.stringify(records),
  });

describe('security: tokens and rate limits', () => {
  test('an expired token and a revoked token: 401 E_TOKEN_EXPIRED', async () => {
    const clock = new TestClock(Date.now());
    const h = await startHarness({ clock });
    try {
      const expiring = await h.tokenFor({ orgId: 'mission', kind: 'mission', role: 'monitor' });
      const revoked = await h.tokenFor({ orgId: 'mission', kind: 'mission', role: 'verifier' });
      const me = (token: string) =>
        h.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
      assert.equal((await me(expiring)).statusCode, 200);
      assert.equal((await me(revoked)).statusCode, 200);

      await revokeToken(h.deps, revoked);
      const afterRevoke = await me(revoked);
      assert.equal(afterRevoke.statusCode, 401, afterRevoke.body);
      assert.equal(afterRevoke.json<ErrorBody>().code, 'E_TOKEN_EXPIRED');
      assert.match(afterRevoke.json<ErrorBody>().message, /revoked/);

      // Tokens from tokenFor live a day.
      clock.ms += 24 * 3_600_000 + 1;
      const expired = await me(expiring);
      assert.equal(expired.statusCode, 401, expired.body);
      assert.equal(expired.json<ErrorBody>().code, 'E_TOKEN_EXPIRED');
      assert.match(expired.json<ErrorBody>().message, /expired/);
    } finally {
      await h.close();
    }
  });

  test("a token's scopes limit it: an administrator's read-only token may not register a source", async () => {
    const h = await startHarness();
    try {
      const register = (token: string) =>
        h.inject({
          method: 'POST',
          url: '/api/v1/sources',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          payload: JSON.stringify({ id: 'cam-scoped', kind: 'camera', organisation: 'mission' }),
        });
      const readOnly = await h.tokenFor({ orgId: 'mission', kind: 'mission', role: 'admin', scopes: 'read' });
      const refused = await register(readOnly);
      assert.equal(refused.statusCode, 403, refused.body);
      assert.equal(refused.json<ErrorBody>().code, 'E_FORBIDDEN');
      assert.equal(await h.deps.store.sources.find('cam-scoped'), undefined);
      const full = await h.tokenFor({
        orgId: 'mission',
        kind: 'mission',
        role: 'admin',
        scopes: 'read,admin',
      });
      assert.equal((await register(full)).statusCode, 201);
    } finally {
      await h.close();
    }
  });

  test('the fourth request a minute on a token limited to three: 429 E_RATE_LIMITED with Retry-After', async () => {
    const h = await startHarness({ rateLimits: { perToken: 3 } });
    try {
      for (let i = 0; i < 3; i++)
        assert.equal((await h.inject({ method: 'GET', url: '/api/v1/me' })).statusCode, 200);
      const limited = await h.inject({ method: 'GET', url: '/api/v1/me' });
      assert.equal(limited.statusCode, 429, limited.body);
      assert.equal(limited.json<ErrorBody>().code, 'E_RATE_LIMITED');
      const retryAfter = Number(limited.headers['retry-after']);
      assert.ok(
        Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 60,
        `retry-after ${retryAfter}`,
      );
      // Another token is counted apart.
      const other = await h.tokenFor({ orgId: 'mission', kind: 'mission', role: 'monitor' });
      const fresh = await h.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: { authorization: `Bearer ${other}` },
      });
      assert.equal(fresh.statusCode, 200);
    } finally {
      await h.close();
    }
  });

  test('a made-up key id opens no budget of its own: it spends its address’s', async () => {
    const h = await startHarness({ rateLimits: { perAddress: 3 } });
    try {
      const answers: number[] = [];
      for (let i = 0; i < 5; i++)
        answers.push(
          (
            await h.inject({
              url: '/healthz',
              anonymous: true,
              headers: { 'signature-input': `sig1=();keyid="made-up-${i}"` },
            })
          ).statusCode,
        );
      assert.deepEqual(answers, [200, 200, 200, 429, 429]);
    } finally {
      await h.close();
    }
  });

  test('past its failed authentications a minute, an address may not sign in, and a failing credential gets 429', async () => {
    const h = await startHarness({ rateLimits: { failedAuthPerAddress: 3 } });
    try {
      const withToken = (token: string) =>
        h.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
      // Requests offering no credential are not failures.
      for (let i = 0; i < 5; i++)
        assert.equal((await h.inject({ url: '/api/v1/me', anonymous: true })).statusCode, 401);
      const answers: number[] = [];
      for (let i = 0; i < 4; i++) answers.push((await withToken(`tl_guess${i}`)).statusCode);
      assert.deepEqual(answers, [401, 401, 401, 429]);
      const limited = await withToken('tl_guess-again');
      assert.equal(limited.json<ErrorBody>().code, 'E_RATE_LIMITED');
      const retryAfter = Number(limited.headers['retry-after']);
      assert.ok(retryAfter > 0 && retryAfter <= 60, `retry-after ${retryAfter}`);
      // A password may not be tried from it any more; a credential that holds still works.
      const login = await h.inject({
        method: 'POST',
        url: '/auth/login',
        anonymous: true,
        payload: { name: 'nobody', password: 'wrong' },
      });
      assert.equal(login.statusCode, 429);
      assert.equal((await withToken(h.analystToken)).statusCode, 200);
    } finally {
      await h.close();
    }
  });

  test("a stranger naming a sensor's key id spends its own requests, not the sensor's", async () => {
    const h = await startHarness({
      rateLimits: { perSourceKey: 3 },
      sources: [{ id: 'ac-rl', kind: 'acoustic' }],
    });
    try {
      const keyId = h.keys.get('ac-rl')?.keyId ?? '';
      const strangers: number[] = [];
      for (let i = 0; i < 4; i++) strangers.push((await forged(h, keyId, [record('ac-rl')])).statusCode);
      assert.deepEqual(strangers, [401, 401, 401, 429]);
      // The sensor, from its own address, still has its three.
      const post = () =>
        h.inject({
          method: 'POST',
          url: URL_PATH,
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify([record('ac-rl')]),
        });
      const own: number[] = [];
      for (let i = 0; i < 4; i++) own.push((await post()).statusCode);
      assert.deepEqual(own, [200, 200, 200, 429]);
    } finally {
      await h.close();
    }
  });

  test('a source key past its records a minute: 429 with Retry-After and nothing stored, until the next minute', async () => {
    const clock = new TestClock(Date.now());
    const h = await startHarness({
      clock,
      rateLimits: { recordsPerSourceKey: 5 },
      sources: [{ id: 'ac-rb', kind: 'acoustic' }],
    });
    try {
      const keyId = h.keys.get('ac-rb')?.keyId ?? '';
      const batch = (n: number) => Array.from({ length: n }, () => record('ac-rb'));
      const post = (records: Record<string, unknown>[]) =>
        h.inject({
          method: 'POST',
          url: URL_PATH,
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify(records),
        });
      const stored = async (records: Record<string, unknown>[]) => {
        let count = 0;
        for (const r of records)
          if ((await h.deps.store.observations.findByRecordId('ac-rb', String(r.id))) !== undefined)
            count += 1;
        return count;
      };
      // A batch whose signature does not verify spends none of the key's records.
      const stranger = await forged(h, keyId, batch(5));
      assert.equal(stranger.statusCode, 401, stranger.body);

      const first = batch(3);
      assert.equal((await post(first)).statusCode, 200);
      const over = batch(3);
      const refused = await post(over);
      assert.equal(refused.statusCode, 429, refused.body);
      const body = refused.json<ErrorBody & { details: { limit: number; retryAfterSeconds: number } }>();
      assert.equal(body.code, 'E_RATE_LIMITED');
      assert.match(
        body.message,
        /may send 5 records a minute and has sent 3; this batch of 3 was not stored/,
      );
      assert.equal(body.details.limit, 5);
      const retryAfter = Number(refused.headers['retry-after']);
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `retry-after ${String(refused.headers['retry-after'])}`);
      assert.equal(await stored(over), 0);
      // What fits in the minute is taken; a batch larger than the whole minute never is.
      assert.equal((await post(batch(2))).statusCode, 200);
      const tooBig = await post(batch(6));
      assert.equal(tooBig.statusCode, 429);
      assert.match(tooBig.json<ErrorBody>().message, /a batch of 6 records is more than the 5 a minute/);

      clock.ms += 60_001;
      const next = batch(3);
      assert.equal((await post(next)).statusCode, 200);
      assert.equal(await stored([...first, ...next]), 6);
    } finally {
      await h.close();
    }
  });
});
