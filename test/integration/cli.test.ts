import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { postSignedBatch } from '../../src/client/sign-batch.ts';
import { readSourceKeyFile } from '../../src/client/source-key.ts';
import { openStore } from '../../src/main.ts';
import {
  createTokenWithCli,
  keygenWithCli,
  ROOT,
  runCli,
  startServer,
  type CliResult,
} from '../helpers/cli.ts';

const UCDP = join(ROOT, 'test/fixtures/ucdp-ged-ukraine-2014-2022.csv');

interface Summary {
  accepted: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
  rejections: { line: number; field: string; reason: string }[];
}

/** `ingest --json` ran to completion with these counts and rejections (line, field). */
function assertIngested(
  res: CliResult,
  counts: [accepted: number, duplicates: number, conflicts: number, rejected: number],
  rejections: [line: number, field: string][],
): void {
  assert.equal(res.code, 0, res.stderr);
  const summary = JSON.parse(res.stdout) as Summary;
  assert.deepEqual([summary.accepted, summary.duplicates, summary.conflicts, summary.rejected], counts);
  assert.deepEqual(
    summary.rejections.map((r) => [r.line, r.field]),
    rejections,
  );
}

describe('truceline ingest', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'truceline-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('imports the UCDP GED file: 3,074 accepted, 3 rejected (where_prec 6 and 7); again: all duplicates', async () => {
    const db = join(dir, 'ucdp.db');
    const first = await runCli(['ingest', UCDP, '--db', db, '--json']);
    assert.equal(first.code, 0, first.stderr);
    const summary = JSON.parse(first.stdout) as Summary;
    assert.deepEqual(
      [summary.accepted, summary.duplicates, summary.conflicts, summary.rejected],
      [3074, 0, 0, 3],
    );
    assert.deepEqual(new Set(summary.rejections.map((r) => r.field)), new Set(['where_prec']));
    for (const r of summary.rejections) assert.ok(r.line > 1);
    assert.deepEqual(Object.keys(summary), ['accepted', 'duplicates', 'conflicts', 'rejected', 'rejections']);
    assert.deepEqual(Object.keys(summary.rejections[0] ?? {}), ['file', 'line', 'field', 'reason']);

    const again = await runCli(['ingest', UCDP, '--db', db, '--json']);
    const second = JSON.parse(again.stdout) as Summary;
    assert.deepEqual([second.accepted, second.duplicates, second.rejected], [0, 3074, 3]);
  });

  test('UCDP CSV: a row with too many or too few fields, bytes that are not UTF-8 or a stray quote is one rejection, and the rows after it are read', async () => {
    const db = join(dir, 'ragged.db');
    const file = join(dir, 'ragged.csv');
    const row = (id: string, headline: string) => `${id},2015-02-12,2015-02-12,48.1,38.1,1,${headline},3`;
    const lines = [
      'id,date_start,date_end,latitude,longitude,where_prec,source_headline,best',
      row('1', 'first'),
      `${row('2', 'too many')},extra`,
      '3,2015-02-12,2015-02-12,48.1,38.1',
      row('4', '"a headline\nover two lines"'),
      '',
      row('5', 'caf\u0000'),
      row('6', '"closed"late'),
      row('7', 'still read'),
      row('8', 'déjà vu'),
      row('9', '"never closed'),
      row('10', 'after the open quote'),
    ];
    // Line 8's headline ends in a lone byte 0xE9 (Latin-1's é), which is not UTF-8.
    const bytes = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    bytes[bytes.indexOf(0)] = 0xe9;
    writeFileSync(file, bytes);
    const res = await runCli(['ingest', file, '--db', db, '--json']);
    assert.equal(res.code, 0, res.stderr);
    const summary = JSON.parse(res.stdout) as Summary;
    assert.deepEqual(
      summary.rejections.map((r) => [r.line, r.field, r.reason]),
      [
        [3, '(row)', 'has 9 fields; the header has 8'],
        [4, '(row)', 'has 5 fields; the header has 8'],
        [8, '(row)', 'is not valid UTF-8'],
        [9, '(row)', 'has "l" after the closing quote of field 7'],
        [12, '(row)', 'has a quote that is never closed'],
      ],
    );
    assert.deepEqual([summary.accepted, summary.rejected], [5, 5]);
    const store = await openStore({ db });
    try {
      const rows = await store.observations.listAfter(0, 10);
      const headlines = rows.map(
        (r) => (JSON.parse(r.content) as { payload: { headline?: string } }).payload.headline,
      );
      assert.deepEqual(headlines, [
        'first',
        'a headline\nover two lines',
        'still read',
        'déjà vu',
        'after the open quote',
      ]);
    } finally {
      await store.close();
    }
  });

  /** A camera sighting of `count` weapons by `sourceId`, its record id `id`. */
  const sighting = (sourceId: string, id: string, count: unknown) => ({
    id,
    sourceId,
    kind: 'camera',
    observedAt: '2025-06-01T10:00:00Z',
    timeUncertaintyMs: 1000,
    location: { lat: 48.01, lon: 38.02, ceM: 50 },
    payload: { objectType: 'weapon', count },
    weaponClass: 'artillery-100mm-plus',
  });
  /** A camera source's registry file. */
  const cameraSource = (id: string): string =>
    JSON.stringify([{ id, kind: 'camera', organisation: 'mission', position: { lat: 48, lon: 38 } }]);
  /** A new database in `name` with camera `id` registered (`sources register`). */
  const withCamera = async (name: string, id: string): Promise<string> => {
    const db = join(dir, name);
    const sources = join(dir, `${name}-sources.json`);
    writeFileSync(sources, cameraSource(id));
    assert.equal((await runCli(['sources', 'register', sources, '--db', db])).code, 0);
    return db;
  };

  test('NDJSON: every rejection with its line; exit 0 when the run completes', async () => {
    const db = await withCamera('nd.db', 'cam-1');
    const rec = (id: string, count: unknown) => sighting('cam-1', id, count);
    const file = join(dir, 'obs.ndjson');
    writeFileSync(
      file,
      [rec('c1', 2), rec('c2', 0), 'garbage', rec('c1', 2), rec('c1', 3)]
        .map((r) => (typeof r === 'string' ? r : JSON.stringify(r)))
        .join('\n'),
    );
    const res = await runCli(['ingest', file, '--db', db, '--json']);
    assertIngested(
      res,
      [1, 1, 1, 2],
      [
        [2, 'payload.count'],
        [3, '(root)'],
        [5, 'id'],
      ],
    );
  });

  test("each rejection names its file; a hostile line's control characters are printed escaped", async () => {
    const db = await withCamera('two-files.db', 'cam-t');
    const a = join(dir, 'a.ndjson');
    const b = join(dir, 'b.ndjson');
    // A terminal escape (set the window title) in a line that is not JSON.
    writeFileSync(a, `\u001b]0;PWNED\u0007 not json\n`);
    writeFileSync(b, `${JSON.stringify(sighting('cam-t', 't1', 1))}\n{"id":\n`);
    const json = await runCli(['ingest', a, b, '--db', db, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const summary = JSON.parse(json.stdout) as { rejections: { file: string; line: number }[] };
    assert.deepEqual(
      summary.rejections.map((r) => [r.file, r.line]),
      [
        [a, 1],
        [b, 2],
      ],
    );
    const text = await runCli(['ingest', a, '--db', db]);
    assert.equal(text.code, 0, text.stderr);
    assert.ok(!text.stdout.includes('\u001b') && !text.stdout.includes('\u0007'), text.stdout);
    assert.match(text.stdout, /\\u001b\]0;PWNED\\u0007/);
  });

  test('a directory: its .ndjson, .jsonl and .csv files in any case; what else it holds is named on stderr; nothing to take is an error', async () => {
    const db = await withCamera('dir.db', 'cam-d');
    const input = join(dir, 'input');
    mkdirSync(join(input, 'older'), { recursive: true });
    writeFileSync(join(input, 'A.NDJSON'), JSON.stringify(sighting('cam-d', 'd1', 1)));
    writeFileSync(join(input, 'b.jsonl'), JSON.stringify(sighting('cam-d', 'd2', 1)));
    writeFileSync(join(input, 'notes.txt'), 'not observations');
    writeFileSync(join(input, 'older', 'c.ndjson'), JSON.stringify(sighting('cam-d', 'd3', 1)));
    symlinkSync(join(input, 'older'), join(input, 'linked.csv'));
    const res = await runCli(['ingest', input, '--db', db, '--json']);
    assertIngested(res, [2, 0, 0, 0], []);
    assert.match(res.stderr, /skipped .*notes\.txt \(not \.ndjson, \.jsonl or \.csv\)/);
    assert.match(res.stderr, /skipped .*older \(a directory: subdirectories are not read\)/);
    assert.match(res.stderr, /skipped .*linked\.csv \(a directory: subdirectories are not read\)/);
    mkdirSync(join(dir, 'nothing'));
    writeFileSync(join(dir, 'nothing', 'readme.md'), '');
    const nothing = await runCli(['ingest', join(dir, 'nothing'), '--db', db]);
    assert.equal(nothing.code, 1);
    assert.match(nothing.stderr, /nothing: no \.ndjson, \.jsonl or \.csv files in it/);
  });

  test('a batch larger than a validation piece commits whole: one receipt time, every line where it was', async () => {
    // 4,500 lines in one batch of 5,000 are validated in pieces of 2,000, 2,000 and 500.
    const db = await withCamera('pieces.db', 'cam-p');
    const rec = (id: string, count: number) => JSON.stringify(sighting('cam-p', id, count));
    const lines = Array.from({ length: 4500 }, (_, i) => rec(`p${i + 1}`, 1));
    // Rejected on both sides of each piece's edge, a conflict and a repeat of lines in another piece.
    for (const line of [1999, 2000, 2001, 4001, 4500]) lines[line - 1] = 'not json';
    lines[2999] = rec('p10', 2); // line 3000: p10 again, other content
    lines[3000] = rec('p11', 1); // line 3001: p11 again, same content
    const file = join(dir, 'pieces.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const res = await runCli(['ingest', file, '--db', db, '--json', '--batch-size', '5000']);
    assertIngested(
      res,
      [4493, 1, 1, 5],
      [
        [1999, '(root)'],
        [2000, '(root)'],
        [2001, '(root)'],
        [3000, 'id'],
        [4001, '(root)'],
        [4500, '(root)'],
      ],
    );
    const sqlite = new Database(db, { readonly: true });
    try {
      const stored = sqlite
        .prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT received_at) AS times FROM observations')
        .get() as { n: number; times: number };
      assert.deepEqual(stored, { n: 4493, times: 1 });
    } finally {
      sqlite.close();
    }
  });

  test('exits 1 when the run itself fails (no such file)', async () => {
    const res = await runCli(['ingest', join(dir, 'missing.ndjson'), '--db', join(dir, 'x.db')]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /missing\.ndjson/);
    assert.equal(res.stdout, '');
  });
});

