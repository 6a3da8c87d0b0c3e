/**
 * @module `truceline evaluate --truth FILE --json OUT [--db FILE]`: what fusion, attribution and the
 * rules stored, measured against a simulator's ground truth. Reads only the store (and the truth file);
 * prints a table on stdout and writes the figures as JSON to OUT.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { AppDeps } from '../../application/app-deps.ts';
import type { StoredEvent, StoredViolation } from '../../core/ports/fusion-store.ts';
import { evaluate, type Evaluation } from '../../sim/evaluation.ts';
import type { TruthRecord } from '../../sim/simulator/truth.ts';
import type { CliRuntime, StoreOptions } from '../cli-runtime.ts';

const PAGE = 5_000;

async function allEvents(deps: AppDeps): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for (let after = 0; ;) {
    const page = await deps.store.fusion.listEvents({ afterSeq: after, limit: PAGE });
    out.push(...page);
    const last = page.at(-1);
    if (last === undefined || page.length < PAGE) return out;
    after = last.seq;
  }
}

async function allViolationRevisions(deps: AppDeps): Promise<StoredViolation[]> {
  const out: StoredViolation[] = [];
  for (let after = 0; ;) {
    const page = await deps.store.fusion.changesAfter(after, PAGE);
    for (const change of page) if (change.type === 'violation') out.push(change.stored);
    const last = page.at(-1);
    if (last === undefined || page.length < PAGE) return out;
    after = last.seq;
  }
}

/** Receipt (commit) time of every observation by sequence, and the heartbeats. */
async function observationFacts(deps: AppDeps) {
  const times = new Map<number, number>();
  const heartbeats: { sourceId: string; timeMs: number; state: string }[] = [];
  for (let after = 0; ;) {
    const page = await deps.store.observations.listAfter(after, PAGE);
    for (const row of page) {
      times.set(row.seq, row.receivedAtMs);
      if (row.kind === 'heartbeat') {
        const record = JSON.parse(row.content) as { payload?: { state?: string } };
        heartbeats.push({
          sourceId: row.sourceId,
          timeMs: row.observedAtMs,
          state: record.payload?.state ?? 'up',
        });
      }
    }
    const last = page.at(-1);
    if (last === undefined || page.length < PAGE) return { times, heartbeats };
    after = last.seq;
  }
}

export async function evaluateCommand(
  runtime: CliRuntime,
  options: StoreOptions & { truth: string; json: string },
): Promise<number> {
  let truth: TruthRecord[];
  try {
    truth = (await readFile(options.truth, 'utf8'))
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line, i) => {
        try {
          return JSON.parse(line) as TruthRecord;
        } catch (error) {
          throw new Error(
            `${options.truth}:${i + 1}: not JSON (${error instanceof Error ? error.message : String(error)})`,
          );
        }
      });
  } catch (error) {
    runtime.stderr(`truceline evaluate: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const deps = await runtime.openDeps(options);
  let result: Evaluation;
  try {
    const sources = await deps.store.sources.list();
    const { times, heartbeats } = await observationFacts(deps);
    result = evaluate({
      truth,
      events: await allEvents(deps),
      violationRevisions: await allViolationRevisions(deps),
      observationCommitMs: (seq) => times.get(seq),
      sensorPositions: new Map(
        sources.flatMap((s) => (s.position === null ? [] : [[s.id, s.position] as const])),
      ),
      acousticSensors: new Set(sources.filter((s) => s.kind === 'acoustic').map((s) => s.id)),
      heartbeats,
    });
  } finally {
    await deps.store.close();
  }
  await writeFile(options.json, `${JSON.stringify(result, null, 2)}\n`);
  runtime.stdout(table(result));
  return 0;
}

const fixed = (value: number | null, digits = 3): string => (value === null ? '—' : value.toFixed(digits));

function table(r: Evaluation): string {
  const rows: [string, string][] = [
    ['attributed events', String(r.attributedEvents)],
    ['false attribution rate', fixed(r.falseAttributionRate, 4)],
    ['false attribution, 95 % upper bound', fixed(r.falseAttributionUpper95, 4)],
    ['attribution coverage (eligible, ≥ 2 km from the line)', fixed(r.attributionCoverage)],
    ['eligible fire missions', String(r.eligibleFireMissions)],
    ['recall of eligible fire missions', fixed(r.recallEligibleFireMissions)],
    ['localised (≥ 4 arrivals)', String(r.localisation.matched)],
    ['median error, m', fixed(r.localisation.medianErrorM, 0)],
    ['p90 error, m', fixed(r.localisation.p90ErrorM, 0)],
    ['median error ÷ √trace CRLB', fixed(r.localisation.medianErrorToCrlbRatio, 2)],
    ['calibration n', String(r.calibration.n)],
    ['ECE', fixed(r.calibration.ece, 4)],
    ['Brier', fixed(r.calibration.brier, 4)],
    ['95 % ellipse coverage', fixed(r.calibration.ellipse95Coverage)],
    ['latency p99, ms', fixed(r.latencyMs.p99, 0)],
    ['acoustic uptime', fixed(r.coverage.acousticUptime)],
    ['sensor-hours down', fixed(r.coverage.downSensorHours, 1)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}
