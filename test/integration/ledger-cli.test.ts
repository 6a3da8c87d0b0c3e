// The ledger as its users meet it, through the real `truceline` command: an untouched store audits,
// exports and verifies; editing the SQLite file directly — a changed byte, a deleted row, an inserted
// row, two rows swapped — makes `ledger audit` fail naming the row and `ledger export` refuse; an
// altered export fails `ledger verify` naming the entry; a party's export opens no sensor position and
// still verifies; a witness co-signs a consistent log and refuses a split view.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { FusionPipeline } from '../../src/application/fusion-pipeline.ts';
import { registerAgreement } from '../../src/application/register-agreement.ts';
import { fusionLogic } from '../../src/main.ts';
import { startHarness, TestClock } from '../helpers/app-harness.ts';
import { createTokenWithCli, runCli, runCliOk, startServer } from '../helpers/cli.ts';
import { fireScenario, SCENARIO_START_MS } from '../helpers/fusion-scenario.ts';

let dir: string;
/** A store with the fire scenario: sources with positions, signed observations, events, violations. */
let pristine: string;
/** Each source's position as it would appear in a record. */
let positions: { lat: number; lon: number }[];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'truceline-ledger-'));
  const h = await startHarness({ clock: new TestClock(SCENARIO_START_MS + 3 * 3_600_000) });
  const scenario = await fireScenario(3, 0);
  await registerAgreement(h.deps, { text: scenario.agreementText, format: 'yaml' });
  for (const source of scenario.sources) await h.addSource(source);
  for (const source of scenario.sources) {
    const records = scenario.records.filter((r) => r.sourceId === source.id);
    const posted = await h.inject({ method: 'POST', url: '/api/v1/observations', payload: records });
    assert.equal(posted.statusCode, 200, posted.body);
  }
  await new FusionPipeline(h.deps, fusionLogic, { agreementId: 'donbas-2015' }).run(true);
  positions = (await h.deps.store.sources.list()).flatMap((s) => (s.position === null ? [] : [s.position]));
  assert.ok(positions.length > 0, 'the scenario registers positioned sensors');
  pristine = join(dir, 'pristine.db');
  await h.deps.store.backup(pristine);
  await h.close();
  // The log's key, created on first use, and a first checkpoint signed by the export.
  await runCliOk(['ledger', 'export', '--db', pristine, '--out', join(dir, 'first.ndjson')]);
});

after(() => rmSync(dir, { recursive: true, force: true }));

let copies = 0;
/** A copy of the pristine store (and its key) to change. */
function copy(): string {
  copies += 1;
  const path = join(dir, `copy-${copies}.db`);
  copyFileSync(pristine, path);
  copyFileSync(`${pristine}.ledger-key`, `${path}.ledger-key`);
  // The record of the largest tree the key signed goes with the key.
  copyFileSync(`${pristine}.ledger-key.signed`, `${path}.ledger-key.signed`);
  return path;
}

/** Edits the store file directly, as someone with access to the disk could. */
function tamper(path: string, edit: (db: Database.Database) => void): void {
  const db = new Database(path);
  try {
    edit(db);
  } finally {
    db.close();
  }
}

async function pubkey(db: string): Promise<string> {
  return (await runCliOk(['ledger', 'pubkey', '--db', db])).trim();
}

describe('ledger audit, export and verify on an untouched store', () => {
  test('the audit passes, the export verifies with the log key, every record opened', async () => {
    const db = copy();
    const audit = await runCliOk(['ledger', 'audit', '--db', db]);
    assert.match(audit, /ledger audit passed: \d+ entries/);
    const out = join(dir, 'all.ndjson');
    await runCliOk(['ledger', 'export', '--db', db, '--out', out]);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    const header = JSON.parse(lines[0] ?? '') as { checkpoint: string; for: unknown };
    assert.equal(header.for, null);
    const entries = lines
      .slice(1)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((e) => 'index' in e);
    assert.ok(entries.length > 50, `the scenario ledgers many records (${entries.length})`);
    assert.ok(entries.every((e) => typeof e.record === 'string' && typeof e.salt === 'string'));
    const types = new Set(entries.map((e) => e.type));
    for (const type of [
      'observation',
      'source',
      'agreement',
      'event-revision',
      'violation-revision',
      'submission',
      'user',
    ])
      assert.ok(types.has(type), `the export holds ${type} entries`);
    const verified = await runCliOk(['ledger', 'verify', out, '--key', await pubkey(db)]);
    assert.match(verified, new RegExp(`${entries.length} entries, ${entries.length} records opened`));
  });
});

