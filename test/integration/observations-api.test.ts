import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signBatch } from '../../src/client/sign-batch.ts';
import { startHarness, TestClock, type Harness } from '../helpers/app-harness.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');

const acoustic = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  sourceId: 'ac-1',
  kind: 'acoustic',
  observedAt: '2026-03-01T11:00:00Z',
  timeUncertaintyMs: 10,
  location: { lat: 48.1, lon: 37.7, ceM: 5 },
  payload: { signal: 'impact' },
  ...over,
});

interface Report {
  accepted: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
  rejections: { index: number; field: string; reason: string }[];
  lastSeq: number | null;
}

describe('POST /api/v1/observations', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      clock: new TestClock(NOW),
      maxRecordsPerRequest: 5,
      bodyLimitBytes: 4096,
      sources: [
        { id: 'ac-1', kind: 'acoustic' },
        { id: 'patrol-1', kind: 'patrol' },
      ],
    });
  });
  after(() => h.close());

  // Every batch here is ac-1's, signed with its key (also when the body has no record to name it).
  const post = (body: unknown, type = 'application/json') =>
    h.inject({
      method: 'POST',
      url: '/api/v1/observations',
      signAs: 'ac-1',
      headers: { 'content-type': type },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });

  test('accepts a JSON array and reports each record on its own', async () => {
    const res = await post([
      acoustic('r1'),
      acoustic('r2', { location: { lat: 95, lon: 37.7, ceM: 5 } }),
      acoustic('r3', { sourceId: 'nobody' }),
    ]);
    assert.equal(res.statusCode, 200);
    const report = res.json<Report>();
    assert.equal(report.accepted, 1);
    assert.equal(report.rejected, 2);
    assert.deepEqual(
      report.rejections.map((r) => [r.index, r.field, r.reason]),
      [
        [1, 'location.lat', 'must be at most 90'],
        // Only the signing source may send its records: another source's record is rejected at sourceId.
        [2, 'sourceId', 'must be ac-1, the source that signed the batch'],
      ],
    );
  });

  test('a repeat is a duplicate; reusing an id with other content is a conflict and the stored record stays', async () => {
    const first = await post([acoustic('d1')]);
    assert.equal(first.json<Report>().accepted, 1);
    const again = await post([acoustic('d1', { batchId: 'resend' })]);
    assert.deepEqual([again.json<Report>().accepted, again.json<Report>().duplicates], [0, 1]);
    const changed = await post([acoustic('d1', { timeUncertaintyMs: 99 })]);
    const report = changed.json<Report>();
    assert.equal(report.conflicts, 1);
    assert.equal(report.rejections[0]?.field, 'id');
    const stored = await h.inject({ url: '/api/v1/observations?source=ac-1&limit=100' });
    const items = stored
      .json<{ items: { record: { id: string; timeUncertaintyMs: number } }[] }>()
      .items.filter((i) => i.record.id === 'd1');
    assert.equal(items.length, 1);
    assert.equal(items[0]?.record.timeUncertaintyMs, 10);
  });

  test('accepts NDJSON; a line that is not JSON is rejected on its own', async () => {
    const body = `${JSON.stringify(acoustic('n1'))}\n{not json\n\n${JSON.stringify(acoustic('n2'))}\n`;
    const res = await post(body, 'application/x-ndjson');
    const report = res.json<Report>();
    assert.deepEqual([report.accepted, report.rejected], [2, 1]);
    assert.equal(report.rejections[0]?.index, 1);
    assert.match(report.rejections[0]?.reason ?? '', /not valid JSON/);
  });

  test('past the record limit: 413 naming the limit, and nothing stored', async () => {
    const before = await h.deps.store.observations.count();
    const res = await post([1, 2, 3, 4, 5, 6].map((i) => acoustic(`big-${i}`)));
    assert.equal(res.statusCode, 413);
    assert.equal(res.json<{ code: string }>().code, 'E_PAYLOAD_TOO_LARGE');
    assert.match(res.json<{ message: string }>().message, /maxRecordsPerRequest/);
    assert.deepEqual(res.json<{ details: unknown }>().details, { limit: 'maxRecordsPerRequest', value: 5 });
    assert.equal(await h.deps.store.observations.count(), before);
  });

  test('NDJSON past the record limit: 413 too, counted before any record is validated', async () => {
    const before = await h.deps.store.observations.count();
    const body = [1, 2, 3, 4, 5, 6].map((i) => JSON.stringify(acoustic(`nd-big-${i}`))).join('\n');
    const res = await post(body, 'application/x-ndjson');
    assert.equal(res.statusCode, 413);
    assert.match(res.json<{ message: string }>().message, /6 records; the limit is 5/);
    assert.equal(await h.deps.store.observations.count(), before);
    // Blank lines are not records: five records among blank lines are within the limit.
    const spaced = await post(
      ['', ...[1, 2, 3, 4, 5].map((i) => JSON.stringify(acoustic(`nd-ok-${i}`))), '', ''].join('\n'),
      'application/x-ndjson',
    );
    assert.equal(spaced.statusCode, 200);
  });

  test('past the body limit: 413 naming the limit, and nothing stored', async () => {
    const before = await h.deps.store.observations.count();
    const res = await post([acoustic('huge', { text: 'x'.repeat(4000) })]);
    assert.equal(res.statusCode, 413);
    assert.match(res.json<{ message: string }>().message, /body limit of 4096 bytes/);
    assert.equal(await h.deps.store.observations.count(), before);
  });

  test('a body that is not JSON is a 400 in the error shape; another content type is 415', async () => {
    const bad = await post('[{');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json<{ code: string }>().code, 'E_BAD_REQUEST');
    const text = await post('hello', 'text/plain');
    assert.equal(text.statusCode, 415);
    assert.equal(text.json<{ code: string }>().code, 'E_UNSUPPORTED_MEDIA_TYPE');
  });

  test('a media type in capitals is the same type: NDJSON is read as NDJSON', async () => {
    const body = [acoustic('caps-1'), acoustic('caps-2')].map((r) => JSON.stringify(r)).join('\n');
    const res = await post(body, 'Application/X-NDJSON');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json<Report>().accepted, 2);
  });

  test('a compressed body or one in another charset is 415, and nothing from it is stored', async () => {
    const before = await h.deps.store.observations.count();
    const gzipped = await h.inject({
      method: 'POST',
      url: '/api/v1/observations',
      signAs: 'ac-1',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: JSON.stringify([acoustic('gz-1')]),
    });
    assert.equal(gzipped.statusCode, 415, gzipped.body);
    assert.match(gzipped.json<{ message: string }>().message, /content encoding gzip is not accepted/);
    const latin1 = await post([acoustic('latin-1')], 'application/json; charset=iso-8859-1');
    assert.equal(latin1.statusCode, 415, latin1.body);
    assert.match(latin1.json<{ message: string }>().message, /charset iso-8859-1 is not accepted/);
    assert.equal(await h.deps.store.observations.count(), before);
    const utf8 = await post([acoustic('utf-8')], 'application/json; charset=UTF-8');
    assert.equal(utf8.json<Report>().accepted, 1, utf8.body);
  });

  test('an NDJSON line whose bytes are not UTF-8 is rejected as such; the other lines are stored as sent', async () => {
    const key = h.keys.get('ac-1');
    assert.ok(key);
    // The record's text as the given bytes.
    const line = (id: string, text: Buffer) => {
      const [head, tail] = JSON.stringify(acoustic(id, { text: '@' })).split('@');
      return Buffer.concat([Buffer.from(head ?? ''), text, Buffer.from(tail ?? '')]);
    };
    // "café" in Latin-1 (one byte 0xE9), then in UTF-8.
    const body = Buffer.concat([
      line('latin', Buffer.from([0x63, 0x61, 0x66, 0xe9])),
      Buffer.from('\n'),
      line('utf8', Buffer.from('café', 'utf8')),
    ]);
    const headers = signBatch({
      path: '/api/v1/observations',
      contentType: 'application/x-ndjson',
      body,
      keyId: key.keyId,
      privateKey: key.privateKeyPem,
      batchId: 'not-utf8',
      createdMs: h.deps.clock.now(),
    });
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/observations', headers, payload: body });
    const report = res.json<Report>();
    assert.deepEqual([report.accepted, report.rejected], [1, 1], res.body);
    assert.deepEqual(
      report.rejections.map((r) => [r.index, r.field, r.reason]),
      [[0, '(root)', 'is not valid UTF-8']],
    );
    assert.equal(await h.deps.store.observations.findByRecordId('ac-1', 'latin'), undefined);
    const stored = await h.deps.store.observations.findByRecordId('ac-1', 'utf8');
    assert.equal((JSON.parse(stored?.content ?? '{}') as { text?: string }).text, 'café');
  });

  test('an unsigned batch is 401 E_SIGNATURE_MISSING, even with a token, and nothing is stored', async () => {
    const before = await h.deps.store.observations.count();
    const res = await h.inject({
      method: 'POST',
      url: '/api/v1/observations',
      unsigned: true,
      payload: [acoustic('unsigned-1')],
    });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json<{ code: string }>().code, 'E_SIGNATURE_MISSING');
    assert.equal(await h.deps.store.observations.count(), before);
  });

  test('rejected records are kept in the quarantine with their reason and hash', async () => {
    const entries = await h.deps.store.observations.listQuarantine(0, 100);
    const lat = entries.find((e) => e.field === 'location.lat');
    assert.ok(lat);
    assert.equal(lat.headKept, true);
    assert.match(Buffer.from(lat.head).toString('utf8'), /"r2"/);
    assert.equal(lat.sha256.length, 64);
  });
});