describe('truceline serve and backup', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'truceline-serve-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('refuses a non-loopback host without TLS unless --insecure-public', async () => {
    const res = await runCli(['serve', '--host', '0.0.0.0', '--port', '0', '--db', join(dir, 'refuse.db')]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /refusing to listen on 0\.0\.0\.0 without TLS/);
  });

  test('--records-per-minute sets what each source key may send; a bad value names the option', async () => {
    const bad = await runCli([
      'serve',
      '--records-per-minute',
      '0',
      '--port',
      '0',
      '--db',
      join(dir, 'rpm.db'),
    ]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--records-per-minute must be a whole number from 1/);
    const server = await startServer(['--db', join(dir, 'rpm.db'), '--records-per-minute', '1234']);
    try {
      const api = (await (await fetch(`${server.address}/openapi.json`)).json()) as {
        paths: Record<string, { post?: { description?: string } }>;
      };
      assert.match(
        api.paths['/api/v1/observations']?.post?.description ?? '',
        /at most 1234 records a minute/,
      );
    } finally {
      server.child.kill('SIGTERM');
      await new Promise((resolve) => server.child.once('exit', resolve));
    }
  });

  test('backup writes a consistent copy while the server takes writes; the copy holds every record acknowledged before it', async () => {
    const db = join(dir, 'live.db');
    const sources = join(dir, 'sources.json');
    writeFileSync(sources, JSON.stringify({ id: 'ac-9', kind: 'acoustic', organisation: 'mission' }));
    assert.equal((await runCli(['sources', 'register', sources, '--db', db])).code, 0);
    // The source's signing key and a reader's token, made with the CLI before the server starts.
    const keyFile = join(dir, 'ac-9.key');
    const keyId = await keygenWithCli(['--db', db], 'ac-9', keyFile);
    const key = await readSourceKeyFile(keyFile);
    assert.deepEqual([key.sourceId, key.keyId], ['ac-9', keyId]);
    const token = await createTokenWithCli(['--db', db], { name: 'backup-reader' });
    const server = await startServer(['--db', db]);
    try {
      // The server checkpoints on its own thread: the compiled command found and started it.
      let checkpoints: string | undefined;
      for (const deadline = Date.now() + 10_000; checkpoints !== 'background' && Date.now() < deadline;) {
        const health = (await (await fetch(`${server.address}/healthz`)).json()) as { checkpoints?: string };
        checkpoints = health.checkpoints;
        if (checkpoints !== 'background') await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(checkpoints, 'background');
      let n = 0;
      let acknowledged = 0;
      let writing = true;
      let writerError: Error | undefined;
      const writer = (async () => {
        while (writing) {
          const batch = Array.from({ length: 50 }, () => ({
            id: `b-${n++}`,
            sourceId: 'ac-9',
            kind: 'acoustic',
            observedAt: new Date(Date.now() - 1000).toISOString(),
            timeUncertaintyMs: 10,
            location: { lat: 48, lon: 38, ceM: 5 },
            payload: { signal: 'impulse' },
          }));
          const res = await postSignedBatch({
            baseUrl: server.address,
            key: key.privateKey,
            keyId: key.keyId,
            contentType: 'application/json',
            body: JSON.stringify(batch),
          });
          assert.equal(res.status, 200, JSON.stringify(res.body));
          acknowledged += (res.body as { accepted: number }).accepted;
        }
      })().catch((error: unknown) => {
        writerError = error instanceof Error ? error : new Error(String(error));
      });
      while (acknowledged < 500 && writerError === undefined) await new Promise((r) => setTimeout(r, 20));
      assert.ifError(writerError);
      const before = acknowledged;
      const copy = join(dir, 'copy.db');
      const res = await runCli(['backup', '--out', copy, '--db', db]);
      writing = false;
      await writer;
      assert.ifError(writerError);
      assert.equal(res.code, 0, res.stderr);
      const restored = await openStore({ db: copy });
      try {
        const count = await restored.observations.count();
        assert.ok(
          count >= before,
          `backup holds ${count} records; ${before} were acknowledged before it started`,
        );
        assert.ok(count <= acknowledged);
        const rows = await restored.observations.listAfter(0, 100_000);
        assert.equal(rows.length, count);
        assert.equal(new Set(rows.map((r) => r.recordId)).size, count);
      } finally {
        await restored.close();
      }
      // The token made with the CLI reads from the server; without one, reads are refused.
      const read = await fetch(`${server.address}/api/v1/observations?source=ac-9&limit=1`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(read.status, 200, await read.clone().text());
      assert.equal(((await read.json()) as { items: unknown[] }).items.length, 1);
      const anonymous = await fetch(`${server.address}/api/v1/observations?source=ac-9&limit=1`);
      assert.equal(anonymous.status, 401);
    } finally {
      server.child.kill('SIGTERM');
    }
  });

  test('a restored backup without its ledger key: commands that would append refuse before writing; read-only ones run; the key copied back, all run', async () => {
    const db = join(dir, 'keyed.db');
    const source = (id: string) => {
      const file = join(dir, `${id}.json`);
      writeFileSync(file, JSON.stringify({ id, kind: 'acoustic', organisation: 'mission' }));
      return file;
    };
    assert.equal((await runCli(['sources', 'register', source('ac-k1'), '--db', db])).code, 0);
    const restored = join(dir, 'restored', 'keyed.db');
    mkdirSync(join(dir, 'restored'));
    assert.equal((await runCli(['backup', '--out', restored, '--db', db])).code, 0);

    const refused = await runCli(['sources', 'register', source('ac-k2'), '--db', restored]);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /signed by truceline\.ledger\/[0-9a-f]+, and there is no key file at .*restored\/keyed\.db\.ledger-key/,
    );
    assert.ok(!existsSync(`${restored}.ledger-key`), 'no new key was made');
    // Another database's key is not this ledger's either.
    const other = join(dir, 'other.db');
    assert.equal((await runCli(['sources', 'register', source('ac-o1'), '--db', other])).code, 0);
    const wrongKey = await runCli([
      'sources',
      'register',
      source('ac-k2'),
      '--db',
      restored,
      '--ledger-key',
      `${other}.ledger-key`,
    ]);
    assert.equal(wrongKey.code, 1);
    assert.match(wrongKey.stderr, /did not sign this database's ledger/);
    // Reading needs no key.
    const listed = await runCli(['sources', 'list', '--db', restored]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { id: string }[]).map((s) => s.id),
      ['ac-k1'],
    );

    copyFileSync(`${db}.ledger-key`, `${restored}.ledger-key`);
    copyFileSync(`${db}.ledger-key.signed`, `${restored}.ledger-key.signed`);
    const accepted = await runCli(['sources', 'register', source('ac-k2'), '--db', restored]);
    assert.equal(accepted.code, 0, accepted.stderr);
    const audited = await runCli(['ledger', 'audit', '--db', restored]);
    assert.equal(audited.code, 0, audited.stdout + audited.stderr);

    // The original grows on, and its key signs a larger tree: a copy older than that is refused
    // before anything is written, not after.
    assert.equal((await runCli(['sources', 'register', source('ac-k4'), '--db', db])).code, 0);
    copyFileSync(`${db}.ledger-key.signed`, `${restored}.ledger-key.signed`);
    const older = await runCli(['sources', 'register', source('ac-k5'), '--db', restored]);
    assert.equal(older.code, 1);
    // (The copy had taken a record of its own since: another tree at that size.)
    assert.match(
      older.stderr,
      /the tree at size \d+ is not the one the log's key signed: the ledger was rewritten\. Nothing was written/,
    );
    const after = await runCli(['sources', 'list', '--db', restored]);
    assert.deepEqual((JSON.parse(after.stdout) as { id: string }[]).map((s) => s.id).sort(), [
      'ac-k1',
      'ac-k2',
    ]);
  });

  test('backup refuses to write over the database it copies (or its log), which stays as it was', async () => {
    const db = join(dir, 'self.db');
    const sources = join(dir, 'self-sources.json');
    writeFileSync(sources, JSON.stringify({ id: 'ac-self', kind: 'acoustic', organisation: 'mission' }));
    assert.equal((await runCli(['sources', 'register', sources, '--db', db])).code, 0);
    const link = join(dir, 'self-link.db');
    symlinkSync(db, link);
    for (const out of [
      db,
      join(dir, '.', 'self.db'),
      `${db}-wal`,
      link,
      `${db}.ledger-key`,
      `${db}.ledger-key.signed`,
    ]) {
      const res = await runCli(['backup', '--out', out, '--db', db]);
      assert.equal(res.code, 1, `backup --out ${out} was refused`);
      assert.match(
        res.stderr,
        /: that is the (database|database's log|ledger key|record of the trees the ledger key signed); write to another file/,
      );
    }
    const reopened = await openStore({ db });
    try {
      assert.deepEqual(
        (await reopened.sources.list()).map((s) => s.id),
        ['ac-self'],
      );
    } finally {
      await reopened.close();
    }
    assert.ok(lstatSync(link).isSymbolicLink(), 'the link was not replaced');
    // A failure says why, not only that.
    const nowhere = await runCli(['backup', '--out', join(dir, 'no-such-dir', 'copy.db'), '--db', db]);
    assert.equal(nowhere.code, 1);
    assert.match(
      nowhere.stderr,
      /the backup to .*copy\.db failed\n {2}because: ENOENT: no such file or directory/,
    );
  });
});
