#!/usr/bin/env node
// Compiles the `truceline` command into dist/ (docs/decisions/0011-compiled-command.md): one ESM
// bundle of src/main.ts and one of each of its threads (validation, WAL checkpoints) beside it, made by esbuild (npm packages
// compiled in but for those named in EXTERNAL), and a stamp naming each file that went in with its
// size and time. `ensureBuilt` compiles again only when one of those files changed, so the command
// never runs code older than its sources and needs no build step of its own: `npm ci` builds
// (`prepare`), and the first run after an edit rebuilds (~0.3–0.8 s).
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The validation thread's entry; its bundle is found beside the one that starts it. */
const VALIDATION_WORKER = 'src/adapters/workers/validation-worker.ts';

/** The WAL checkpoint thread's entry, likewise. */
const CHECKPOINT_WORKER = 'src/adapters/workers/wal-checkpoint-worker.ts';

/**
 * Packages loaded from node_modules at run time rather than compiled in: native addons, and those that
 * find files of their own on disk or start threads from them (Fastify's logger, Swagger UI's assets).
 * Every other package is compiled into the bundle, which holds one module where Node's loader would
 * keep hundreds (zod and kysely: ~10 MB less resident memory in each thread that loads them).
 */
const EXTERNAL = ['better-sqlite3', 'argon2', 'pg', 'fastify', '@fastify/*', 'openid-client'];

/** The command: `dist/truceline.mjs`, which exports `main`. */
export const COMMAND = { entry: 'src/main.ts', name: 'truceline', outdir: join(ROOT, 'dist') };

const STAMP = 'inputs.json';

/** Whether `outdir` holds a build of `name` whose every input is as it was when it was built. */
function isFresh(outdir, name) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(outdir, STAMP), 'utf8'));
  } catch {
    return false;
  }
  if (stamp.name !== name || !Array.isArray(stamp.inputs) || !Array.isArray(stamp.outputs)) return false;
  try {
    for (const output of stamp.outputs) statSync(join(outdir, output));
    for (const [path, size, mtimeMs] of stamp.inputs) {
      const info = statSync(join(ROOT, path));
      if (info.size !== size || info.mtimeMs !== mtimeMs) return false;
    }
  } catch {
    return false;
  }
  return true;
}

/**
 * Compiles `entry` (a path from the repository root) into `outdir/<name>.mjs`, with the validation
 * thread as `outdir/validation-worker.mjs` and the checkpoint thread as `outdir/wal-checkpoint-worker.mjs`
 * (and with `splitting`, the chunks its dynamic imports load;
 * such an outdir is emptied first, so it must not be one a running process may still load from).
 * Files are written under a temporary name and renamed, so a process starting meanwhile reads either
 * the old bundle or the new one, whole.
 */
export async function build({ entry, name, outdir, splitting = false }) {
  const esbuild = await import('esbuild');
  const staging = `${outdir}.staging-${process.pid}-${Date.now()}`;
  try {
    const result = await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints: {
        [name]: entry,
        'validation-worker': VALIDATION_WORKER,
        'wal-checkpoint-worker': CHECKPOINT_WORKER,
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: EXTERNAL,
      // CommonJS packages compiled into an ES module still call require() for Node's own modules.
      banner: {
        js: "import { createRequire as createRequireOfBundle } from 'node:module'; const require = createRequireOfBundle(import.meta.url);",
      },
      outdir: staging,
      // Code split into chunks that load when first imported (the bench's tasks load only their own).
      splitting,
      outExtension: { '.js': '.mjs' },
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'warning',
    });
    const inputs = Object.keys(result.metafile.inputs).map((path) => {
      const info = statSync(join(ROOT, path));
      return [path, info.size, info.mtimeMs];
    });
    const outputs = Object.keys(result.metafile.outputs).map((path) =>
      join(ROOT, path).slice(staging.length + 1),
    );
    // Chunks are named by their hash: those of an earlier build are removed with it.
    if (splitting) rmSync(outdir, { recursive: true, force: true });
    mkdirSync(outdir, { recursive: true });
    for (const output of outputs) renameSync(join(staging, output), join(outdir, output));
    const stamp = `${JSON.stringify({ name, inputs, outputs })}\n`;
    writeFileSync(join(staging, STAMP), stamp);
    renameSync(join(staging, STAMP), join(outdir, STAMP));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return join(outdir, `${name}.mjs`);
}

/** The bundle of `target`, compiled first if it is missing or older than any of its sources. */
export async function ensureBuilt(target = COMMAND) {
  if (isFresh(target.outdir, target.name)) return join(target.outdir, `${target.name}.mjs`);
  return build(target);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const bundle = await build(COMMAND);
  console.log(`built ${bundle} in ${Math.round(performance.now() - started)} ms`);
}
