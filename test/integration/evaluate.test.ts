import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { expectedCalibrationError, wilsonUpper95 } from '../../src/sim/evaluation.ts';
import { runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'truceline-evaluate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

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
  const simulated = await runCli([
    'simulate',
    '--agreement',
    'donbas-2015',
    '--hours',
    '1',
    '--seed',
    '2',
    '--intensity',
    'normal',
    '--out',
    sim,
  ]);
  assert.equal(simulated.code, 0, simulated.stderr);
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
