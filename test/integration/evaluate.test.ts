import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { expectedCalibrationError, wilsonUpper95 } from '../../src/sim/evaluation.ts';
import { runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'truceline-evaluate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** One hour of `normal` fire on donbas-2015 into `out`. */
async function simulateHour(seed: number, out: string): Promise<void> {
  const args = [
    '--agreement',
    'donbas-2015',
    '--hours',
    '1',
    '--seed',
    String(seed),
    '--intensity',
    'normal',
  ];
  const simulated = await runCli(['simulate', ...args, '--out', out]);
  assert.equal(simulated.code, 0, simulated.stderr);
}

const KEYS = [
  'attributedEvents',
  'falseAttributionRate',
  'falseAttributionUpper95',
  'attributionCoverage',
  'eligibleFireMissions',
  'recallEligibleFireMissions',
  'localisation',
  'calibration',
  'latencyMs',
  'recallByClause',
  'coverage',
];

test('simulate → ingest DIR → evaluate: events and potential violations are stored and the figures come out under the pinned keys', async () => {
  const sim = join(dir, 'sim');
  const db = join(dir, 'eval.db');
  const out = join(dir, 'eval.json');
  await simulateHour(2, sim);
  const ingested = await runCli(['ingest', sim, '--db', db, '--json']);
  assert.equal(ingested.code, 0, ingested.stderr);
  const counts = JSON.parse(ingested.stdout) as Record<string, number>;
  assert.equal(counts.rejected, 0);
  assert.ok(counts.events! > 0, 'fusion made no events');
  assert.ok(counts.violations! > 0, 'the rules found no potential violations');

  const evaluated = await runCli([
    'evaluate',
    '--truth',
    join(sim, 'truth.ndjson'),
    '--json',
    out,
    '--db',
    db,
  ]);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  assert.match(evaluated.stdout, /false attribution rate/);
  const figures = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(figures), KEYS);
  const rates = [
    figures.falseAttributionRate,
    figures.falseAttributionUpper95,
    figures.attributionCoverage,
    figures.recallEligibleFireMissions,
  ];
  for (const rate of rates)
    assert.ok(typeof rate === 'number' && rate >= 0 && rate <= 1, `rate ${String(rate)}`);
  assert.deepEqual(Object.keys(figures.localisation as object), [
    'matched',
    'medianErrorM',
    'p90ErrorM',
    'medianErrorToCrlbRatio',
  ]);
  assert.deepEqual(Object.keys(figures.calibration as object), ['n', 'ece', 'brier', 'ellipse95Coverage']);
  assert.deepEqual(Object.keys(figures.latencyMs as object), ['p99']);
  // The truth holds sensor outages: coverage must say sensors were down.
  const coverage = figures.coverage as { acousticUptime: number; downSensorHours: number };
  assert.ok(coverage.acousticUptime < 1 && coverage.downSensorHours > 0);
});

test('evaluate refuses what would measure something else: no database, the wrong truth, another run, its own inputs as output', async () => {
  // The first test's simulation and database.
  const sim = join(dir, 'sim');
  const db = join(dir, 'eval.db');
  const truth = join(sim, 'truth.ndjson');
  const evaluate = (args: string[]) => runCli(['evaluate', ...args]);
  const refusals: [string[], RegExp][] = [
    [
      ['--truth', truth, '--json', join(dir, 'a.json'), '--db', join(dir, 'typo.db')],
      /--db .*typo\.db: no such database/,
    ],
    [
      ['--truth', join(sim, 'observations.ndjson'), '--json', join(dir, 'b.json'), '--db', db],
      /observations\.ndjson:1: not a ground-truth record/,
    ],
    [['--truth', truth, '--json', db, '--db', db], /--json .*: that is the database/],
    [['--truth', truth, '--json', truth, '--db', db], /--json .*: that is the truth file/],
    [['--truth', truth, '--json', `${db}.ledger-key`, '--db', db], /--json .*: that is the ledger key/],
    [['--truth', truth, '--json', `${db}-wal`, '--db', db], /--json .*: that is the database's log/],
  ];
  // Another seed of the same agreement, hour and intensity: the same number of lines is unlikely, and
  // its radar tracks are timed otherwise.
  const other = join(dir, 'sim-other');
  await simulateHour(3, other);
  refusals.push([
    ['--truth', join(other, 'truth.ndjson'), '--json', join(dir, 'c.json'), '--db', db],
    /holds another run|this run wrote/,
  ]);
  // Two runs in one database would mix their events.
  const both = join(dir, 'both.db');
  assert.equal((await runCli(['ingest', sim, '--db', both])).code, 0);
  // (The other directory whole is refused there: its sensors are other sensors under the same ids.)
  assert.equal((await runCli(['ingest', join(other, 'observations.ndjson'), '--db', both])).code, 0);
  refusals.push([
    ['--truth', truth, '--json', join(dir, 'd.json'), '--db', both],
    /holds \d+ observations and this run wrote \d+/,
  ]);
  const before = readFileSync(db);
  for (const [args, message] of refusals) {
    const result = await evaluate(args);
    assert.equal(result.code, 1, `refused: ${args.join(' ')}\n${result.stdout}`);
    assert.match(result.stderr, message);
  }
  assert.ok(!existsSync(join(dir, 'typo.db')), 'no database was made for the mistyped --db');
  assert.ok(readFileSync(db).equals(before), 'the database was not written over');
  for (const out of ['a.json', 'b.json', 'c.json', 'd.json']) assert.ok(!existsSync(join(dir, out)));
});

test('the Wilson bound and the calibration error are the textbook ones', () => {
  // 0 of 100: the rule-of-three neighbourhood; 5 of 100: the published 95 % upper bound 0.1118.
  assert.ok(Math.abs(wilsonUpper95(0, 100) - 0.037) < 0.001);
  assert.ok(Math.abs(wilsonUpper95(5, 100) - 0.1118) < 0.001);
  assert.equal(wilsonUpper95(0, 0), 1);
  // Perfectly calibrated bins give 0; always-wrong confident answers give their confidence.
  const calibrated = [
    ...Array.from({ length: 8 }, () => ({ confidence: 0.75, correct: true })),
    ...Array.from({ length: 2 }, () => ({ confidence: 0.75, correct: false })),
  ];
  assert.ok(Math.abs((expectedCalibrationError(calibrated) ?? 1) - 0.05) < 1e-9);
  assert.ok(Math.abs((expectedCalibrationError([{ confidence: 0.95, correct: false }]) ?? 0) - 0.95) < 1e-9);
  assert.equal(expectedCalibrationError([]), null);
});
