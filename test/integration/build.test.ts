// scripts/build.mjs: the bundle `truceline` runs is compiled again exactly when one of its inputs changed.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ensureBuilt } from '../../scripts/build.mjs';

describe('the compiled bundle', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'truceline-build-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Imports the bundle afresh (a query string defeats the module cache) and returns its `value`. */
  const valueOf = async (bundle: string): Promise<unknown> => {
    const mtime = statSync(bundle).mtimeMs;
    const module = (await import(`${pathToFileURL(bundle).href}?${String(mtime)}`)) as { value: unknown };
    return module.value;
  };

  test('builds when missing, reuses a fresh build, rebuilds when a source or the stamp changes', async () => {
    const helper = join(dir, 'helper.ts');
    const entry = join(dir, 'entry.ts');
    writeFileSync(helper, 'export const base: number = 1;\n');
    writeFileSync(entry, "import { base } from './helper.ts';\nexport const value = base + 1;\n");
    const target = { entry, name: 'entry', outdir: join(dir, 'out') };

    const bundle = await ensureBuilt(target);
    assert.equal(await valueOf(bundle), 2);
    assert.ok(
      statSync(join(dir, 'out', 'validation-worker.mjs')).isFile(),
      'the validation thread beside it',
    );
    assert.ok(
      statSync(join(dir, 'out', 'wal-checkpoint-worker.mjs')).isFile(),
      'the checkpoint thread beside it',
    );
    const stamp = JSON.parse(readFileSync(join(dir, 'out', 'inputs.json'), 'utf8')) as {
      inputs: [string, number, number][];
    };
    const names = stamp.inputs.map(([path]) => path);
    assert.ok(names.some((p) => p.endsWith('helper.ts')) && names.some((p) => p.endsWith('entry.ts')));

    // Nothing changed: the same file, not written again.
    const built = statSync(bundle).mtimeMs;
    assert.equal(await ensureBuilt(target), bundle);
    assert.equal(statSync(bundle).mtimeMs, built);

    // An imported file changes (same size, later time): compiled again.
    writeFileSync(helper, 'export const base: number = 5;\n');
    utimesSync(helper, new Date(), new Date(Date.now() + 2000));
    assert.equal(await valueOf(await ensureBuilt(target)), 6);

    // A stamp that cannot be read is a missing build.
    writeFileSync(join(dir, 'out', 'inputs.json'), '{');
    writeFileSync(helper, 'export const base: number = 10;\n');
    assert.equal(await valueOf(await ensureBuilt(target)), 11);
  });
});
