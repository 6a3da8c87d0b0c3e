import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signBatch } from '../../src/client/sign-batch.ts';
import { startHarness, type Harness } from '../helpers/app-harness.ts';

const record = (id: string) => ({
  id,
  sourceId: 'ac-1',
  kind: 'acoustic',
  observedAt: new Date(Date.now() - 60_000).toISOString(),
  timeUncertaintyMs: 10,
  location: { lat: 48.1, lon: 37.7, ceM: 5 },
  payload: { signal: 'impact' },
});

interface Message {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** Reads Server-Sent Events from a fetch response until `stop` says so. */
async function readEvents(res: Response, stop: (messages: Message[]) => boolean): Promise<Message[]> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const messages: Message[] = [];
  let buffer = '';
  while (!stop(messages)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const message: Message = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) message.comment = line.slice(1).trim();
        else {
          const at = line.indexOf(': ');
          const key = line.slice(0, at) as 'id' | 'event' | 'data';
          message[key] = line.slice(at + 2);
        }
      }
      messages.push(message);
    }
  }
  await reader.cancel();
  return messages;
}

describe('GET /api/v1/stream', () => {
  let h: Harness;
  let base: string;
  before(async () => {
    h = await startHarness({
      sources: [{ id: 'ac-1', kind: 'acoustic' }],
      stream: { heartbeatMs: 300, pollMs: 200, batch: 2 },
    });
    base = await h.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => h.close());

  /** The analyst's token: the stream is open to everyone, but only a reader's own records come through. */
  const auth = () => ({ authorization: `Bearer ${h.analystToken}` });

  let batches = 0;
  /** Posts ac-1's records as a batch signed with its key. */
  const post = async (ids: string[]) => {
    const key = h.keys.get('ac-1');
    assert.ok(key);
    const url = `${base}/api/v1/observations`;
    const body = new TextEncoder().encode(JSON.stringify(ids.map(record)));
    batches += 1;
    const headers = signBatch({
      url,
      contentType: 'application/json',
      body,
      keyId: key.keyId,
      privateKey: key.privateKeyPem,
      batchId: `stream-test-${batches}`,
    });
    const res = await fetch(url, { method: 'POST', headers, body });
    assert.equal(res.status, 200, await res.clone().text());
    return res;
  };

  test('sends headers and ": connected" at once, then each committed observation with its commit sequence', async () => {
    const res = await fetch(`${base}/api/v1/stream`, { headers: { accept: '*/*', ...auth() } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reading = readEvents(res, (m) => m.filter((x) => x.event === 'observation').length >= 3);
    await post(['s1', 's2', 's3']);
    const messages = await reading;
    assert.equal(messages[0]?.comment, 'connected');
    const observations = messages.filter((m) => m.event === 'observation');
    assert.deepEqual(
      observations.map((m) => (JSON.parse(m.data ?? '{}') as { record: { id: string } }).record.id),
      ['s1', 's2', 's3'],
    );
    const seqs = observations.map((m) => Number(m.id));
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );
    assert.equal(seqs.length, new Set(seqs).size);
  });

  test('Last-Event-ID resumes right after the given sequence', async () => {
    await post(['t1', 't2', 't3']);
    const page = (await (
      await fetch(`${base}/api/v1/observations?source=ac-1&limit=100`, { headers: auth() })
    ).json()) as {
      items: { seq: number; record: { id: string } }[];
    };
    const t1 = page.items.find((i) => i.record.id === 't1');
    assert.ok(t1);
    const res = await fetch(`${base}/api/v1/stream`, {
      headers: { 'last-event-id': String(t1.seq), ...auth() },
    });
    const messages = await readEvents(res, (m) => m.filter((x) => x.event === 'observation').length >= 2);
    assert.deepEqual(
      messages
        .filter((m) => m.event === 'observation')
        .map((m) => (JSON.parse(m.data ?? '{}') as { record: { id: string } }).record.id),
      ['t2', 't3'],
    );
  });

  test('sends a comment while idle, so proxies and clients keep the connection', async () => {
    const res = await fetch(`${base}/api/v1/stream`, { headers: auth() });
    const messages = await readEvents(res, (m) => m.some((x) => x.comment?.startsWith('idle') === true));
    assert.ok(messages.some((m) => m.comment?.startsWith('idle') === true));
  });

  test('the public connects without a token, and is sent none of the mission’s observations', async () => {
    const res = await fetch(`${base}/api/v1/stream`, { headers: { 'last-event-id': '0' } });
    assert.equal(res.status, 200);
    const messages = await readEvents(res, (m) => m.some((x) => x.comment?.startsWith('idle') === true));
    assert.equal(messages[0]?.comment, 'connected');
    assert.deepEqual(
      messages.filter((m) => m.event === 'observation'),
      [],
    );
  });

  test('without a token, reading or posting unsigned observations is a 401', async () => {
    const read = await fetch(`${base}/api/v1/observations?source=ac-1`);
    assert.equal(read.status, 401);
    assert.equal(((await read.json()) as { code: string }).code, 'E_UNAUTHENTICATED');
    const unsigned = await fetch(`${base}/api/v1/observations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([record('unsigned-1')]),
    });
    assert.equal(unsigned.status, 401);
  });

  test('a Last-Event-ID that is not a sequence is a 400 naming the header', async () => {
    const res = await fetch(`${base}/api/v1/stream`, {
      headers: { 'last-event-id': 'yesterday', ...auth() },
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { code: string; issues: { path: string }[] };
    assert.equal(body.code, 'E_VALIDATION');
    assert.equal(body.issues[0]?.path, 'last-event-id');
  });
});
