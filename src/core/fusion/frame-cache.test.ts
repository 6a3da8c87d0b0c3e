import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cachedFrameAt } from './frame-cache.ts';
import { LocalFrame } from './local-frame.ts';

test('a cached frame answers as a new frame does, once per position', () => {
  const cached = cachedFrameAt(48.01, 37.8);
  const fresh = new LocalFrame(48.01, 37.8);
  for (const [lat, lon] of [
    [48.2, 37.95],
    [47.9, 37.6],
    [48.01, 37.8],
  ] as const) {
    assert.deepEqual(cached.toLocal(lat, lon), fresh.toLocal(lat, lon));
    assert.equal(cached.toLocal(lat, lon), cached.toLocal(lat, lon), 'the same answer is kept');
  }
  assert.equal(cachedFrameAt(48.01, 37.8), cached, 'one frame per centre');
  // A sensor reported a metre away is another position, with its own answer.
  assert.notDeepEqual(cached.toLocal(48.2, 37.95), cached.toLocal(48.20001, 37.95));
  const other = cachedFrameAt(48.02, 37.8);
  assert.notEqual(other, cached);
  assert.deepEqual(other.toLocal(48.2, 37.95), new LocalFrame(48.02, 37.8).toLocal(48.2, 37.95));
});

test('the cache starts over past its bound and still answers right', () => {
  const first = cachedFrameAt(47.5, 38);
  for (let i = 0; i < 60_000; i++) first.toLocal(47 + i * 1e-6, 38);
  assert.ok(first.size <= 50_000, `a frame held across many positions is bounded too: ${first.size}`);
  assert.deepEqual(first.toLocal(47.2, 38), new LocalFrame(47.5, 38).toLocal(47.2, 38));
  const again = cachedFrameAt(47.5, 38);
  assert.notEqual(again, first, 'the full cache was emptied');
  assert.deepEqual(again.toLocal(47.1, 38), new LocalFrame(47.5, 38).toLocal(47.1, 38));
});
