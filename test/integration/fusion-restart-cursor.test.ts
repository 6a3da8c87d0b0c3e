// Restarting fusion from the cursor at any point of a simulated worst day — observations arriving
// out of time order, radar tracks merged with arrivals, false alarms — ends with the same events as
// a run never interrupted: the cursor never splits what one decision depended on.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { SHIPPED_AGREEMENTS_DIR } from '../../src/cli/shipped-agreements.ts';
import { fusionInputOfRecord, type FusionInput } from '../../src/core/fusion/inputs.ts';
import type { ObservationInput } from '../../src/core/observations/schema.ts';
import { fusionLogic } from '../../src/main.ts';
import { simulate } from '../../src/sim/simulator/simulate.ts';

const PAGE = 150;

/** Latest content of each event id, as the store's heads would hold them. */
function heads(pages: readonly FusionInput[][], restartAfterPage: number | undefined): Map<string, string> {
  const out = new Map<string, string>();
  let engine = fusionLogic.newEngine();
  let cursor = 0;
  pages.forEach((page, i) => {
    engine.add(page);
    const { events, finalizedThroughSeq } = engine.drain(false);
    for (const e of events) out.set(e.id, JSON.stringify(e));
    cursor = Math.max(cursor, finalizedThroughSeq);
    if (i === restartAfterPage) {
      // A new process: it re-reads everything after the stored cursor.
      engine = fusionLogic.newEngine();
      engine.add(
        pages
          .slice(0, i + 1)
          .flat()
          .filter((input) => input.seq > cursor),
      );
    }
  });
  for (const e of engine.drain(true).events) out.set(e.id, JSON.stringify(e));
  return out;
}

test('fusion restarted from its cursor at any page of a simulated worst day ends with the same events', async () => {
  const text = await readFile(`${SHIPPED_AGREEMENTS_DIR}/donbas-2015.yaml`, 'utf8');
  const simulation = simulate({
    agreementText: text,
    format: 'yaml',
    hours: 1,
    seed: 7,
    intensity: 'worst-day',
  });
  // Commit order is delivery order (roughly, not exactly, time order).
  const inputs: FusionInput[] = simulation.observations.map((line, i) =>
    fusionInputOfRecord(JSON.parse(line) as ObservationInput, i + 1),
  );
  const pages: FusionInput[][] = [];
  for (let i = 0; i < inputs.length; i += PAGE) pages.push(inputs.slice(i, i + PAGE));
  const uninterrupted = heads(pages, undefined);
  assert.ok(uninterrupted.size > 100, `only ${uninterrupted.size} events`);
  for (let restart = 0; restart < pages.length - 1; restart += 1) {
    const restarted = heads(pages, restart);
    assert.deepEqual(
      [...restarted.entries()].sort(),
      [...uninterrupted.entries()].sort(),
      `restart after page ${restart} of ${pages.length}`,
    );
  }
});