describe('a store edited behind the ledger’s back', () => {
  const cases: { name: string; edit: (db: Database.Database) => void; names: RegExp }[] = [
    {
      name: 'one byte of a potential violation changed',
      edit: (db) =>
        db
          .prepare(
            `UPDATE violation_revisions SET value = replace(value, '"clause":"', '"clause":"x') WHERE seq = (SELECT min(seq) FROM violation_revisions)`,
          )
          .run(),
      names: /violation_revisions seq \d+ differs from what entry \d+ committed to/,
    },
    {
      name: 'an observation deleted',
      edit: (db) =>
        db.prepare('DELETE FROM observations WHERE seq = (SELECT min(seq) + 2 FROM observations)').run(),
      names: /observations seq \d+ is missing/,
    },
    {
      name: 'a row inserted',
      edit: (db) =>
        db
          .prepare(
            `INSERT INTO observations (seq, source_id, record_id, kind, observed_at, time_uncertainty_ms, received_at,
               lat, lon, ce_m, grid_key, weapon_class, batch_id, content_sha256, content, tlp, releasable_to)
             SELECT seq + 1000000, source_id, record_id || '-forged', kind, observed_at, time_uncertainty_ms, received_at,
               lat, lon, ce_m, grid_key, weapon_class, batch_id, content_sha256, content, tlp, releasable_to
             FROM observations WHERE seq = (SELECT min(seq) FROM observations)`,
          )
          .run(),
      names: /observations seq \d+ has no ledger entry/,
    },
    {
      name: 'two rows swapped',
      edit: (db) => {
        const [a, b] = db
          .prepare<[], { seq: number }>('SELECT seq FROM observations ORDER BY seq LIMIT 2 OFFSET 3')
          .all()
          .map((r) => r.seq);
        db.transaction(() => {
          db.prepare('UPDATE observations SET seq = -1 WHERE seq = ?').run(a);
          db.prepare('UPDATE observations SET seq = ? WHERE seq = ?').run(a, b);
          db.prepare('UPDATE observations SET seq = ? WHERE seq = -1').run(b);
        })();
      },
      names: /observations seq \d+ differs from what entry \d+ committed to/,
    },
    {
      name: 'an observation’s grid key cleared, hiding it from queries by area and time',
      edit: (db) =>
        db
          .prepare(
            'UPDATE observations SET grid_key = NULL WHERE seq = (SELECT min(seq) FROM observations WHERE lat IS NOT NULL)',
          )
          .run(),
      names: /observations seq \d+: its grid key is not that of its place and time/,
    },
    {
      name: 'a co-signature line that is no signature line added to a checkpoint',
      edit: (db) =>
        db
          .prepare(
            `INSERT INTO ledger_cosignatures (size, witness, line, received_at)
             SELECT size, 'junk', 'not a signature line', 0 FROM ledger_checkpoints ORDER BY size DESC LIMIT 1`,
          )
          .run(),
      names:
        /ledger_checkpoints: the checkpoint of size \d+ carries a co-signature line that is not a signature line/,
    },
    {
      name: 'a checkpoint row moved to another size',
      edit: (db) =>
        db
          .prepare(
            'UPDATE ledger_checkpoints SET size = size - 1 WHERE size = (SELECT max(size) FROM ledger_checkpoints)',
          )
          .run(),
      names: /ledger_checkpoints: the checkpoint of size \d+ does not match its signed note/,
    },
    {
      name: 'a source deleted, its record copied into ledger_history as if superseded',
      edit: (db) => {
        const latest = db
          .prepare<[], { idx: number; row_key: string }>(
            `SELECT max(idx) AS idx, row_key FROM ledger_entries WHERE type = 'source' GROUP BY row_key LIMIT 1`,
          )
          .get();
        if (latest === undefined) throw new Error('the scenario ledgers sources');
        // The exact record its entry committed to, as an export opens it.
        const opened = readFileSync(join(dir, 'first.ndjson'), 'utf8')
          .split('\n')
          .find((line) => line.startsWith(`{"index":${latest.idx},`));
        const { record } = JSON.parse(opened ?? '') as { record: string };
        db.prepare('INSERT INTO ledger_history (idx, record) VALUES (?, ?)').run(latest.idx, record);
        db.prepare('DELETE FROM sources WHERE id = ?').run(latest.row_key);
      },
      names:
        /entry \d+: ledger_history holds the record of sources id .+ as superseded, but no later entry supersedes it/,
    },
  ];
  for (const { name, edit, names } of cases)
    test(`${name}: the audit fails naming the row, and the export is refused`, async () => {
      const db = copy();
      tamper(db, edit);
      const audit = await runCli(['ledger', 'audit', '--db', db]);
      assert.equal(audit.code, 1, audit.stdout + audit.stderr);
      assert.match(audit.stderr, names);
      const out = join(dir, `refused-${copies}.ndjson`);
      const exported = await runCli(['ledger', 'export', '--db', db, '--out', out]);
      assert.equal(exported.code, 1);
      assert.match(exported.stderr, /refused: the ledger audit failed/);
      assert.equal(existsSync(out), false, 'a refused export leaves no file');
    });
});

