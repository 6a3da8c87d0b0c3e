import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { SHIPPED_AGREEMENTS_DIR } from '../../src/cli/shipped-agreements.ts';
import { fusionInputOfRecord, type FusionInput } from '../../src/core/fusion/inputs.ts';
import type { ObservationInput } from '../../src/core/observations/schema.ts';
import { fusionLogic } from '../../src/main.ts';
import { simulate } from '../../src/sim/simulator/simulate.ts';

test('on a simulated worst day, no point of origin from the arrays alone mixes the arrivals of different rounds', async () => {
  const simulation = simulate({
    agreementText: await readFile(`${SHIPPED_AGREEMENTS_DIR}/donbas-2015.yaml`, 'utf8'),
    format: 'yaml',
    hours: 6,
    seed: 1,
    intensity: 'worst-day',
  });
  const inputs: FusionInput[] = simulation.observations.map((line, i) =>
    fusionInputOfRecord(JSON.parse(line) as ObservationInput, i + 1),
  );
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
