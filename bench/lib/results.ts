/** @module The result items every area writes to `bench/results/AREA.json`, and the table it prints. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { BENCH_DIR } from '../generate-observations.ts';
import { median, sig } from './stats.ts';

/**
 * One figure beside its limit. `value` and `limit.value` are medians over the runs; `ratio` is always
 * "how close to the limit", higher is better (value ÷ limit for rates, limit ÷ value for latencies),
 * and is the median of the runs' own ratios: each run measures its figure and its limit back to back,
 * so on a noisy machine the ratio of one run is steadier than either figure.
 */
export interface BenchItem {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly limit: { readonly name: string; readonly value: number };
  readonly ratio: number;
  readonly runs: number;
  readonly peakRssMb: number;
  /** Every run's figures, the target, and how cost grows ×10. */
  readonly detail: Readonly<Record<string, unknown>>;
}

/** One run of a measured thing and its limit. */
export interface RunSample {
  /** The figure of this run and its limit, measured back to back. */
  readonly value: number;
  readonly limit: number;
  readonly peakRssMb: number;
  readonly limitPeakRssMb: number;
  readonly extra?: Readonly<Record<string, unknown>>;
}

export type Better = 'higher' | 'lower';

/** The ratio of one run or of the medians. */
export const ratioOf = (value: number, limit: number, better: Better): number =>
  better === 'higher' ? value / limit : limit / value;

/** How the medians grow from `small` to `large` rows (×10 the work). */
export interface Growth {
  readonly rows: readonly [number, number];
  readonly value: readonly [number, number];
  readonly limit: readonly [number, number];
  readonly peakRssMb: readonly [number, number];
  /** Cost (time per run, or latency) at the large size ÷ at the small size. */
  readonly costFactor: number;
  /** The same for the limit. */
  readonly limitCostFactor: number;
  readonly peakRssFactor: number;
}

