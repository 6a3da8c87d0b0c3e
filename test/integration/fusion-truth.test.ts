import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { SHIPPED_AGREEMENTS_DIR } from '../../src/cli/shipped-agreements.ts';
import { fusionInputOfRecord, type FusionInput } from '../../src/core/fusion/inputs.ts';
import type { ObservationInput } from '../../src/core/observations/schema.ts';
import { fusionLogic } from '../../src/main.ts';
import { simulate } from '../../src/sim/simulator/simulate.ts';

/** A simulated worst stretch of donbas-2015, and its observations as fusion inputs in their order. */
async function simulated(hours: number, seed: number) {
  const simulation = simulate({
    agreementText: await readFile(`${SHIPPED_AGREEMENTS_DIR}/donbas-2015.yaml`, 'utf8'),
    format: 'yaml',
    hours,
    seed,
    intensity: 'worst-day',
  });
  const inputs: FusionInput[] = simulation.observations.map((line, i) =>
    fusionInputOfRecord(JSON.parse(line) as ObservationInput, i + 1),
  );
  return { simulation, inputs };
}

test('on a simulated worst day, no point of origin from the arrays alone mixes the arrivals of different rounds', async () => {
  const { simulation, inputs } = await simulated(6, 1);
  // Which round's launch each acoustic arrival heard (false alarms and impacts: none).
  const launchOf = new Map<string, string>();
  for (const t of simulation.truth)
    if (t.type === 'round') for (const a of t.launch.arrivals) launchOf.set(a.recordId, t.id);

  const engine = fusionLogic.newEngine();
  const events = [];
  for (let i = 0; i < inputs.length; i += 5_000) {
    engine.add(inputs.slice(i, i + 5_000));
    events.push(...engine.drain(false).events);
  }
  events.push(...engine.drain(true).events);
  assert.ok(
    events.some((e) => e.method === 'acoustic-tdoa'),
    'the arrays make events',
  );

  const mixed = events
    .filter((e) => e.method === 'acoustic-tdoa' && e.origin !== null)
    .filter((e) => {
      const rounds = new Set(
        e.provenance.filter((c) => c.role === 'arrival').map((c) => launchOf.get(c.recordId) ?? 'none'),
      );
      return rounds.size !== 1 || rounds.has('none');
    });
  assert.deepEqual(
    mixed.map((e) => e.id),
    [],
    'an origin claimed from arrivals of several rounds (or false alarms) is a false accusation waiting',
  );
});

test('on a simulated worst hour, provisional events end in the same standing events as final grouping alone', async () => {
  const { inputs } = await simulated(1, 2);
  /** Each event's last state, as a store would hold it, drained every `every` observations. */
  const standing = (provisional: boolean, every: number) => {
    const engine = fusionLogic.newEngine({ provisional });
    const state = new Map<string, { status: string }>();
    let withdrawals = 0;
    const take = (drained: ReturnType<typeof engine.drain>): void => {
      for (const e of drained.events) state.set(e.id, e);
      for (const id of drained.withdrawnIds) {
        const shown = state.get(id);
        if (shown?.status === 'active') {
          state.set(id, { ...shown, status: 'withdrawn' });
          withdrawals += 1;
        }
      }
    };
    for (let i = 0; i < inputs.length; i += every) {
      engine.add(inputs.slice(i, i + every));
      take(engine.drain(false));
    }
    take(engine.drain(true));
    const active = [...state.values()].filter((e) => e.status === 'active').map((e) => JSON.stringify(e));
    return { active: active.sort(), shown: state.size, withdrawals };
  };
  const final = standing(false, 5_000);
  const live = standing(true, 20);
  assert.ok(live.shown > final.active.length && live.withdrawals > 0, 'some groups were shown and withdrawn');
  assert.deepEqual(live.active, final.active);
});
