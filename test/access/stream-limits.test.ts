// Open streams are bounded per reader: each holds a connection, timers and buffers, and a review held
// 1,200 public streams from one address (RSS 173 → 446 MB). Past the limit a new one is refused with
// 429; closing one makes room. Another reader's streams are counted apart.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHarness, type Harness } from '../helpers/app-harness.ts';
import { listenToStream, type StreamListener } from '../helpers/stream-listener.ts';

let h: Harness;
let base: string;
before(async () => {
  h = await startHarness({ stream: { heartbeatMs: 500, pollMs: 100, batch: 20, maxOpenPerReader: 2 } });
  base = await h.app.listen({ port: 0, host: '127.0.0.1' });
});
after(() => h.close());

const refusal = async (token?: string): Promise<number> => {
  const response = await fetch(`${base}/api/v1/stream`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  await response.body?.cancel();
  return response.status;
};

const closeAll = async (streams: readonly StreamListener[]) => {
  for (const s of streams) s.abort.abort();
  await Promise.all(streams.map((s) => s.done));
};

test('a reader past its open streams is refused with 429 until it closes one', async () => {
  const publicStreams = [await listenToStream(base, undefined), await listenToStream(base, undefined)];
  assert.equal(await refusal(), 429);
  // A token is a reader of its own.
  const analyst = [await listenToStream(base, h.analystToken), await listenToStream(base, h.analystToken)];
  assert.equal(await refusal(h.analystToken), 429);
  await closeAll(publicStreams.slice(0, 1));
  // The server sees the close a moment later; the stream opened then is kept open, and closed after.
  let reopened: AbortController | undefined;
  for (let tries = 0; tries < 100 && reopened === undefined; tries++) {
    const abort = new AbortController();
    const response = await fetch(`${base}/api/v1/stream`, { signal: abort.signal });
    if (response.status === 200) reopened = abort;
    else {
      assert.equal(response.status, 429);
      await response.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  assert.ok(reopened !== undefined, 'a stream closed makes room for another');
  reopened.abort();
  await closeAll([...publicStreams.slice(1), ...analyst]);
});
