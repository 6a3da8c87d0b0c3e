import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { runAtMostEvery } from './run-at-most-every.ts';

describe('runAtMostEvery', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'] }));
  afterEach(() => mock.timers.reset());

  const clock = () => Date.now();

  it('runs the first request at once, and one run for every request within the interval, at its end', () => {
    const starts: number[] = [];
    const runner = runAtMostEvery(() => starts.push(Date.now()), 30, clock);
    const t0 = Date.now();
    runner.request();
    assert.deepEqual(starts, [t0]);
    mock.timers.tick(5);
    runner.request();
    mock.timers.tick(10);
    runner.request();
    runner.request();
    assert.equal(starts.length, 1, 'requests within the interval wait');
    mock.timers.tick(15);
    assert.deepEqual(starts, [t0, t0 + 30], 'they share one run at the end of the interval');
    mock.timers.tick(100);
    assert.equal(starts.length, 2, 'and nothing runs without a request');
  });

  it('runs at once when the interval has passed since the last start', () => {
    const starts: number[] = [];
    const runner = runAtMostEvery(() => starts.push(Date.now()), 30, clock);
    const t0 = Date.now();
    runner.request();
    mock.timers.tick(31);
    runner.request();
    assert.deepEqual(starts, [t0, t0 + 31]);
  });

  it('drops a deferred run when stopped, and refuses new requests', () => {
    let runs = 0;
    const runner = runAtMostEvery(() => (runs += 1), 30, clock);
    runner.request();
    runner.request();
    runner.stop();
    mock.timers.tick(100);
    runner.request();
    assert.equal(runs, 1);
  });
});
