// Text no store keeps — a NUL character, which PostgreSQL's text cannot hold, or a lone surrogate,
// which each store replaced its own way — is refused with 400 naming the field, in path and query
// parameters and JSON bodies alike, before anything is looked up or stored (on PostgreSQL such a
// lookup failed with a 500). Raw bodies (observation batches) keep their own per-record validation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { unkeepableText } from '../../src/api/text-input.ts';
import { startHarness, type Harness } from '../helpers/app-harness.ts';

describe('text no store keeps', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ sources: [{ id: 'ac-1', kind: 'acoustic' }] });
  });
  after(() => h.close());

  const refusal = async (request: Parameters<Harness['inject']>[0], path: string): Promise<void> => {
    const response = await h.inject(request);
    assert.equal(response.statusCode, 400, response.body);
    const body = response.json<{ code: string; issues: { path: string }[] }>();
    assert.equal(body.code, 'E_VALIDATION');
    assert.deepEqual(
      body.issues.map((i) => i.path),
      [path],
    );
  };

  it('is refused in a path parameter, a query parameter and a JSON body, naming the field', async () => {
    await refusal({ url: '/api/v1/sources/a%00b' }, 'id');
    await refusal({ url: '/api/v1/events/a%00b' }, 'id');
    await refusal({ url: '/api/v1/observations?source=a%00b' }, 'source');
    await refusal(
      { method: 'POST', url: '/auth/login', payload: { name: 'a\u0000b', password: 'x' }, anonymous: true },
      'name',
    );
    const admin = await h.tokenFor({
      orgId: 'mission',
      kind: 'mission',
      role: 'admin',
      scopes: 'read,admin',
    });
    await refusal(
      {
        method: 'POST',
        url: '/api/v1/sources',
        headers: { authorization: `Bearer ${admin}` },
        payload: { id: 'rd-9', kind: 'radar', organisation: 'mission', name: 'Radar \ud800 one' },
      },
      'name',
    );
    assert.equal((await h.deps.store.sources.find('rd-9')) === undefined, true, 'nothing stored');
  });

  it('judges a long path parameter by its route’s schema, and answers a longer one in the error shape', async () => {
    await refusal({ url: `/api/v1/events/${'a'.repeat(450)}` }, 'id');
    const tooLong = await h.inject({ url: `/api/v1/events/${'a'.repeat(3000)}` });
    assert.equal(tooLong.statusCode, 400, tooLong.body);
    assert.deepEqual(tooLong.json(), {
      code: 'E_BAD_REQUEST',
      message: 'a path parameter is longer than 2048 characters',
    });
  });

  it('leaves an observation batch to its own validation: the bad record is rejected, the others taken', async () => {
    const record = (id: string, text: string) => ({
      id,
      sourceId: 'ac-1',
      kind: 'acoustic',
      observedAt: '2026-03-01T10:00:00Z',
      timeUncertaintyMs: 20,
      location: { lat: 48, lon: 37.8, ceM: 10 },
      payload: { signal: 'launch' },
      text,
    });
    const response = await h.inject({
      method: 'POST',
      url: '/api/v1/observations',
      payload: [record('ok-1', 'fine'), record('bad\u00001', 'fine')],
    });
    assert.equal(response.statusCode, 200, response.body);
    const report = response.json<{ accepted: number; rejected: number }>();
    assert.deepEqual([report.accepted, report.rejected], [1, 1]);
  });

  it('finds such text at any depth, in field names too, without overflowing the stack', () => {
    let deep: unknown = 'a\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const issues = unkeepableText({ x: deep }, '');
    assert.equal(issues.length, 1);
    assert.match(issues[0]?.path ?? '', /^x(\[0\]){100000}$/);
    assert.deepEqual(
      unkeepableText({ ['k\u0000']: 1, fine: 'ok', pair: '\ud83d\ude00' }, '').map((i) => i.path),
      ['k\u0000'],
    );
  });
});
