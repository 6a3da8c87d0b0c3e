#!/usr/bin/env node
// Runs every *.test.ts file under src/ and test/ with node's test runner.
// On Node 20, `node --test` finds no .ts files by itself, so the files are passed explicitly; a
// counting reporter then checks that every file found was run, and the run fails if not.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ensureBuilt } from './build.mjs';
import { findTestFiles } from './test-files.mjs';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv.slice(2);
let files = findTestFiles(root);
if (filter.length > 0) files = files.filter((f) => filter.some((part) => f.includes(part)));
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
// The tests run `truceline` as users do (bin/truceline.js, which runs the compiled bundle): compile it
// once here, not in the first tests that start it, side by side.
await ensureBuilt();
const scratch = mkdtempSync(join(tmpdir(), 'truceline-tests-'));
const countFile = join(scratch, 'files.txt');
const args = [
  '--import',
  'tsx',
  '--test',
  `--test-concurrency=${process.env.TRUCELINE_TEST_CONCURRENCY ?? '2'}`,
  // A test that waits forever (a stream left open, a message that never comes) fails after this
  // instead of holding CI to its limit; tests that need longer say so in their options.
  `--test-timeout=${process.env.TRUCELINE_TEST_TIMEOUT_MS ?? '600000'}`,
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  `--test-reporter=${join(root, 'scripts/file-count-reporter.mjs')}`,
  `--test-reporter-destination=${countFile}`,
  ...files.map((f) => relative(root, f)),
];
const child = spawn(process.execPath, args, {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    TRUCELINE_TEST_FILES_FOUND: String(files.length),
    TRUCELINE_TEST_FILTERED: filter.length > 0 ? '1' : '0',
  },
});
child.on('exit', (code, signal) => {
  const ran = new Set(readFileSync(countFile, 'utf8').split('\n').filter(Boolean));
  rmSync(scratch, { recursive: true, force: true });
  const missing = files.filter((f) => !ran.has(f));
  if (missing.length > 0) {
    console.error(
      `run-tests: ${files.length} test files found, ${ran.size} run; not run: ${missing.map((f) => relative(root, f)).join(', ')}`,
    );
    process.exit(1);
  }
  process.exit(code ?? (signal ? 1 : 0));
});
