import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FeedClock, feedStartMs, LIVE_RUN_MS, nextRun } from './live-sector.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = Date.parse('2026-12-04T07:11:53.250Z');
const OPTIONS = { hours: 6, intensity: 'normal', liveIntensity: 'worst-day' } as const;

describe('the live sector’s start', () => {
  it('replays the whole past hours on a store with nothing in them', () => {
    const start = Date.parse('2026-12-04T01:11:00Z');
    assert.equal(feedStartMs(NOW, 6, undefined), start);
    assert.equal(feedStartMs(NOW, 6, start - 1), start);
  });

  it('goes on after the latest observation stored within those hours, on the next whole minute', () => {
    const latest = Date.parse('2026-12-04T02:01:12.500Z');
    assert.equal(feedStartMs(NOW, 6, latest), Date.parse('2026-12-04T02:02:00Z'));
    // An observation on a whole minute: the feed starts after it, not on it.
    assert.equal(feedStartMs(NOW, 6, Date.parse('2026-12-04T02:01:00Z')), Date.parse('2026-12-04T02:02:00Z'));
  });

  it('is never held back by observations dated ahead of the clock', () => {
    assert.equal(feedStartMs(NOW, 6, NOW + 10 * HOUR), Date.parse('2026-12-04T07:12:00Z'));
  });
});

describe('the live sector’s runs', () => {
  it('catches up to the wall clock at the replay’s intensity, in whole minutes', () => {
    const start = Date.parse('2026-12-04T01:11:00Z');
    assert.deepEqual(nextRun(start, NOW, OPTIONS), {
      startMs: start,
      endMs: Date.parse('2026-12-04T07:11:00Z'),
      intensity: 'normal',
    });
  });

  it('never replays more than its hours at once', () => {
    const start = NOW - 30 * HOUR;
    assert.equal(nextRun(start, NOW, OPTIONS).endMs, start + 6 * HOUR);
  });

  it('goes on live, an hour a run at the live intensity, once less than a run behind', () => {
    const start = NOW - 6 * MINUTE;
    assert.deepEqual(nextRun(start, NOW, OPTIONS), {
      startMs: start,
      endMs: start + LIVE_RUN_MS,
      intensity: 'worst-day',
    });
  });
});

describe('the live sector’s clock', () => {
  it('runs at its speed while behind the wall clock, then with it, and never delivers past it', () => {
    const start = NOW - 6 * HOUR;
    const clock = new FeedClock(start, NOW, 60);
    assert.equal(clock.deliverable, start);
    assert.equal(clock.advance(NOW + 1_000), start + 60_000);
    assert.equal(clock.advance(NOW + 3 * MINUTE), start + 3 * HOUR);
    // Six minutes of wall time replay six hours, and the six minutes since.
    assert.equal(clock.advance(NOW + 7 * MINUTE), NOW + 7 * MINUTE);
    assert.equal(clock.advance(NOW + 8 * MINUTE), NOW + 8 * MINUTE);
    // A clock stepped back delivers nothing again.
    assert.equal(clock.advance(NOW), NOW + 8 * MINUTE);
  });

  it('counts a long step of the wall clock as a short one, and replays what it skipped at its speed', () => {
    const clock = new FeedClock(NOW, NOW, 60, 5_000);
    // Caught up, then the machine sleeps for a day.
    assert.equal(clock.advance(NOW + 24 * HOUR), NOW + 5 * MINUTE);
    assert.equal(clock.advance(NOW + 24 * HOUR + 1_000), NOW + 6 * MINUTE);
  });

  it('skips forward, never back', () => {
    const clock = new FeedClock(NOW - 6 * HOUR, NOW, 60);
    clock.skipTo(NOW - 2 * HOUR);
    assert.equal(clock.deliverable, NOW - 2 * HOUR);
    clock.skipTo(NOW - 3 * HOUR);
    assert.equal(clock.deliverable, NOW - 2 * HOUR);
  });

  it('waits for the wall clock when it starts ahead of it', () => {
    const clock = new FeedClock(NOW + 30_000, NOW, 60);
    assert.equal(clock.advance(NOW + 10_000), NOW + 10_000);
    assert.equal(clock.advance(NOW + 40_000), NOW + 40_000);
  });
});