export interface ItemSpec {
  readonly name: string;
  readonly unit: string;
  readonly limitName: string;
  readonly better: Better;
  readonly rows: number;
  readonly samples: readonly RunSample[];
  readonly target?: string;
  readonly met?: boolean;
  readonly growth?: Growth;
  readonly notes?: readonly string[];
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** The 1-minute load average now: other work on the machine, reported beside each run. */
export const loadNow = (): number => Number((loadavg()[0] ?? 0).toFixed(1));

/** Medians of the runs, as a result item. */
export function makeItem(spec: ItemSpec): BenchItem {
  const value = median(spec.samples.map((s) => s.value));
  const limit = median(spec.samples.map((s) => s.limit));
  return {
    name: spec.name,
    value: sig(value, 4),
    unit: spec.unit,
    limit: { name: spec.limitName, value: sig(limit, 4) },
    ratio: sig(median(spec.samples.map((s) => ratioOf(s.value, s.limit, spec.better))), 3),
    runs: spec.samples.length,
    peakRssMb: Math.round(Math.max(...spec.samples.map((s) => s.peakRssMb))),
    detail: {
      rows: spec.rows,
      better: spec.better,
      ...(spec.target === undefined ? {} : { target: spec.target, met: spec.met }),
      samples: spec.samples.map((s) => ({
        value: sig(s.value, 4),
        limit: sig(s.limit, 4),
        ratio: sig(ratioOf(s.value, s.limit, spec.better), 3),
        peakRssMb: Math.round(s.peakRssMb),
        limitPeakRssMb: Math.round(s.limitPeakRssMb),
        ...s.extra,
      })),
      limitPeakRssMb: Math.round(Math.max(...spec.samples.map((s) => s.limitPeakRssMb))),
      ...(spec.growth === undefined ? {} : { growth: spec.growth }),
      ...spec.extra,
      ...(spec.notes === undefined ? {} : { notes: spec.notes }),
    },
  };
}

/** Growth between the medians of two sizes; for rates, cost is rows ÷ rate. */
export function growthOf(
  better: Better,
  small: { rows: number; samples: readonly RunSample[] },
  large: { rows: number; samples: readonly RunSample[] },
): Growth {
  const med = (samples: readonly RunSample[], key: 'value' | 'limit' | 'peakRssMb'): number =>
    median(samples.map((s) => s[key]));
  const cost = (rows: number, figure: number): number => (better === 'higher' ? rows / figure : figure);
  const v = [med(small.samples, 'value'), med(large.samples, 'value')] as const;
  const l = [med(small.samples, 'limit'), med(large.samples, 'limit')] as const;
  const r = [
    Math.max(...small.samples.map((s) => s.peakRssMb)),
    Math.max(...large.samples.map((s) => s.peakRssMb)),
  ] as const;
  return {
    rows: [small.rows, large.rows],
    value: [sig(v[0], 4), sig(v[1], 4)],
    limit: [sig(l[0], 4), sig(l[1], 4)],
    peakRssMb: [Math.round(r[0]), Math.round(r[1])],
    costFactor: sig(cost(large.rows, v[1]) / cost(small.rows, v[0]), 3),
    limitCostFactor: sig(cost(large.rows, l[1]) / cost(small.rows, l[0]), 3),
    peakRssFactor: sig(r[1] / r[0], 3),
  };
}

/** The commit the figures are of, and whether src/ had uncommitted changes when they were taken. */
export function sourceVersion(): { commit: string; srcDirty: boolean; date: string } {
  const git = (...args: string[]): string =>
    execFileSync('git', args, {
      cwd: BENCH_DIR,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  try {
    return {
      commit: git('rev-parse', '--short', 'HEAD'),
      srcDirty: git('status', '--porcelain', '--', '../src') !== '',
      date: new Date().toISOString(),
    };
  } catch {
    return { commit: 'unknown', srcDirty: true, date: new Date().toISOString() };
  }
}

/** Writes `bench/results/AREA.json`, each item stamped with the source version it measured. */
export function writeResults(
  area: string,
  items: readonly BenchItem[],
  version: object = sourceVersion(),
  dir = join(BENCH_DIR, 'results'),
  /** Keep the file's other items (a run of some items only): each keeps its own source stamp. */
  merge = false,
): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${area}.json`);
  const stamped = items.map((item) => ({ ...item, detail: { ...item.detail, source: version } }));
  let written: BenchItem[] = stamped;
  if (merge && existsSync(file)) {
    const before = JSON.parse(readFileSync(file, 'utf8')) as BenchItem[];
    const fresh = new Map(stamped.map((item) => [item.name, item]));
    written = before.map((item) => fresh.get(item.name) ?? item);
    for (const item of stamped) if (!before.some((b) => b.name === item.name)) written.push(item);
  }
  writeFileSync(file, `${JSON.stringify(written, null, 2)}\n`);
  return file;
}

const fmt = (n: number): string =>
  Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en') : String(sig(n, 3));

/** Prints the items as a table. */
export function printTable(items: readonly BenchItem[]): void {
  const header = ['item', 'value', 'limit', 'ratio', 'target', 'runs', 'peak RSS', '×10 cost / RSS'];
  const rows = items.map((item) => {
    const growth = item.detail.growth as Growth | undefined;
    const target = item.detail.target as string | undefined;
    const met = item.detail.met as boolean | undefined;
    return [
      item.name,
      `${fmt(item.value)} ${item.unit}`,
      `${fmt(item.limit.value)} (${item.limit.name})`,
      `${(item.ratio * 100).toFixed(1)} %`,
      target === undefined ? '' : `${target} ${met === true ? 'met' : 'MISSED'}`,
      String(item.runs),
      `${item.peakRssMb} MB`,
      growth === undefined ? '' : `×${growth.costFactor} / ×${growth.peakRssFactor}`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join(' │ ');
  process.stdout.write(`${line(header)}\n${widths.map((w) => '─'.repeat(w)).join('─┼─')}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
}
