/**
 * @module Fusion, attribution and the rules in one thread over a simulated worst day held in memory
 * (no storage), beside JSON parsing of the same lines. The simulation is made before the clock starts.
 */
import { readFile } from 'node:fs/promises';
import { termsInForce } from '../../src/core/agreement/terms-in-force.ts';
import { parseAgreement } from '../../src/core/agreement/parse-agreement.ts';
import { fusionInputOfRecord, type FusionInput } from '../../src/core/fusion/inputs.ts';
import type { ObservationInput } from '../../src/core/observations/schema.ts';
import { SHIPPED_AGREEMENTS_DIR } from '../../src/cli/shipped-agreements.ts';
import { fusionLogic } from '../../src/main.ts';
import { simulate } from '../../src/sim/simulator/simulate.ts';
import type { TaskControl } from './task.ts';

export interface FusionThroughputArgs {
  readonly agreement: string;
  readonly hours: number;
  readonly seed: number;
}

export interface FusionThroughputResult {
  readonly observations: number;
  readonly seconds: number;
  readonly parseSeconds: number;
  readonly events: number;
  readonly violations: number;
  readonly kinds: Record<string, number>;
}

const CHUNK = 5_000;

export async function run(args: unknown, _control: TaskControl): Promise<FusionThroughputResult> {
  const { agreement: id, hours, seed } = args as FusionThroughputArgs;
  const text = await readFile(`${SHIPPED_AGREEMENTS_DIR}/${id}.yaml`, 'utf8');
  const simulation = simulate({ agreementText: text, format: 'yaml', hours, seed, intensity: 'worst-day' });
  const { agreement } = parseAgreement(simulation.agreementJson, 'json');
  if (agreement === undefined) throw new Error(`${id} does not parse`);
  const lines = simulation.observations;

  // The limit: JSON.parse of every line.
  let started = performance.now();
  const records = lines.map((line) => JSON.parse(line) as ObservationInput);
  const parseSeconds = (performance.now() - started) / 1000;

  const inputs: FusionInput[] = records.map((record, i) => fusionInputOfRecord(record, i + 1));
  const kinds: Record<string, number> = {};
  for (const r of records) kinds[r.kind] = (kinds[r.kind] ?? 0) + 1;

  started = performance.now();
  const engine = fusionLogic.newEngine();
  let events = 0;
  let violations = 0;
  const consume = (drafts: ReturnType<typeof engine.drain>['events']): void => {
    for (const draft of drafts) {
      const event = { ...draft, revision: 1 };
      const attribution = fusionLogic.attribute(event, termsInForce(agreement, event.timeMs));
      violations += fusionLogic.check(event, attribution, agreement).length;
      events += 1;
    }
  };
  for (let i = 0; i < inputs.length; i += CHUNK) {
    engine.add(inputs.slice(i, i + CHUNK));
    consume(engine.drain(false).events);
  }
  consume(engine.drain(true).events);
  const seconds = (performance.now() - started) / 1000;
  return { observations: inputs.length, seconds, parseSeconds, events, violations, kinds };
}
