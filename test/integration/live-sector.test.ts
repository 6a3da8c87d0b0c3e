// The demonstration's live sector, stopped and started again on the same store as `npm start` twice
// would: the second feed goes on after what the first delivered (observation time only moves forward,
// so fusion's arrivals are never late), catches up, then goes on in real time; fusion, run over the
// store in small pages, makes acoustic events of the second feed's observations at about the first's
// rate (a feed that replayed the span again made about half as many there). The test moves the clock itself: the feed delivers nothing dated after it, so what is
// delivered does not depend on how fast the machine is.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FusionPipeline } from '../../src/application/fusion-pipeline.ts';
import { registerAgreement } from '../../src/application/register-agreement.ts';
import type { StoredObservation } from '../../src/core/ports/observation-store.ts';
import { fusionLogic } from '../../src/main.ts';
import { startLiveSector, type LiveSectorOptions } from '../../src/sim/live-sector.ts';
import { startHarness, TestClock, type Harness } from '../helpers/app-harness.ts';

const MINUTE = 60_000;
const AGREEMENT = 'paris-2026-illustrative';

/**
 * Moves the clock on in steps of 5 s (what the feed takes as they come: a longer step counts as one
 * of 5 s) until the feed has delivered observations dated `atMs` or later.
 */
async function stepUntil(h: Harness, clock: TestClock, atMs: number): Promise<void> {
  for (let steps = 0; steps < 20_000; steps++) {
    if (((await h.deps.store.observations.latestObservedAtMs()) ?? 0) >= atMs) return;
    clock.ms += 5_000;
    await sleep(2);
  }
  assert.fail(`the feed never reached ${new Date(atMs).toISOString()}`);
}

test('a restarted live sector goes on after what the last one delivered, and fusion keeps up', async () => {
  const clock = new TestClock(Date.parse('2026-12-04T06:00:00Z'));
  const h = await startHarness({ clock });
  const text = readFileSync(`data/agreements/${AGREEMENT}.yaml`, 'utf8');
  await registerAgreement(h.deps, { text, format: 'yaml' });
  const errors: unknown[] = [];
  const options: LiveSectorOptions = {
    agreementText: text,
    format: 'yaml',
    hours: 2,
    speed: 20,
    intensity: 'worst-day',
    liveIntensity: 'worst-day',
    firstSeed: 1,
    tickMs: 10,
    onError: (error) => errors.push(error),
  };
  const observations = async (afterSeq: number): Promise<StoredObservation[]> => {
    const all: StoredObservation[] = [];
    for (;;) {
      const page = await h.deps.store.observations.listAfter(all.at(-1)?.seq ?? afterSeq, 5_000);
      if (page.length === 0) return all;
      all.push(...page);
    }
  };
  const stops: (() => Promise<void>)[] = [];
  try {
    const startedAt = clock.ms;
    stops.push(await startLiveSector(h.deps, options));
    // About three minutes at 20× replay the first hour of the two.
    await stepUntil(h, clock, startedAt - 2 * 60 * MINUTE + 55 * MINUTE);
    await stops.pop()?.();
    const firstLatest = (await h.deps.store.observations.latestObservedAtMs()) ?? 0;
    const firstSeq = await h.deps.store.observations.latestSeq();
    assert.ok(firstLatest <= clock.ms, 'nothing after the clock is delivered');

    const restartedAt = clock.ms;
    stops.push(await startLiveSector(h.deps, options));
    // The hour left and the minutes since replayed (at 20×: about three and a half), then five live.
    await stepUntil(h, clock, restartedAt + 5 * MINUTE);
    await stops.pop()?.();

    assert.deepEqual(errors, []);
    assert.equal(await h.deps.store.observations.countQuarantine(), 0);
    const second = await observations(firstSeq);
    assert.ok(second.length > 1_000, `the second feed delivered ${second.length} observations`);
    const earliest = Math.min(...second.map((o) => o.observedAtMs));
    assert.ok(
      earliest > firstLatest && earliest - firstLatest <= 2 * MINUTE,
      `the second feed starts ${new Date(earliest).toISOString()}, the first ended ${new Date(firstLatest).toISOString()}`,
    );
    // Live: nothing is delivered before its time, and the feed went past the restart.
    for (const o of second)
      assert.ok(o.observedAtMs <= o.receivedAtMs, `${o.recordId} observed after it was received`);
    assert.ok(second.some((o) => o.observedAtMs > restartedAt + 3 * MINUTE));

    // Fusion in pages of a few dozen observations.
    const pipeline = new FusionPipeline(h.deps, fusionLogic, { agreementId: AGREEMENT, pageSize: 50 });
    await pipeline.run(true);
    const acoustic = (await h.deps.store.fusion.listEvents({ limit: 100_000 })).filter(
      (e) => e.event.method.startsWith('acoustic') && e.event.status === 'active',
    );
    const fromSecond = acoustic.filter((e) => e.event.provenance.every((p) => p.seq > firstSeq)).length;
    const fromFirst = acoustic.filter((e) => e.event.provenance.every((p) => p.seq <= firstSeq)).length;
    const firstCount = (await observations(0)).length - second.length;
    assert.ok(fromFirst >= 10, `${fromFirst} acoustic events from the first feed`);
    assert.ok(
      fromSecond / second.length >= 0.8 * (fromFirst / firstCount),
      `acoustic events: ${fromSecond} from ${second.length} observations of the second feed, ${fromFirst} from ${firstCount} of the first`,
    );
  } finally {
    for (const stop of stops) await stop();
    await h.close();
  }
});

