/**
 * @module `npm run bench -- AREA [--rows N] [--runs R] [--no-growth] [--seed S] [--only ITEM,…] [--cpu-prof]`
 *
 * Runs one area's figures beside their limits measured in the same run, `R` runs each (medians
 * reported), at N lines and — for the ×10 growth — at N/10, then prints a table and writes
 * `bench/results/AREA.json`. The input is regenerated when missing or stale (bench/data/ is not
 * committed). See bench/README.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ROWS, DEFAULT_SEED, DATA_DIR, ensureData } from './generate-observations.ts';
import { makeContext, sizes, type Area, type BenchOptions } from './lib/context.ts';
import { printTable, sourceVersion, writeResults } from './lib/results.ts';

const AREAS: Readonly<Record<string, () => Promise<Area>>> = {
  ingest: async () => (await import('./areas/sqlite-ingest.ts')).ingestArea,
  http: async () => (await import('./areas/http.ts')).httpArea,
  query: async () => (await import('./areas/query.ts')).queryArea,
  postgres: async () => (await import('./areas/postgres.ts')).postgresArea,
  fusion: async () => (await import('./areas/fusion.ts')).fusionArea,
  ledger: async () => (await import('./areas/ledger.ts')).ledgerArea(logEntries),
};

/** Entries of the large log the ledger's verify and proof figures run on (`--log-entries`). */
let logEntries = 10_000_000;

const USAGE = `usage: npm run bench -- AREA [--rows N] [--runs R] [--no-growth] [--seed S] [--only ITEM,…] [--cpu-prof]
  AREA       ${Object.keys(AREAS).join(' | ')}
  --rows N   lines of input (default ${DEFAULT_ROWS.toLocaleString('en')}); N/10 is run too for the ×10 growth
  --runs R   runs of each figure and its limit; medians are reported (default 3)
  --no-growth  skip the N/10 size
  --validation-threads N  the application's validation threads (default: what ships; 0: in process)
  --log-entries M  entries of the log the ledger's verify and proofs run on (default 10,000,000)
  --only ITEM,…  run these items of the area only (e.g. fusion-stream-latency); the area's other
               items stay in its results file as they were, each with its own source stamp
  --cpu-prof   write CPU profiles of the measured processes to bench/data/profiles/ (the figures
               of a profiled run go there too, not to bench/results/)
`;

function parse(argv: readonly string[]): { area: string; options: BenchOptions } | string {
  const args = [...argv];
  let area: string | undefined;
  let rows = DEFAULT_ROWS;
  let runs = 3;
  let growth = true;
  let seed = DEFAULT_SEED;
  let validationThreads: number | undefined;
  let only: Set<string> | undefined;
  const nodeOptions: string[] = [];
  const int = (flag: string, text: string | undefined, min: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} needs an integer ≥ ${min}`);
    return n;
  };
  try {
    while (args.length > 0) {
      const arg = args.shift()!;
      if (arg === '--rows') rows = int(arg, args.shift(), 100);
      else if (arg === '--runs') runs = int(arg, args.shift(), 1);
      else if (arg === '--seed') seed = int(arg, args.shift(), 0);
      else if (arg === '--no-growth') growth = false;
      else if (arg === '--validation-threads') validationThreads = int(arg, args.shift(), 0);
      else if (arg === '--log-entries') logEntries = int(arg, args.shift(), 1000);
      else if (arg === '--only') {
        const names = (args.shift() ?? '').split(',').filter((name) => name !== '');
        if (names.length === 0) throw new Error('--only needs item names, e.g. fusion-stream-latency');
        only = new Set(names);
      } else if (arg === '--cpu-prof')
        nodeOptions.push('--cpu-prof', `--cpu-prof-dir=${join(DATA_DIR, 'profiles')}`);
      else if (arg === '--help' || arg === '-h') return USAGE;
      else if (!arg.startsWith('-') && area === undefined) area = arg;
      else return `unknown argument ${arg}\n${USAGE}`;
    }
  } catch (error) {
    return `${error instanceof Error ? error.message : String(error)}\n${USAGE}`;
  }
  if (area === undefined || !(area in AREAS)) return USAGE;
  return {
    area,
    options: {
      rows,
      runs,
      growth,
      seed,
      nodeOptions,
      ...(validationThreads === undefined ? {} : { validationThreads }),
      ...(only === undefined ? {} : { only }),
    },
  };
}

async function main(): Promise<number> {
  const parsed = parse(process.argv.slice(2));
  if (typeof parsed === 'string') {
    process.stderr.write(parsed);
    return 2;
  }
  const { area, options } = parsed;
  // The ledger's records are made by its own tasks.
  if (area !== 'ledger') for (const rows of sizes(options)) ensureData(rows, options.seed);
  const tmpDir = mkdtempSync(join(tmpdir(), `truceline-bench-${area}-`));
  const context = makeContext(options, tmpDir);
  // The version at the start: a commit landing during a long run does not relabel its figures.
  const version = {
    ...sourceVersion(),
    validationThreads: options.validationThreads ?? `default (${availableParallelism()} cores)`,
  };
  if (version.srcDirty)
    context.log(
      `note: src/ has uncommitted changes; the figures are of the working tree on ${version.commit}`,
    );
  try {
    const run = await AREAS[area]!();
    context.log(
      `${area}: ${options.rows.toLocaleString('en')} lines, ${options.runs} runs${options.growth ? ', with the ×10 growth' : ''}`,
    );
    // An area that does not look at `--only` runs every item: those not asked for are left out here.
    const items = (await run(context)).filter((item) => context.wants(item.name));
    const missing = [...(options.only ?? [])].filter((name) => !items.some((item) => item.name === name));
    if (missing.length > 0) {
      process.stderr.write(`no item ${missing.join(', ')} in ${area}: nothing written\n`);
      return 2;
    }
    printTable(items);
    // Profiled figures are slower than real ones: they go beside the profiles, not into bench/results.
    const profiling = options.nodeOptions.includes('--cpu-prof');
    // A commit that lands during the run: say so, the figures may mix both versions.
    const after = sourceVersion();
    const stamp = after.commit === version.commit ? version : { ...version, commitAtEnd: after.commit };
    if (after.commit !== version.commit)
      context.log(`note: HEAD moved from ${version.commit} to ${after.commit} during the run`);
    const merge = options.only !== undefined;
    const file = profiling
      ? writeResults(area, items, stamp, join(DATA_DIR, 'profiles'), merge)
      : writeResults(area, items, stamp, undefined, merge);
    process.stdout.write(`written ${file}\n`);
    return 0;
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
