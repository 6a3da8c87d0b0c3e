import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SetAsideArrival } from '../core/fusion/engine.ts';
import { SetAsideNotices } from './set-aside-notices.ts';

const aside = (seq: number, sourceId: string, timeMs: number): SetAsideArrival => ({
  seq,
  sourceId,
  timeMs,
  reason: 'crowded',
});

test('a sensor set aside is told at once, then at most once a minute with what came since', () => {
  const notices = new SetAsideNotices(60_000);
  assert.deepEqual(notices.take([aside(1, 'ac-1', 500), aside(2, 'ac-1', 100)], 0), [
    { sourceId: 'ac-1', reason: 'crowded', arrivals: 2, firstMs: 100, lastMs: 500 },
  ]);
  // Within the minute: kept back, and summed.
  assert.deepEqual(notices.take([aside(3, 'ac-1', 900)], 20_000), []);
  assert.deepEqual(notices.take([aside(4, 'ac-1', 700), aside(5, 'ac-2', 50)], 40_000), [
    { sourceId: 'ac-2', reason: 'crowded', arrivals: 1, firstMs: 50, lastMs: 50 },
  ]);
  // A minute after the last notice, what was kept back goes, even with nothing new set aside.
  assert.deepEqual(notices.take([], 60_000), [
    { sourceId: 'ac-1', reason: 'crowded', arrivals: 2, firstMs: 700, lastMs: 900 },
  ]);
  assert.deepEqual(notices.take([], 200_000), []);
  // Quiet for a minute: the next is told at once.
  assert.deepEqual(notices.take([aside(6, 'ac-1', 1_000)], 200_001), [
    { sourceId: 'ac-1', reason: 'crowded', arrivals: 1, firstMs: 1_000, lastMs: 1_000 },
  ]);
});