describe('a tree rewritten behind the ledger’s back, its checkpoints deleted', () => {
  test('the audit fails, and the log’s key signs no checkpoint of the rewritten tree', async () => {
    const db = copy();
    const signed = readFileSync(`${db}.ledger-key.signed`, 'utf8');
    // Deleting every ledger row and asking for a backfill re-ledgers the edited rows with fresh salts:
    // a tree of the same size with another root, and no checkpoint left to compare it with.
    tamper(db, (d) => {
      for (const table of ['ledger_cosignatures', 'ledger_checkpoints', 'ledger_history', 'ledger_nodes'])
        d.prepare(`DELETE FROM ${table}`).run();
      d.prepare('DELETE FROM ledger_entries').run();
      d.prepare("UPDATE ledger_state SET size = 0, frontier = x'', pending_backfill = 1").run();
      d.prepare('UPDATE sources SET lat = lat + 0.5 WHERE id = (SELECT min(id) FROM sources)').run();
    });
    const audit = await runCli(['ledger', 'audit', '--db', db]);
    assert.equal(audit.code, 1, audit.stdout + audit.stderr);
    // Re-ledgered, the rows make fewer entries than the key signed (superseded records are gone).
    assert.match(
      audit.stderr,
      /the tree has \d+ entries, but the log's key signed a tree of \d+: entries were removed/,
    );
    const out = join(dir, 'rewritten.ndjson');
    const exported = await runCli(['ledger', 'export', '--db', db, '--out', out]);
    assert.equal(exported.code, 1);
    assert.equal(existsSync(out), false);
    const checkpoints = new Database(db, { readonly: true });
    try {
      assert.deepEqual(checkpoints.prepare('SELECT size FROM ledger_checkpoints').all(), []);
    } finally {
      checkpoints.close();
    }
    assert.equal(
      readFileSync(`${db}.ledger-key.signed`, 'utf8'),
      signed,
      'the record of the signed tree stands',
    );
  });
});