describe('GET /api/v1/observations', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      clock: new TestClock(NOW),
      sources: [
        { id: 'ac-1', kind: 'acoustic' },
        { id: 'patrol-1', kind: 'patrol' },
      ],
    });
    const records = [
      acoustic('q1', { location: { lat: 48, lon: 37, ceM: 5 }, observedAt: '2026-03-01T10:00:00Z' }),
      acoustic('q2', { location: { lat: 48.5, lon: 37.5, ceM: 5 }, observedAt: '2026-03-01T10:30:00Z' }),
      acoustic('q3', { location: { lat: 49, lon: 38, ceM: 5 }, observedAt: '2026-03-01T11:00:00Z' }),
      {
        id: 'p1',
        sourceId: 'patrol-1',
        kind: 'patrol',
        observedAt: '2026-03-01T10:45:00Z',
        timeUncertaintyMs: 60000,
        payload: { report: 'impediment', observer: { lat: 48.5, lon: 37.5, ceM: 20 }, impediment: 'denied' },
      },
    ];
    // One signed batch per source, the acoustic records first, so commit order is unchanged.
    let accepted = 0;
    for (const sourceId of ['ac-1', 'patrol-1']) {
      const res = await h.inject({
        method: 'POST',
        url: '/api/v1/observations',
        payload: records.filter((r) => r.sourceId === sourceId),
      });
      accepted += res.json<Report>().accepted;
    }
    assert.equal(accepted, 4);
  });
  after(() => h.close());

  const ids = async (query: string) => {
    const res = await h.inject({ url: `/api/v1/observations?${query}` });
    assert.equal(res.statusCode, 200, res.body);
    return res.json<{ items: { record: { id: string } }[] }>().items.map((i) => i.record.id);
  };

  test('a box includes points on its edges; patrol reports are found at the observer', async () => {
    assert.deepEqual(await ids('bbox=37,48,37.5,48.5'), ['q1', 'q2', 'p1']);
    assert.deepEqual(await ids('bbox=37.5,48.5,38,49'), ['q2', 'q3', 'p1']);
  });

  test('a time window includes its start and excludes its end; kind and source filter', async () => {
    assert.deepEqual(await ids('from=2026-03-01T10:00:00Z&to=2026-03-01T11:00:00Z'), ['q1', 'q2', 'p1']);
    assert.deepEqual(await ids('kind=patrol'), ['p1']);
    assert.deepEqual(await ids('source=ac-1&bbox=37.4,48.4,38,49'), ['q2', 'q3']);
  });

  test('pages follow the commit sequence', async () => {
    const first = (await h.inject({ url: '/api/v1/observations?limit=3' })).json<{
      items: { record: { id: string } }[];
      next: string;
    }>();
    assert.equal(first.items.length, 3);
    const second = (await h.inject({ url: `/api/v1/observations?limit=3&after=${first.next}` })).json<{
      items: unknown[];
      next: null;
    }>();
    assert.equal(second.items.length, 1);
    assert.equal(second.next, null);
  });

  test('bad query parameters name the parameter and the reason', async () => {
    const res = await h.inject({ url: '/api/v1/observations?bbox=38,48,37,49&kind=telepathy&limit=0' });
    assert.equal(res.statusCode, 400);
    const body = res.json<{ code: string; issues: { path: string; reason: string }[] }>();
    assert.equal(body.code, 'E_VALIDATION');
    assert.deepEqual(body.issues.map((i) => i.path).sort(), ['bbox', 'kind', 'limit']);
    assert.match(
      body.issues.find((i) => i.path === 'bbox')?.reason ?? '',
      /west must not be greater than east/,
    );
  });

  test('without a token a read is 401 E_UNAUTHENTICATED; with one it answers', async () => {
    const anonymous = await h.inject({ url: '/api/v1/observations', anonymous: true });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.json<{ code: string }>().code, 'E_UNAUTHENTICATED');
    const read = await h.inject({ url: '/api/v1/observations' });
    assert.equal(read.statusCode, 200);
  });

  test('an unknown route answers in the error shape', async () => {
    const res = await h.inject({ url: '/api/v1/nothing' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json<{ code: string }>().code, 'E_NOT_FOUND');
  });

  test('/openapi.json describes the routes and /healthz answers', async () => {
    const spec = (await h.inject({ url: '/openapi.json', anonymous: true })).json<{
      paths: Record<string, unknown>;
    }>();
    for (const path of ['/api/v1/observations', '/api/v1/sources', '/api/v1/stream', '/api/v1/agreements'])
      assert.ok(path in spec.paths, path);
    const health = (await h.inject({ url: '/healthz', anonymous: true })).json<{
      status: string;
      latestSeq: number;
    }>();
    assert.equal(health.status, 'ok');
    assert.ok(health.latestSeq >= 4);
  });
});

