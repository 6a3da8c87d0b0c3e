// The access commands as an operator runs them: the first serve creates the administrator once, users
// and tokens are created (only the token on stdout), refused with the field named, revoked; a password
// comes on stdin and signs in on the web; a source key is generated, rotated and revoked.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, runCliOk, startServer } from '../helpers/cli.ts';

describe('truceline orgs, users, tokens and source keys', () => {
  let dir: string;
  let db: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'truceline-cli-access-'));
    db = join(dir, 'access.db');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the first serve creates an administrator and prints its password on stderr; the next does not; one that fails to listen creates none', async () => {
    // A port taken: that serve fails, and the administrator is left for the first that listens.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = String((taken.address() as AddressInfo).port);
      const failed = await runCli(['serve', '--port', port, '--db', db]);
      assert.notEqual(failed.code, 0);
      assert.match(failed.stderr, /EADDRINUSE/);
      assert.doesNotMatch(failed.stderr, /first administrator/);
      // The access policy the server runs with is on the record (before it listens).
      assert.match(failed.stderr, /access policy version 1 recorded in the ledger/);
    } finally {
      taken.close();
    }
    const first = await startServer(['--db', db]);
    first.child.kill('SIGTERM');
    await new Promise((resolve) => first.child.once('exit', resolve));
    const password = /user admin, password (\S+)/.exec(first.stderr())?.[1];
    assert.ok(password !== undefined && password.length >= 16, first.stderr());
    // The same policy is not recorded twice.
    assert.doesNotMatch(first.stderr(), /access policy/);
    const second = await startServer(['--db', db]);
    const { address } = second;
    try {
      assert.doesNotMatch(second.stderr(), /first administrator/);
      assert.doesNotMatch(second.stderr(), /access policy/);
      // The password signs in.
      const login = await fetch(`${address}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'admin', password }),
      });
      assert.equal(login.status, 200);
      assert.match(login.headers.get('set-cookie') ?? '', /HttpOnly/i);
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((resolve) => second.child.once('exit', resolve));
    }
  });

  test('users and tokens: only the token on stdout; bad input names the field; a revoked token is refused', async () => {
    await runCliOk([
      'orgs',
      'create',
      '--id',
      'coalition-fr',
      '--kind',
      'member',
      '--name',
      'France',
      '--db',
      db,
    ]);
    const created = await runCli([
      'users',
      'create',
      '--org',
      'coalition-fr',
      '--role',
      'coordinator',
      '--name',
      'claire',
      '--db',
      db,
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout, '', 'users create prints nothing on stdout');

    const wrongRole = await runCli([
      'users',
      'create',
      '--org',
      'coalition-fr',
      '--role',
      'monitor',
      '--name',
      'x1',
      '--db',
      db,
    ]);
    assert.equal(wrongRole.code, 1);
    assert.match(wrongRole.stderr, /role: role monitor is held only in organisations of kind mission/);
    const noOrg = await runCli([
      'users',
      'create',
      '--org',
      'nowhere',
      '--role',
      'analyst',
      '--name',
      'x2',
      '--db',
      db,
    ]);
    assert.equal(noOrg.code, 1);
    assert.match(noOrg.stderr, /organisation "nowhere" does not exist/);
    const taken = await runCli([
      'users',
      'create',
      '--org',
      'coalition-fr',
      '--role',
      'auditor',
      '--name',
      'claire',
      '--db',
      db,
    ]);
    assert.equal(taken.code, 1);

    const token = await runCli([
      'tokens',
      'create',
      '--user',
      'claire',
      '--scope',
      'read',
      '--expires',
      '90m',
      '--db',
      db,
    ]);
    assert.equal(token.code, 0, token.stderr);
    assert.match(token.stdout, /^tl_[A-Za-z0-9_-]{43}\n$/);
    const badDuration = await runCli([
      'tokens',
      'create',
      '--user',
      'claire',
      '--scope',
      'read',
      '--expires',
      '90',
      '--db',
      db,
    ]);
    assert.equal(badDuration.code, 1);
    assert.match(badDuration.stderr, /expires: must be a whole number followed by s, m, h, d or w/);
    const badScope = await runCli([
      'tokens',
      'create',
      '--user',
      'claire',
      '--scope',
      'admin',
      '--expires',
      '1h',
      '--db',
      db,
    ]);
    assert.equal(badScope.code, 1);
    assert.match(badScope.stderr, /scope: role coordinator may not hold scope admin/);

    const server = await startServer(['--db', db]);
    try {
      const text = token.stdout.trim();
      const read = await fetch(`${server.address}/api/v1/me`, {
        headers: { authorization: `Bearer ${text}` },
      });
      assert.equal(read.status, 200);
      assert.deepEqual([((await read.json()) as { organisation: string }).organisation], ['coalition-fr']);
      await runCliOk(['tokens', 'revoke', text, '--db', db]);
      const refused = await fetch(`${server.address}/api/v1/me`, {
        headers: { authorization: `Bearer ${text}` },
      });
      assert.equal(refused.status, 401);
      assert.equal(((await refused.json()) as { code: string }).code, 'E_TOKEN_EXPIRED');
    } finally {
      server.child.kill('SIGTERM');
      await new Promise((resolve) => server.child.once('exit', resolve));
    }
  });

  test('a password on stdin (never a prompt), too short a password refused', async () => {
    const short = await runCli(
      [
        'users',
        'create',
        '--org',
        'mission',
        '--role',
        'analyst',
        '--name',
        'shorty',
        '--password-stdin',
        '--db',
        db,
      ],
      {
        input: 'short\n',
      },
    );
    assert.equal(short.code, 1);
    assert.match(short.stderr, /password: must be at least 12 characters/);
    const ok = await runCli(
      [
        'users',
        'create',
        '--org',
        'mission',
        '--role',
        'analyst',
        '--name',
        'olena',
        '--password-stdin',
        '--db',
        db,
      ],
      {
        input: 'correct horse battery staple\n',
      },
    );
    assert.equal(ok.code, 0, ok.stderr);
    const users = JSON.parse(await runCliOk(['users', 'list', '--db', db])) as {
      name: string;
      password: boolean;
    }[];
    assert.equal(users.find((u) => u.name === 'olena')?.password, true);
  });

  test('source keys: keygen writes a 0600 key file and prints the key id; rotate revokes the old; revoke-key with a bad time names it', async () => {
    const sources = join(dir, 'sources.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(sources, JSON.stringify([{ id: 'ac-9', kind: 'acoustic', organisation: 'mission' }]));
    await runCliOk(['sources', 'register', sources, '--db', db]);
    const keyFile = join(dir, 'ac-9.key');
    const keyId = (
      await runCliOk(['sources', 'keygen', '--source', 'ac-9', '--out', keyFile, '--db', db])
    ).trim();
    assert.match(keyId, /^ed25519-[0-9a-f]{16}$/);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const again = await runCli(['sources', 'keygen', '--source', 'ac-9', '--out', keyFile, '--db', db]);
    assert.equal(again.code, 1, 'an existing key file is never overwritten');
    const rotated = await runCli([
      'sources',
      'rotate-key',
      '--source',
      'ac-9',
      '--out',
      join(dir, 'ac-9.new.key'),
      '--db',
      db,
    ]);
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stderr, new RegExp(`revoked from now: ${keyId}`));
    // Not a time, and a time without its zone (this machine's zone would have been assumed).
    for (const time of ['yesterday', '2026-11-30T08:00:00']) {
      const badTime = await runCli([
        'sources',
        'revoke-key',
        '--source',
        'ac-9',
        '--key-id',
        keyId,
        '--compromised-at',
        time,
        '--db',
        db,
      ]);
      assert.equal(badTime.code, 1, time);
      assert.match(badTime.stderr, /--compromised-at must be an RFC 3339 time with a zone/);
    }
    const listed = JSON.parse(await runCliOk(['sources', 'list', '--db', db])) as {
      id: string;
      keys: { keyId: string; revokedAtMs: number | null }[];
    }[];
    const keys = listed.find((s) => s.id === 'ac-9')?.keys ?? [];
    assert.equal(keys.length, 2);
    assert.ok(keys.find((k) => k.keyId === keyId)?.revokedAtMs !== null);
  });
});
