// The demonstration's live sector, stopped and started again on the same store as `npm start` twice
// would: the second feed goes on after what the first delivered (observation time only moves forward,
// so fusion's arrivals are never late), catches up, then goes on in real time; fusion, run over the
// store in small pages, makes acoustic events of the second feed's observations at the first's rate
// or better. The test moves the clock itself: the feed delivers nothing dated after it, so what is
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
import { startHarness, TestClock } from '../helpers/app-harness.ts';

const MINUTE = 60_000;
const AGREEMENT = 'paris-2026-illustrative';

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
  /** Waits until the feed has delivered observations dated `atMs` or later. */
  const deliveredThrough = async (atMs: number): Promise<void> => {
    for (let waited = 0; waited < 60_000; waited += 20) {
      if (((await h.deps.store.observations.latestObservedAtMs()) ?? 0) >= atMs) return;
      await sleep(20);
    }
    assert.fail(`the feed never reached ${new Date(atMs).toISOString()}`);
  };
  const stops: (() => void)[] = [];
  try {
    const startedAt = clock.ms;
    stops.push(await startLiveSector(h.deps, options));
    // Three minutes at 20× replay the first hour of the two.
    clock.ms += 3 * MINUTE;
    await deliveredThrough(startedAt - 2 * 60 * MINUTE + 55 * MINUTE);
    stops.pop()?.();
    await sleep(100);
    const firstLatest = (await h.deps.store.observations.latestObservedAtMs()) ?? 0;
    const firstSeq = await h.deps.store.observations.latestSeq();
    assert.ok(firstLatest <= startedAt - 60 * MINUTE, 'nothing after the clock is delivered');

    const restartedAt = clock.ms;
    stops.push(await startLiveSector(h.deps, options));
    // The hour left and the minutes since replayed (at 20×: about three and a half), then five live.
    clock.ms += 4 * MINUTE;
    await deliveredThrough(clock.ms - 2 * MINUTE);
    clock.ms += 5 * MINUTE;
    await deliveredThrough(clock.ms - 2 * MINUTE);
    stops.pop()?.();
    await sleep(100);

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
      fromSecond / second.length >= 0.5 * (fromFirst / firstCount),
      `acoustic events: ${fromSecond} from ${second.length} observations of the second feed, ${fromFirst} from ${firstCount} of the first`,
    );
  } finally {
    for (const stop of stops) stop();
    await h.close();
  }
});