test('after the clock jumps a day, the feed skips to its hours before now and replays them at its speed, always forward', async () => {
  const clock = new TestClock(Date.parse('2026-12-04T06:00:00Z'));
  const h = await startHarness({ clock });
  const text = readFileSync(`data/agreements/${AGREEMENT}.yaml`, 'utf8');
  const errors: unknown[] = [];
  const stop = await startLiveSector(h.deps, {
    agreementText: text,
    format: 'yaml',
    hours: 2,
    speed: 20,
    intensity: 'quiet',
    liveIntensity: 'worst-day',
    firstSeed: 1,
    tickMs: 10,
    onError: (error) => errors.push(error),
  });
  const latest = async (): Promise<number> => (await h.deps.store.observations.latestObservedAtMs()) ?? 0;
  try {
    // Two hours replayed, then a few minutes live.
    await stepUntil(h, clock, clock.ms + 5 * MINUTE);
    const beforeJump = await latest();
    clock.ms += 30 * 60 * MINUTE;
    const jumpedAt = clock.ms;
    // The jump counts as one short step: a hundred seconds at 20×, not the day at once.
    await sleep(200);
    assert.ok((await latest()) <= beforeJump + 2 * MINUTE + 100_000, 'the day was not delivered at once');
    await stepUntil(h, clock, jumpedAt + MINUTE);
    await stop();

    assert.deepEqual(errors, []);
    assert.equal(await h.deps.store.observations.countQuarantine(), 0);
    const all = await h.deps.store.observations.listAfter(0, 1_000_000);
    for (let i = 1; i < all.length; i++) {
      const [before, after] = [all[i - 1], all[i]];
      assert.ok(
        before !== undefined && after !== undefined && before.observedAtMs <= after.observedAtMs,
        `observation time stepped back: ${before?.recordId} then ${after?.recordId}`,
      );
    }
    // What lay before the two hours ahead of the jump (past the run under way) was skipped.
    const skipped = all.filter(
      (o) => o.observedAtMs > beforeJump + 62 * MINUTE && o.observedAtMs < jumpedAt - 2 * 60 * MINUTE,
    );
    assert.deepEqual(
      skipped.map((o) => o.recordId),
      [],
    );
    assert.ok(all.some((o) => o.observedAtMs >= jumpedAt - 2 * 60 * MINUTE && o.observedAtMs < jumpedAt));
  } finally {
    await stop();
    await h.close();
  }
});