describe('GET /api/v1/observations, as a party that may read few of the rows', () => {
  let h: Harness;
  let partyToken: string;
  /** The party's own records, in commit order; the mission's records around them it may not read. */
  const own: string[] = [];
  const all: string[] = [];
  before(async () => {
    h = await startHarness({ clock: new TestClock(NOW), sources: [{ id: 'ac-1', kind: 'acoustic' }] });
    partyToken = await h.tokenFor({ orgId: 'ua', kind: 'party', role: 'party-liaison' });
    await h.addSource({ id: 'ac-ua', kind: 'acoustic', organisation: 'ua' });
    const send = async (sourceId: string, count: number) => {
      const records = Array.from({ length: count }, () => {
        const id = `${sourceId}-${all.length}`;
        all.push(id);
        if (sourceId === 'ac-ua') own.push(id);
        return acoustic(id, { sourceId });
      });
      const res = await h.inject({ method: 'POST', url: '/api/v1/observations', payload: records });
      assert.equal(res.json<Report>().accepted, count, res.body);
    };
    // 120 rows it may not read, then one of its own in every five.
    await send('ac-1', 120);
    for (let i = 0; i < 30; i += 1) {
      await send('ac-1', 4);
      await send('ac-ua', 1);
    }
  });
  after(() => h.close());

  interface Page {
    items: { record: { id: string } }[];
    next: string | null;
  }
  const pages = async (token: string, limit: number) => {
    const out: Page[] = [];
    for (let after: string | null = ''; after !== null;) {
      const res = await h.inject({
        url: `/api/v1/observations?limit=${limit}${after === '' ? '' : `&after=${after}`}`,
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.statusCode, 200, res.body);
      const page = res.json<Page>();
      out.push(page);
      after = page.next;
      assert.ok(out.length < 100, 'the cursor moves on');
    }
    return out;
  };

  test('gets full pages of what it may read, every row once, in commit order', async () => {
    const limit = 10;
    const got = await pages(partyToken, limit);
    assert.deepEqual(
      got.flatMap((p) => p.items.map((i) => i.record.id)),
      own,
    );
    // Its queries match its own sources' rows only (test/access/observation-cursor.test.ts says why):
    // they come ten at a time from the first page, not one or two, and not after empty pages.
    assert.deepEqual(
      got.map((p) => p.items.length),
      [10, 10, 10],
    );
  });

  test('the mission reads every row, in pages exactly as before', async () => {
    const got = await pages(h.analystToken, 25);
    assert.deepEqual(
      got.flatMap((p) => p.items.map((i) => i.record.id)),
      all,
    );
    assert.deepEqual(
      got.map((p) => p.items.length),
      [25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 20],
    );
  });
});