describe('an export altered after it was written', () => {
  let export_: string;
  let key: string;
  before(async () => {
    const db = copy();
    key = await pubkey(db);
    export_ = join(dir, 'to-alter.ndjson');
    await runCliOk(['ledger', 'export', '--db', db, '--out', export_]);
  });

  const alter = (change: (entry: Record<string, unknown>) => void, index: number): string => {
    const lines = readFileSync(export_, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.startsWith(`{"index":${index},`));
    const entry = JSON.parse(lines[at] ?? '') as Record<string, unknown>;
    change(entry);
    lines[at] = JSON.stringify(entry);
    const path = join(dir, `altered-${index}-${Math.random()}.ndjson`);
    writeFileSync(path, lines.join('\n'));
    return path;
  };

  test('a changed record fails, naming the entry', async () => {
    const path = alter((e) => (e.record = String(e.record).replace('"', '" ')), 20);
    const res = await runCli(['ledger', 'verify', path, '--key', key]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /entry 20 \(line \d+\): the record does not match its commitment/);
  });

  test('a line that is not a JSON object fails with a verdict naming it, the header as any other', async () => {
    const lines = readFileSync(export_, 'utf8').split('\n');
    for (const [at, value] of [
      [0, 'null'],
      [4, 'null'],
      [4, '[1]'],
      [4, '{"index":'],
    ] as const) {
      const changed = [...lines];
      changed[at] = value;
      const path = join(dir, `not-object-${at}-${value.length}.ndjson`);
      writeFileSync(path, changed.join('\n'));
      const res = await runCli(['ledger', 'verify', path, '--key', key]);
      assert.equal(res.code, 1, res.stdout);
      assert.match(
        res.stderr,
        at === 0 ? /line 1 is not a JSON object holding the checkpoint/ : /line 5 is not a JSON object/,
      );
    }
  });

  test('a changed commitment fails, naming the entry', async () => {
    const path = alter((e) => (e.commitment = `${'0'.repeat(63)}1`), 31);
    const res = await runCli(['ledger', 'verify', path, '--key', key]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /entry 31 \(line \d+\): the record does not match its commitment/);
  });

  test('a record left out of an export for everyone fails', async () => {
    const path = alter((e) => {
      delete e.record;
      delete e.salt;
    }, 7);
    const res = await runCli(['ledger', 'verify', path, '--key', key]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /entry 7 .*the export is for everyone but the record is missing/);
  });

  test('another log’s key fails', async () => {
    const other = copy();
    rmSync(`${other}.ledger-key`);
    const res = await runCli(['ledger', 'verify', export_, '--key', await pubkey(other)]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /not signed by the log's key/);
  });
});

describe('an altered entry the export does not open', () => {
  test('only the root differs: verify names the last signed checkpoint that holds and the range after it', async () => {
    const db = copy();
    // A second checkpoint over more entries: accounts created after the first export.
    for (const name of ['late-1', 'late-2'])
      await runCliOk([
        'users',
        'create',
        '--org',
        'mission',
        '--role',
        'analyst',
        '--name',
        name,
        '--db',
        db,
      ]);
    const out = join(dir, 'party-two-checkpoints.ndjson');
    await runCliOk(['ledger', 'export', '--db', db, '--out', out, '--for', 'ua']);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    const checkpoints = lines.filter((l) => l.startsWith('{"checkpoint"')).length;
    assert.ok(checkpoints >= 2, `the export carries the earlier checkpoint too (${checkpoints})`);
    // The last entry (an account: not opened to a party) gets another commitment.
    const last = lines.length - 1;
    const entry = JSON.parse(lines[last] ?? '') as Record<string, unknown>;
    assert.equal(entry.record, undefined, 'the altered entry is not opened to the party');
    lines[last] = JSON.stringify({ ...entry, commitment: 'ab'.repeat(32) });
    const altered = join(dir, 'party-altered.ndjson');
    writeFileSync(altered, `${lines.join('\n')}\n`);
    const res = await runCli(['ledger', 'verify', altered, '--key', await pubkey(db)]);
    assert.equal(res.code, 1);
    assert.match(
      res.stderr,
      /the last checkpoint that verifies is of size (\d+): the difference lies in entries \1–\d+/,
    );
  });
});

describe("a party's export", () => {
  test('opens no sensor position, and verifies', async () => {
    const db = copy();
    const out = join(dir, 'party.ndjson');
    await runCliOk(['ledger', 'export', '--db', db, '--out', out, '--for', 'ua']);
    const text = readFileSync(out, 'utf8');
    const lines = text.trim().split('\n');
    assert.equal((JSON.parse(lines[0] ?? '') as { for: unknown }).for, 'ua');
    const opened = lines
      .slice(1)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((e) => 'record' in e);
    assert.ok(opened.length > 0, 'some records (the agreement, organisations) are opened to the party');
    assert.ok(
      !opened.some((e) => e.type === 'source' || e.type === 'observation'),
      'no source or observation record',
    );
    for (const { lat, lon } of positions) {
      assert.ok(!text.includes(String(lat)), `no sensor latitude ${lat} anywhere in the export`);
      assert.ok(!text.includes(String(lon)), `no sensor longitude ${lon} anywhere in the export`);
    }
    const verified = await runCliOk(['ledger', 'verify', out, '--key', await pubkey(db)]);
    assert.match(verified, /\(for ua\)/);
  });
});

describe('a witness', () => {
  test('co-signs a log that grows consistently, and refuses a split view', { timeout: 60_000 }, async () => {
    const db = copy();
    const token = await createTokenWithCli(['--db', db], {
      name: 'witness-op',
      role: 'auditor',
      scope: 'read,ingest',
    });
    const server = await startServer(['--db', db]);
    try {
      const keyFile = join(dir, 'w.key');
      const state = join(dir, 'w.state');
      const witnessKey = (
        await runCliOk(['witness', 'keygen', '--name', 'party-witness', '--out', keyFile])
      ).trim();
      const follow = [
        'witness',
        '--follow',
        server.address,
        '--key',
        keyFile,
        '--state',
        state,
        '--token',
        token,
        '--once',
      ];
      const first = await runCli(follow);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, /co-signed truceline\.ledger\/\S+ at size \d+/);

      // The log grows (a user is created by the CLI beside the server), and the witness follows.
      await createTokenWithCli(['--db', db], { name: 'another', role: 'analyst' });
      const second = await runCli(follow);
      assert.equal(second.code, 0, second.stderr);
      const sizes = [first.stderr, second.stderr].map((s) => Number(/at size (\d+)/.exec(s)?.[1]));
      assert.ok(
        (sizes[1] ?? 0) > (sizes[0] ?? 0),
        `the second round co-signs a larger tree (${sizes.join(' → ')})`,
      );

      // An export carries the co-signature: it verifies with a quorum of one witness.
      const out = join(dir, 'witnessed.ndjson');
      await runCliOk(['ledger', 'export', '--db', db, '--out', out]);
      const key = await pubkey(db);
      const verified = await runCliOk([
        'ledger',
        'verify',
        out,
        '--key',
        key,
        '--witness-key',
        witnessKey,
        '--quorum',
        '1',
      ]);
      assert.match(verified, /co-signed by party-witness/);
      const unmet = await runCli(['ledger', 'verify', out, '--key', key, '--quorum', '1']);
      assert.equal(unmet.code, 1);
      assert.match(unmet.stderr, /1 are required/);

      // The witness remembers a tree the log never had (a split view): it refuses, and says so.
      const remembered = JSON.parse(readFileSync(state, 'utf8')) as Record<string, unknown>;
      writeFileSync(
        state,
        JSON.stringify({ ...remembered, size: 3, rootHash: Buffer.alloc(32, 7).toString('base64') }),
      );
      const refused = await runCli(follow);
      assert.equal(refused.code, 1);
      assert.match(
        refused.stderr,
        /refused to co-sign the checkpoint of size \d+: .*not shown to extend the one co-signed at 3/,
      );
    } finally {
      server.child.kill('SIGTERM');
    }
  });
});
