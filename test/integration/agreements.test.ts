import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { getAgreement } from '../../src/application/get-agreement.ts';
import { registerAgreement } from '../../src/application/register-agreement.ts';
import { readAgreementSource } from '../../src/cli/shipped-agreements.ts';
import { openStore } from '../../src/main.ts';
import { startHarness, type Harness } from '../helpers/app-harness.ts';
import { ROOT, runCli } from '../helpers/cli.ts';

describe('truceline agreement validate (the real command)', () => {
  for (const id of ['donbas-2015', 'paris-2026-illustrative']) {
    test(`accepts the shipped ${id}`, async () => {
      const res = await runCli(['agreement', 'validate', join(ROOT, 'data/agreements', `${id}.yaml`)]);
      assert.equal(res.code, 0, res.stdout + res.stderr);
    });
  }

  test('rejects every broken fixture with exit 1 and one "path: reason" line per problem', async () => {
    const dir = join(ROOT, 'test/fixtures/agreements/broken');
    const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f));
    assert.ok(files.length >= 5);
    for (const file of files) {
      const res = await runCli(['agreement', 'validate', join(dir, file)]);
      assert.equal(res.code, 1, `${file} was accepted`);
      assert.match(res.stdout + res.stderr, /^[\w.[\]()-]+: .+$/m, file);
    }
  });

  test('agreement register of a broken agreement names every problem, as validate does', async () => {
    const dir = join(ROOT, 'test/fixtures/agreements/broken');
    const file = readdirSync(dir).find((f) => /\.(ya?ml|json)$/.test(f)) ?? '';
    const validated = await runCli(['agreement', 'validate', join(dir, file)]);
    const scratch = mkdtempSync(join(tmpdir(), 'truceline-register-broken-'));
    try {
      const registered = await runCli([
        'agreement',
        'register',
        join(dir, file),
        '--db',
        join(scratch, 'x.db'),
      ]);
      assert.equal(registered.code, 1);
      const problems = (validated.stdout + validated.stderr)
        .split('\n')
        .filter((l) => /^[\w.[\]()-]+: /.test(l));
      assert.ok(problems.length > 0);
      for (const problem of problems)
        assert.ok(registered.stderr.includes(problem), `${problem} in ${registered.stderr}`);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  test('refuses an agreement or a source registry whose bytes are not UTF-8, naming the line, and stores nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'truceline-latin1-'));
    try {
      // The shipped agreement with one party's name in Latin-1 (é as the single byte 0xE9) on its line.
      const text = readFileSync(join(ROOT, 'data/agreements/donbas-2015.yaml'), 'utf8');
      const lines = text.split('\n');
      const at = lines.findIndex((line) => /^\s+en: /.test(line));
      lines[at] = `${lines[at]} (caf\u0000)`;
      const bytes = Buffer.from(lines.join('\n'), 'utf8');
      bytes[bytes.indexOf(0)] = 0xe9;
      const agreement = join(dir, 'latin1.yaml');
      writeFileSync(agreement, bytes);
      const validated = await runCli(['agreement', 'validate', agreement]);
      assert.equal(validated.code, 1);
      assert.match(validated.stderr, new RegExp(`latin1\\.yaml: line ${at + 1} is not valid UTF-8`));
      const db = join(dir, 'latin1.db');
      const registered = await runCli(['agreement', 'register', agreement, '--db', db]);
      assert.equal(registered.code, 1);
      assert.match(registered.stderr, new RegExp(`line ${at + 1} is not valid UTF-8`));

      const sources = join(dir, 'sources.json');
      writeFileSync(
        sources,
        Buffer.concat([
          Buffer.from(
            '[{"id":"ac-1","kind":"acoustic","organisation":"mission"},\n{"id":"ac-2","kind":"acoustic","organisation":"caf',
          ),
          Buffer.from([0xe9]),
          Buffer.from('"}]\n'),
        ]),
      );
      const listed = await runCli(['sources', 'register', sources, '--db', db]);
      assert.equal(listed.code, 1);
      assert.match(listed.stderr, /sources\.json: line 2 is not valid UTF-8/);
      const store = await openStore({ db });
      try {
        assert.deepEqual(await store.sources.list(), []);
        assert.deepEqual(await store.agreements.list(), []);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('/api/v1/agreements', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    const outcome = await registerAgreement(h.deps, await readAgreementSource('donbas-2015'));
    assert.equal(outcome.outcome, 'created');
    const again = await registerAgreement(h.deps, await readAgreementSource('donbas-2015'));
    assert.equal(again.outcome, 'unchanged');
  });
  after(() => h.close());

  test('lists registered agreements with their versions', async () => {
    const res = await h.inject({ url: '/api/v1/agreements' });
    assert.equal(res.statusCode, 200);
    const [item] = res.json<{ items: { id: string; versions: { version: string }[] }[] }>().items;
    assert.equal(item?.id, 'donbas-2015');
    assert.ok((item?.versions.length ?? 0) >= 2);
    assert.equal(item?.versions[0]?.version, 'donbas-2015@1');
  });

  test('the terms in force at a time cite the version in force then', async () => {
    const terms = async (at: string) =>
      h.inject({ url: `/api/v1/agreements/donbas-2015/terms?at=${encodeURIComponent(at)}` });
    const early = (await terms('2015-03-01T00:00:00Z')).json<{ version: string; zones: unknown[] }>();
    assert.equal(early.version, 'donbas-2015@1');
    const later = (await terms('2016-01-01T00:00:00Z')).json<{ version: string; zones: unknown[] }>();
    assert.equal(later.version, 'donbas-2015@2');
    const before = await terms('2014-01-01T00:00:00Z');
    assert.equal(before.statusCode, 404);
    assert.equal(before.json<{ code: string }>().code, 'E_NO_TERMS_IN_FORCE');
    const bad = await terms('last tuesday');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json<{ issues: { path: string }[] }>().issues[0]?.path, 'at');
  });

  test('without a token the agreements are a 401', async () => {
    const res = await h.inject({ url: '/api/v1/agreements', anonymous: true });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json<{ code: string }>().code, 'E_UNAUTHENTICATED');
  });

  test('a revision registered after a read is what the next read gives', async () => {
    const source = await readAgreementSource('donbas-2015');
    const read = await getAgreement(h.deps, 'donbas-2015');
    const retitled = source.text.replace(/^title: .*$/m, 'title: Minsk II, retitled');
    const revised = await registerAgreement(h.deps, { ...source, text: retitled });
    assert.equal(revised.outcome, 'revised');
    const next = await getAgreement(h.deps, 'donbas-2015');
    assert.equal(next.record.revision, read.record.revision + 1);
    assert.equal(next.agreement.title, 'Minsk II, retitled');
    // Reading again without a change gives the same record.
    assert.equal((await getAgreement(h.deps, 'donbas-2015')).record, next.record);
  });

  test('an unknown agreement is E_NOT_FOUND', async () => {
    const res = await h.inject({ url: '/api/v1/agreements/nothing/terms' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json<{ code: string }>().code, 'E_NOT_FOUND');
  });
});
