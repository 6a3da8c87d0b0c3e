import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import {
  SHIPPED_IDS,
  brokenFixtures,
  fixturePath,
  fixtureText,
  shippedPath,
} from '../../../test/fixtures/agreements/load.ts';
import { agreementValidate } from './agreement-validate.ts';

async function run(file: string): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await agreementValidate(file, {
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
  });
  return { code, stdout, stderr };
}

const scratch = mkdtempSync(join(tmpdir(), 'truceline-agreement-validate-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('truceline agreement validate', () => {
  for (const id of SHIPPED_IDS)
    it(`accepts the shipped ${id} and exits 0`, async () => {
      const { code, stdout, stderr } = await run(shippedPath(id));
      assert.equal(code, 0);
      assert.deepEqual(stderr, []);
      assert.equal(stdout.length, 1);
      assert.match(
        stdout[0] ?? '',
        new RegExp(`^no problems in .*${id}\\.yaml: agreement ${id}, \\d+ versions? \\(${id}@1`),
      );
    });

  it('prints one line per problem, path first, then the count, and exits 1', async () => {
    const file = fixturePath('broken/zone-distance-not-positive.yaml');
    const { code, stdout, stderr } = await run(file);
    assert.equal(code, 1);
    assert.deepEqual(stdout, ['zones[2].distanceKm: must be greater than 0\n', `1 problem in ${file}\n`]);
    assert.deepEqual(stderr, []);
  });

  it('rejects every broken fixture, each line "path: reason"', async () => {
    for (const name of brokenFixtures()) {
      const { code, stdout } = await run(fixturePath(name));
      assert.equal(code, 1, name);
      const problems = stdout.slice(0, -1);
      assert.ok(problems.length >= 1, name);
      for (const line of problems)
        assert.match(line, /^(\(root\)|[A-Za-z][\w.[\]]*): \S.*\n$/, `${name}: ${line}`);
      assert.equal(
        stdout.at(-1),
        `${problems.length} ${problems.length === 1 ? 'problem' : 'problems'} in ${fixturePath(name)}\n`,
      );
    }
  });

  it('reads JSON by its extension', async () => {
    const file = join(scratch, 'per-party-lines.json');
    writeFileSync(file, JSON.stringify(parseYaml(fixtureText('per-party-lines.yaml'))));
    const { code, stdout } = await run(file);
    assert.equal(code, 0);
    assert.match(
      stdout[0] ?? '',
      /^no problems in .*: agreement per-party-lines, 3 versions \(per-party-lines@1, per-party-lines@2, per-party-lines@3\)\n$/,
    );
    // The same YAML text under a .json name is not JSON.
    const misnamed = join(scratch, 'misnamed.json');
    writeFileSync(misnamed, fixtureText('per-party-lines.yaml'));
    const wrong = await run(misnamed);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stdout[0] ?? '', /^\(root\): is not valid JSON: /);
  });

  it('exits 1 with a clear message for a file it cannot read or whose format it cannot tell', async () => {
    const missing = await run(join(scratch, 'nowhere.yaml'));
    assert.equal(missing.code, 1);
    assert.deepEqual(missing.stdout, []);
    assert.match(missing.stderr[0] ?? '', /nowhere\.yaml: cannot read it: no such file\n$/);

    writeFileSync(join(scratch, 'x.txt'), 'x');
    const txt = await run(join(scratch, 'x.txt'));
    assert.equal(txt.code, 1);
    assert.match(
      txt.stderr[0] ?? '',
      /cannot tell the format: the file name must end in \.yaml, \.yml or \.json\n$/,
    );
  });

  it('refuses a directory named like an agreement', async () => {
    const directory = join(scratch, 'folder.yml');
    mkdirSync(directory);
    const { code, stderr } = await run(directory);
    assert.equal(code, 1);
    assert.match(stderr[0] ?? '', /folder\.yml: cannot read it: not a file\n$/);
  });
});
