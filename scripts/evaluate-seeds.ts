/**
 * `node --import tsx scripts/evaluate-seeds.ts [--hours H] [--seeds 1,2,3] [--intensity worst-day]`
 *
 * simulate → ingest DIR → evaluate for each shipped agreement and seed, through the real `truceline`
 * command on fresh SQLite files; writes bench/results/evaluation.json and prints the table the README
 * shows, each row beside the target.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/truceline.js');

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const at = args.indexOf(name);
  return at === -1 ? fallback : (args[at + 1] ?? fallback);
};
const hours = option('--hours', '6');
const seeds = option('--seeds', '1,2,3').split(',');
const intensity = option('--intensity', 'worst-day');
const agreements = ['donbas-2015', 'paris-2026-illustrative'];

const run = (...argv: string[]): string =>
  execFileSync(process.execPath, [BIN, ...argv], { encoding: 'utf8' });

interface Row {
  agreement: string;
  seed: number;
  hours: number;
  intensity: string;
  seconds: number;
  figures: Record<string, unknown>;
}

const rows: Row[] = [];
const work = mkdtempSync(join(tmpdir(), 'truceline-evaluate-'));
try {
  for (const agreement of agreements)
    for (const seed of seeds) {
      const dir = join(work, `${agreement}-${seed}`);
      const db = join(work, `${agreement}-${seed}.db`);
      const out = join(work, `${agreement}-${seed}.json`);
      const started = performance.now();
      run(
        'simulate',
        '--agreement',
        agreement,
        '--hours',
        hours,
        '--seed',
        seed,
        '--intensity',
        intensity,
        '--out',
        dir,
      );
      run('ingest', dir, '--db', db, '--json');
      run('evaluate', '--truth', join(dir, 'truth.ndjson'), '--json', out, '--db', db);
      const seconds = (performance.now() - started) / 1000;
      const figures = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
      rows.push({ agreement, seed: Number(seed), hours: Number(hours), intensity, seconds, figures });
      process.stderr.write(`${agreement} seed ${seed}: ${seconds.toFixed(1)} s\n`);
    }
} finally {
  rmSync(work, { recursive: true, force: true });
}
writeFileSync(join(ROOT, 'bench/results/evaluation.json'), `${JSON.stringify(rows, null, 2)}\n`);

const num = (v: unknown, digits: number): string => (typeof v === 'number' ? v.toFixed(digits) : '—');
const get = (o: Record<string, unknown>, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);
const columns: [string, string, number, string][] = [
  ['attributed', 'attributedEvents', 0, ''],
  ['false attribution', 'falseAttributionRate', 4, '≤ 0.005'],
  ['coverage', 'attributionCoverage', 3, '≥ 0.80'],
  ['recall (eligible)', 'recallEligibleFireMissions', 3, '≥ 0.95'],
  ['error ÷ CRLB', 'localisation.medianErrorToCrlbRatio', 2, '≤ 1.5'],
  ['ECE', 'calibration.ece', 4, '≤ 0.02'],
  ['95 % ellipse', 'calibration.ellipse95Coverage', 3, '0.93–0.97'],
  ['calibration n', 'calibration.n', 0, '≥ 1,000'],
];
const header = `| agreement | seed | ${columns.map(([name]) => name).join(' | ')} |`;
const targets = `| target | | ${columns.map(([, , , target]) => target).join(' | ')} |`;
const lines = rows.map(
  (r) =>
    `| ${r.agreement} | ${r.seed} | ${columns.map(([, path, d]) => num(get(r.figures, path), d)).join(' | ')} |`,
);
process.stdout.write(
  `${header}\n|${' --- |'.repeat(columns.length + 2)}\n${targets}\n${lines.join('\n')}\n\n(${intensity}, ${hours} h each)\n`,
);
