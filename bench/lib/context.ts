/** @module What every area gets: the options of the run, a scratch directory, a log line. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchItem } from './results.ts';

export interface BenchOptions {
  /** Lines of the input file (the large size; the ×10 growth runs a tenth of it too). */
  readonly rows: number;
  readonly runs: number;
  readonly growth: boolean;
  readonly seed: number;
  /** Node options for the measured processes (e.g. --cpu-prof). */
  readonly nodeOptions: readonly string[];
  /** Validation threads of the application (undefined: the shipped default). */
  readonly validationThreads?: number;
  /** The items to run, by name (undefined: every item of the area). */
  readonly only?: ReadonlySet<string>;
}

export interface AreaContext extends BenchOptions {
  /** A scratch directory of this run, removed at the end. */
  readonly tmpDir: string;
  /** A fresh path in the scratch directory. */
  readonly tmpPath: (name: string) => string;
  readonly log: (message: string) => void;
  /** Whether the item `name` is to be run (`--only`). An area that does not ask runs them all. */
  readonly wants: (name: string) => boolean;
}

export type Area = (context: AreaContext) => Promise<BenchItem[]>;

let counter = 0;

export function makeContext(options: BenchOptions, tmpDir: string): AreaContext {
  return {
    ...options,
    tmpDir,
    tmpPath: (name) => join(tmpDir, `${String((counter += 1)).padStart(3, '0')}-${name}`),
    log: (message) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`),
    wants: (name) => options.only === undefined || options.only.has(name),
  };
}

/** Removes a database file and its WAL and shared-memory files. */
export function removeDb(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
}

/** The sizes to run: a tenth of the rows first (for the ×10 growth), then the rows. */
export function sizes(context: BenchOptions): number[] {
  const small = Math.round(context.rows / 10);
  return context.growth && small >= 1000 ? [small, context.rows] : [context.rows];
}
