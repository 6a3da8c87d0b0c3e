// The log's key signs only trees that extend the largest one it signed before, recorded beside the
// key (`<key file>.signed`), never in the database: whoever can write the database cannot delete its
// checkpoints and have the key sign a rewritten tree — a second root at a size already signed.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AppDeps } from '../../src/application/app-deps.ts';
import { auditLedger } from '../../src/application/ledger/audit-ledger.ts';
import { signCheckpoint } from '../../src/application/ledger/sign-checkpoint.ts';
import { registerSource } from '../../src/application/register-source.ts';
import type { TrucelineError } from '../../src/core/errors.ts';
import { assemble, openStore } from '../../src/main.ts';
import { runCli } from '../helpers/cli.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'truceline-signed-trees-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A store in `name`.db signing with the one key file of the test. */
const storeSigningWithTheKey = async (name: string): Promise<AppDeps> =>
  assemble(await openStore({ db: join(dir, `${name}.db`) }), {
    validationThreads: 0,
    ledgerKey: join(dir, 'log.ledger-key'),
    attachments: join(dir, `${name}.attachments`),
  });

const radar = (id: string, lat: number) => ({
  id,
  kind: 'radar',
  organisation: 'mission',
  position: { lat, lon: 37.5 },
});

describe('the record of the largest tree the log’s key signed', () => {
  it('records each signed tree, and refuses to sign or audit a tree that does not extend it', async () => {
    const first = await storeSigningWithTheKey('first');
    await registerSource(first, radar('rd-1', 48.1));
    const signed = await signCheckpoint({ ...first, ledgerSigning: first.ledgerKey() });
    const record = readFileSync(join(dir, 'log.ledger-key.signed'), 'utf8');
    assert.equal(record, `${signed.size} ${Buffer.from(signed.rootHash).toString('hex')}\n`);
    await registerSource(first, radar('rd-2', 48.2));
    const grown = await signCheckpoint({ ...first, ledgerSigning: first.ledgerKey() });
    assert.ok(grown.size > signed.size);
    assert.match(readFileSync(join(dir, 'log.ledger-key.signed'), 'utf8'), new RegExp(`^${grown.size} `));
    await first.store.close();

    // Another tree — the database rewritten, its checkpoints gone — as large or larger, another root.
    const rewritten = await storeSigningWithTheKey('rewritten');
    for (let i = 0; i < 4; i++) await registerSource(rewritten, radar(`rd-x${i}`, 47 + i / 10));
    assert.ok((await rewritten.store.ledger.head()).size >= grown.size);
    await assert.rejects(
      signCheckpoint({ ...rewritten, ledgerSigning: rewritten.ledgerKey() }),
      (error: TrucelineError) =>
        error.code === 'E_LEDGER_AUDIT' &&
        error.message ===
          `the checkpoint was not signed: the tree at size ${grown.size} is not the one the log's key signed: the ledger was rewritten. ` +
            `If a backup taken before the last checkpoint was restored on purpose, removing ${join(dir, 'log.ledger-key.signed')} ` +
            `lets the key sign the restored tree — a fork the parties' witnesses will see`,
    );
    assert.equal(await rewritten.store.ledger.latestCheckpoint(), undefined);
    const audit = await auditLedger({ store: rewritten.store, ledgerSigning: rewritten.ledgerKey() });
    assert.equal(audit.ok, false);
    assert.equal(
      audit.ok ? '' : audit.problem,
      `ledger_nodes: the tree at size ${grown.size} is not the one the log's key signed: the ledger was rewritten`,
    );
    await rewritten.store.close();
  });

  it('starts the record from the latest checkpoint the key signed, for a key that signed before it was kept', async () => {
    const deps = await storeSigningWithTheKey('older');
    const keyDir = mkdtempSync(join(dir, 'older-key-'));
    const older = assemble(deps.store, {
      validationThreads: 0,
      ledgerKey: join(keyDir, 'k'),
      attachments: join(dir, 'older.attachments'),
    });
    await registerSource(older, radar('rd-1', 48.1));
    const signing = older.ledgerKey();
    const checkpoint = await signCheckpoint({ ...older, ledgerSigning: signing });
    rmSync(join(keyDir, 'k.signed'));
    // Nothing grew: the latest checkpoint is answered, and recorded as signed.
    await signCheckpoint({ ...older, ledgerSigning: signing });
    assert.equal(
      readFileSync(join(keyDir, 'k.signed'), 'utf8'),
      `${checkpoint.size} ${Buffer.from(checkpoint.rootHash).toString('hex')}\n`,
    );
    await older.store.close();
  });

  it('keeps the record where --ledger-signed says (a key mounted read-only), and says so when it cannot write it', async () => {
    const db = join(dir, 'mounted.db');
    const record = join(dir, 'elsewhere', 'mounted.signed');
    mkdirSync(join(dir, 'elsewhere'));
    const registry = join(dir, 'mounted-sources.json');
    writeFileSync(registry, JSON.stringify([radar('rd-m1', 48.3)]));
    const registered = await runCli(['sources', 'register', registry, '--db', db, '--ledger-signed', record]);
    assert.equal(registered.code, 0, registered.stderr);
    assert.match(readFileSync(record, 'utf8'), /^\d+ [0-9a-f]{64}\n$/);
    assert.ok(!existsSync(`${db}.ledger-key.signed`), 'nothing beside the key');
    // A record that cannot be written (here in a directory that does not exist): the error names the option.
    const blocked = join(dir, 'no-such-dir', 'mounted.signed');
    writeFileSync(registry, JSON.stringify([radar('rd-m2', 48.4)]));
    const refused = await runCli(['sources', 'register', registry, '--db', db, '--ledger-signed', blocked]);
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stderr,
      /cannot write .*no-such-dir\/mounted\.signed, the record of the largest tree the ledger key signed: give --ledger-signed FILE/,
    );
  });
});
