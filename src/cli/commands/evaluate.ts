/**
 * @module `truceline evaluate --truth FILE --json OUT [--db FILE]`: what fusion, attribution and the
 * rules stored, measured against a simulator's ground truth. Reads only the store (and the truth file);
 * prints a table on stdout and writes the figures as JSON to OUT.
 */
import { existsSync, realpathSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { AppDeps } from '../../application/app-deps.ts';
import type { StoredEvent, StoredViolation } from '../../core/ports/fusion-store.ts';
import { evaluate, type Evaluation } from '../../sim/evaluation.ts';
import type { RunTruth, TruthRecord } from '../../sim/simulator/truth.ts';
import type { CliRuntime, StoreOptions } from '../cli-runtime.ts';
import { describeError } from '../describe-error.ts';
import { CommitTimes } from '../../application/commit-times.ts';
import { overwritesStoreFile } from '../store-files.ts';

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

/**
 * The commit time of every observation by sequence (its receipt time where the store kept none: receipt
 * comes before the commit), and the heartbeats.
 */
async function observationFacts(deps: AppDeps) {
  const times = new Map<number, number>();
  const heartbeats: { sourceId: string; timeMs: number; state: string }[] = [];
  const commits = new CommitTimes(deps);
  for (let after = 0; ;) {
    const page = await deps.store.observations.listAfter(after, PAGE);
    for (const row of page) {
      times.set(row.seq, (await commits.of(row.seq)) ?? row.receivedAtMs);
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
  const fail = (message: string): number => {
    runtime.stderr(`truceline evaluate: ${message}\n`);
    return 1;
  };
  let truth: TruthRecord[];
  try {
    truth = readTruth(options.truth, await readFile(options.truth, 'utf8'));
  } catch (error) {
    return fail(describeError(error));
  }
  const run = truth[0] as RunTruth;
  // Evaluate reads a store; it does not make one. A mistyped --db would otherwise be created empty and
  // measured as a run where fusion found nothing.
  if (options.databaseUrl === undefined && options.db !== undefined && !existsSync(options.db))
    return fail(`--db ${options.db}: no such database (ingest the simulation into it first)`);
  const overwrites = overwritesStoreFile(options.json, '--json', options);
  if (overwrites !== undefined) return fail(overwrites);
  if (sameFile(options.json, options.truth))
    return fail(`--json ${options.json}: that is the truth file; write the figures to another file`);
  const deps = await runtime.openDeps(options, 'read');
  let result: Evaluation;
  try {
    const problem = await notThisRun(deps, run, truth);
    if (problem !== undefined) return fail(problem);
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

const TRUTH_TYPES: ReadonlySet<string> = new Set<TruthRecord['type']>([
  'run',
  'round',
  'false-alarm',
  'sensor-outage',
  'escalation',
  'weapon-placement',
  'troop-presence',
  'drone-flight',
  'impediment',
  'complaint',
  'monitor-flight',
]);

/**
 * The truth file's records: JSON objects of the simulator's types, the first the run's. Another file
 * (the observations, say) is refused with its first wrong line, not measured as a run with no fire.
 */
function readTruth(path: string, text: string): TruthRecord[] {
  const records: TruthRecord[] = [];
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new Error(`${path}:${i + 1}: not JSON (${describeError(error)})`);
    }
    const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
    if (typeof type !== 'string' || !TRUTH_TYPES.has(type))
      throw new Error(
        `${path}:${i + 1}: not a ground-truth record of \`truceline simulate\` (type ${JSON.stringify(type ?? null)})`,
      );
    if ((records.length === 0) !== (type === 'run'))
      throw new Error(
        records.length === 0
          ? `${path}:${i + 1}: a truth file starts with its run record (type "run")`
          : `${path}:${i + 1}: a second run record: one truth file holds one run`,
      );
    records.push(value as TruthRecord);
  }
  if (records.length === 0) throw new Error(`${path}: no records`);
  return records;
}

/**
 * Why the store does not hold exactly this run, if it does not: its agreement, as many observations as
 * the run wrote, and the radar tracks the truth names. A store holding two runs would mix their events.
 */
async function notThisRun(
  deps: AppDeps,
  run: RunTruth,
  truth: readonly TruthRecord[],
): Promise<string | undefined> {
  const agreements = await deps.store.agreements.list();
  if (!agreements.some((a) => a.id === run.agreementId))
    return `the store holds no agreement ${run.agreementId}, which this run simulated: is it the right --db?`;
  const stored = await deps.store.observations.count();
  if (stored !== run.observationLines)
    return (
      `the store holds ${stored} observations and this run wrote ${run.observationLines}: evaluate a ` +
      'database that holds this run alone (`truceline ingest DIR` into a new file)'
    );
  for (const round of truth) {
    if (round.type !== 'round' || round.radar === null) continue;
    // The first radar track the run wrote, stored and timed as this run timed it (record ids repeat
    // from seed to seed; the times do not).
    const track = await deps.store.observations.findByRecordId(round.radar.sourceId, round.radar.recordId);
    if (track === undefined || Math.abs(track.observedAtMs - round.launch.timeMs) > 5_000)
      return `the store does not hold ${round.radar.sourceId}/${round.radar.recordId} as this run wrote it: it holds another run`;
    break;
  }
  return undefined;
}

/** Whether two paths name one file (both resolved; a missing one by its resolved name). */
function sameFile(a: string, b: string): boolean {
  const real = (path: string): string => {
    try {
      return realpathSync(path);
    } catch {
      return resolve(path);
    }
  };
  return real(a) === real(b);
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
