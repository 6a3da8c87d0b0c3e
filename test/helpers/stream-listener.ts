// A reader of the live stream for tests: opens `/api/v1/stream` with a token (none: the public) and
// collects what arrives until aborted.
import assert from 'node:assert/strict';

export interface StreamListener {
  /** Everything received so far. */
  readonly received: string;
  readonly abort: AbortController;
  /** Settles once the stream has ended (after `abort.abort()`). */
  readonly done: Promise<void>;
}

/** Opens the stream of the server at `base` and waits until it says it is connected. */
export async function listenToStream(base: string, token: string | undefined): Promise<StreamListener> {
  const abort = new AbortController();
  const response = await fetch(`${base}/api/v1/stream`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    signal: abort.signal,
  });
  const reader = response.body?.getReader();
  assert.ok(reader !== undefined);
  const state = { received: '' };
  const done = (async () => {
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) return;
        state.received += Buffer.from(chunk.value).toString('utf8');
      }
    } catch {
      // aborted
    }
  })();
  const listener: StreamListener = {
    get received() {
      return state.received;
    },
    abort,
    done,
  };
  while (!listener.received.includes(': connected')) await new Promise((r) => setTimeout(r, 10));
  return listener;
}
