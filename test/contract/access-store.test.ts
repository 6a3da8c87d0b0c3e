/**
 * Contract of the AccessStore port, on every engine: organisations (created once, never with another
 * kind), user accounts and their OpenID Connect identities, API tokens, web sessions, and the record of
 * reads — every method, and every error the port names (`E_CONFLICT`, `E_NOT_FOUND`).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Organisation } from '../../src/core/access/organisations.ts';
import type { ApiToken, ReadRecord, Session, User } from '../../src/core/ports/access-store.ts';
import type { Store } from '../../src/core/ports/store.ts';
import { describeEachEngine } from './engines.ts';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const HOUR = 3_600_000;

const org = (id: string, overrides: Partial<Organisation> = {}): Organisation => ({
  id,
  kind: 'member',
  name: `Organisation ${id}`,
  createdAtMs: T0,
  ...overrides,
});

const user = (name: string, overrides: Partial<User> = {}): User => ({
  id: `u-${name}`,
  name,
  orgId: 'mission',
  role: 'analyst',
  passwordHash: `$argon2id$v=19$m=65536,t=3,p=4$${name}`,
  oidcIdentity: null,
  createdAtMs: T0,
  disabledAtMs: null,
  ...overrides,
});

const token = (id: string, overrides: Partial<ApiToken> = {}): ApiToken => ({
  id,
  userId: 'u-ana',
  scopes: ['read', 'ingest'],
  tokenSha256: id.padEnd(64, '0'),
  createdAtMs: T0,
  expiresAtMs: T0 + 90 * 24 * HOUR,
  revokedAtMs: null,
  ...overrides,
});

const session = (id: string, overrides: Partial<Session> = {}): Session => ({
  id,
  userId: 'u-ana',
  secretSha256: id.padEnd(64, 'f'),
  csrfToken: `csrf-${id}`,
  createdAtMs: T0,
  expiresAtMs: T0 + 8 * HOUR,
  ...overrides,
});

const read = (atMs: number, overrides: Partial<ReadRecord> = {}): ReadRecord => ({
  atMs,
  userId: 'u-ana',
  orgId: 'mission',
  route: 'GET /api/v1/observations',
  records: ['observation:1', 'observation:2'],
  ...overrides,
});

/** Asserts that `promise` rejects with a TrucelineError of `code` whose message matches `named`. */
const rejectsWith = (promise: Promise<unknown>, code: string, named?: RegExp) =>
  assert.rejects(promise, (error: unknown) => {
    assert.equal((error as { code?: unknown }).code, code);
    if (named !== undefined) assert.match((error as Error).message, named);
    return true;
  });

/** A store with the mission and one analyst, `ana`. */
async function withAna(open: () => Promise<Store>): Promise<Store> {
  const store = await open();
  await store.access.ensureOrganisation(org('mission', { kind: 'mission', name: 'Monitoring mission' }));
  await store.access.createUser(user('ana'));
  return store;
}

describeEachEngine('AccessStore', (engine) => {
  const open = () => engine.open();

  it('creates an organisation once: the same again is a no-op, another kind E_CONFLICT', async () => {
    const store = await open();
    const chair = org('chair-osce', { kind: 'chair', name: 'OSCE Chair' });
    assert.equal(await store.access.ensureOrganisation(chair), 'created');
    assert.deepEqual(await store.access.findOrganisation('chair-osce'), chair);
    // Same kind: nothing changes, not even the name or the time.
    assert.equal(
      await store.access.ensureOrganisation({ ...chair, name: 'Renamed', createdAtMs: T0 + HOUR }),
      'exists',
    );
    assert.deepEqual(await store.access.findOrganisation('chair-osce'), chair);
    await rejectsWith(
      store.access.ensureOrganisation({ ...chair, kind: 'party' }),
      'E_CONFLICT',
      /chair-osce/,
    );
    assert.deepEqual(await store.access.findOrganisation('chair-osce'), chair);
    assert.equal(await store.access.findOrganisation('nobody'), undefined);
  });

  it('lists organisations by id, byte order', async () => {
    const store = await open();
    assert.deepEqual(await store.access.listOrganisations(), []);
    for (const id of ['party-ua', 'Member-DE', 'mission', 'member-fr', 'party-ru'])
      await store.access.ensureOrganisation(org(id));
    assert.deepEqual(
      (await store.access.listOrganisations()).map((o) => o.id),
      ['Member-DE', 'member-fr', 'mission', 'party-ru', 'party-ua'],
    );
  });

  it('creates users and finds them by id, name and OpenID Connect identity', async () => {
    const store = await withAna(open);
    await store.access.ensureOrganisation(org('party-ua', { kind: 'party' }));
    const liaison = user('bohdan', {
      orgId: 'party-ua',
      role: 'party-liaison',
      passwordHash: null,
      oidcIdentity: 'https://id.example.org|sub-42',
      disabledAtMs: T0 + HOUR,
    });
    await store.access.createUser(liaison);
    assert.deepEqual(await store.access.findUserById('u-bohdan'), liaison);
    assert.deepEqual(await store.access.findUserByName('bohdan'), liaison);
    assert.deepEqual(await store.access.findUserByOidcIdentity('https://id.example.org|sub-42'), liaison);
    assert.deepEqual(await store.access.findUserByName('ana'), user('ana'));
    assert.equal(await store.access.findUserById('u-nobody'), undefined);
    assert.equal(await store.access.findUserByName('Ana'), undefined, 'names are case-sensitive');
    assert.equal(await store.access.findUserByOidcIdentity('https://id.example.org|sub-43'), undefined);
  });

  it('refuses a taken name, id or identity with E_CONFLICT, and an unknown organisation with E_NOT_FOUND', async () => {
    const store = await withAna(open);
    await store.access.createUser(user('carl', { oidcIdentity: 'iss|carl' }));
    await rejectsWith(store.access.createUser(user('ana', { id: 'u-other' })), 'E_CONFLICT', /ana/);
    await rejectsWith(store.access.createUser(user('dora', { id: 'u-ana' })), 'E_CONFLICT', /u-ana/);
    await rejectsWith(store.access.createUser(user('erik', { oidcIdentity: 'iss|carl' })), 'E_CONFLICT');
    await rejectsWith(
      store.access.createUser(user('fay', { orgId: 'no-such-org' })),
      'E_NOT_FOUND',
      /no-such-org/,
    );
    assert.deepEqual(
      (await store.access.listUsers()).map((u) => u.name),
      ['ana', 'carl'],
    );
  });

  it('links an OpenID Connect identity to one user only', async () => {
    const store = await withAna(open);
    await store.access.createUser(user('carl'));
    await store.access.linkOidcIdentity('u-ana', 'iss|ana');
    assert.equal((await store.access.findUserByOidcIdentity('iss|ana'))?.id, 'u-ana');
    // Linking it again to the same user changes nothing.
    await store.access.linkOidcIdentity('u-ana', 'iss|ana');
    await rejectsWith(store.access.linkOidcIdentity('u-carl', 'iss|ana'), 'E_CONFLICT');
    await rejectsWith(store.access.linkOidcIdentity('u-nobody', 'iss|nobody'), 'E_NOT_FOUND', /u-nobody/);
    assert.equal(await store.access.findUserByOidcIdentity('iss|nobody'), undefined);
    // A new identity replaces the user's old one.
    await store.access.linkOidcIdentity('u-ana', 'iss2|ana');
    assert.equal(await store.access.findUserByOidcIdentity('iss|ana'), undefined);
    assert.deepEqual(await store.access.findUserById('u-ana'), user('ana', { oidcIdentity: 'iss2|ana' }));
    assert.equal((await store.access.findUserById('u-carl'))?.oidcIdentity, null);
  });

  it('lists users by name, byte order, and counts the enabled holders of a role', async () => {
    const store = await withAna(open);
    await store.access.createUser(user('Zed', { role: 'admin' }));
    await store.access.createUser(user('bea', { role: 'admin' }));
    await store.access.createUser(user('old-admin', { role: 'admin', disabledAtMs: T0 }));
    assert.deepEqual(
      (await store.access.listUsers()).map((u) => u.name),
      ['Zed', 'ana', 'bea', 'old-admin'],
    );
    assert.equal(await store.access.countUsersWithRole('admin'), 2);
    assert.equal(await store.access.countUsersWithRole('analyst'), 1);
    assert.equal(await store.access.countUsersWithRole('chair'), 0);
  });

  it('keeps API tokens: found by hash, listed newest first, revoked once', async () => {
    const store = await withAna(open);
    await store.access.createUser(user('carl'));
    const older = token('t-older', { scopes: ['read'] });
    const newer = token('t-newer', { createdAtMs: T0 + HOUR, scopes: ['read', 'ingest', 'admin'] });
    const tie = token('t-tie', { createdAtMs: T0 + HOUR });
    await store.access.createToken(older);
    await store.access.createToken(newer);
    await store.access.createToken(tie);
    await store.access.createToken(token('t-carl', { userId: 'u-carl' }));
    assert.deepEqual(await store.access.findTokenBySha256(newer.tokenSha256), newer);
    assert.equal(await store.access.findTokenBySha256('0'.repeat(64)), undefined);
    // Newest first; the same time, by id descending.
    assert.deepEqual(await store.access.listTokens('u-ana'), [tie, newer, older]);
    assert.deepEqual(await store.access.listTokens('u-nobody'), []);

    await store.access.revokeToken('t-older', T0 + 2 * HOUR);
    await store.access.revokeToken('t-older', T0 + 3 * HOUR);
    assert.deepEqual(await store.access.findTokenBySha256(older.tokenSha256), {
      ...older,
      revokedAtMs: T0 + 2 * HOUR,
    });
    assert.equal((await store.access.findTokenBySha256(newer.tokenSha256))?.revokedAtMs, null);
    await rejectsWith(store.access.revokeToken('t-nobody', T0), 'E_NOT_FOUND', /t-nobody/);
  });

  it('refuses a token whose id or hash exists with E_CONFLICT, and one of an unknown user with E_NOT_FOUND', async () => {
    const store = await withAna(open);
    await store.access.createToken(token('t-1'));
    await rejectsWith(store.access.createToken(token('t-1', { tokenSha256: 'a'.repeat(64) })), 'E_CONFLICT');
    await rejectsWith(
      store.access.createToken(token('t-2', { tokenSha256: token('t-1').tokenSha256 })),
      'E_CONFLICT',
    );
    await rejectsWith(
      store.access.createToken(token('t-3', { userId: 'u-nobody' })),
      'E_NOT_FOUND',
      /u-nobody/,
    );
    assert.deepEqual(await store.access.listTokens('u-ana'), [token('t-1')]);
  });

  it('keeps web sessions: found by secret hash, deleted (deleting again is a no-op)', async () => {
    const store = await withAna(open);
    const s1 = session('s-1');
    const s2 = session('s-2', { createdAtMs: T0 + HOUR });
    await store.access.createSession(s1);
    await store.access.createSession(s2);
    assert.deepEqual(await store.access.findSessionBySecret(s1.secretSha256), s1);
    assert.deepEqual(await store.access.findSessionBySecret(s2.secretSha256), s2);
    assert.equal(await store.access.findSessionBySecret('e'.repeat(64)), undefined);
    await store.access.deleteSession('s-1');
    await store.access.deleteSession('s-1');
    await store.access.deleteSession('s-nobody');
    assert.equal(await store.access.findSessionBySecret(s1.secretSha256), undefined);
    assert.deepEqual(await store.access.findSessionBySecret(s2.secretSha256), s2);
    await rejectsWith(
      store.access.createSession(session('s-3', { secretSha256: s2.secretSha256 })),
      'E_CONFLICT',
    );
    await rejectsWith(
      store.access.createSession(session('s-2', { secretSha256: 'd'.repeat(64) })),
      'E_CONFLICT',
    );
    await rejectsWith(store.access.createSession(session('s-4', { userId: 'u-nobody' })), 'E_NOT_FOUND');
  });

  it('appends to the record of reads and lists it oldest first, after a time, a page at a time', async () => {
    const store = await open();
    assert.deepEqual(await store.access.listReads({ limit: 10 }), []);
    const publicRead = read(T0 + 2, {
      userId: null,
      orgId: 'public',
      route: 'GET /api/v1/events',
      records: ['event:ev-1'],
    });
    const many = read(T0 + 2, { records: Array.from({ length: 1_000 }, (_, i) => `observation:${i + 1}`) });
    await store.access.recordReads([read(T0 + 1), publicRead]);
    await store.access.recordReads([]);
    await store.access.recordReads([
      many,
      read(T0, { route: 'GET /api/v1/sources', records: ['source:radar-1'] }),
    ]);
    const all = await store.access.listReads({ limit: 10 });
    // By time; entries with the same time in the order recorded.
    assert.deepEqual(all, [
      read(T0, { route: 'GET /api/v1/sources', records: ['source:radar-1'] }),
      read(T0 + 1),
      publicRead,
      many,
    ]);
    assert.deepEqual(await store.access.listReads({ afterMs: T0 + 1, limit: 10 }), [publicRead, many]);
    assert.deepEqual(await store.access.listReads({ afterMs: T0 + 0.5, limit: 1 }), [read(T0 + 1)]);
    assert.deepEqual(await store.access.listReads({ afterMs: T0 + 2, limit: 10 }), []);
    assert.deepEqual(await store.access.listReads({ limit: 0 }), []);
    await rejectsWith(store.access.listReads({ limit: -1 }), 'E_VALIDATION');
    await rejectsWith(store.access.listReads({ afterMs: Number.NaN, limit: 1 }), 'E_VALIDATION');
  });

  it('returns values a caller cannot change the store through', async () => {
    const store = await withAna(open);
    await store.access.createToken(token('t-1'));
    const found = await store.access.findTokenBySha256(token('t-1').tokenSha256);
    try {
      (found?.scopes as string[] | undefined)?.push('admin');
    } catch {
      // Frozen is as good as a copy.
    }
    assert.deepEqual((await store.access.findTokenBySha256(token('t-1').tokenSha256))?.scopes, [
      'read',
      'ingest',
    ]);
    const given = read(T0, { records: ['observation:1'] });
    await store.access.recordReads([given]);
    (given.records as string[]).push('observation:2');
    assert.deepEqual((await store.access.listReads({ limit: 1 }))[0]?.records, ['observation:1']);
  });

  it('records a version of the access policy only when it changed, each ledgered', async () => {
    const store = await open();
    const first = { documentJson: '{"grants":{"a":1}}', contentSha256: 'a'.repeat(64) };
    const second = { documentJson: '{"grants":{"a":2}}', contentSha256: 'b'.repeat(64) };
    assert.equal(await store.access.latestPolicy(), undefined);
    assert.deepEqual(await store.access.recordPolicy(first, T0), { version: 1, recorded: true });
    assert.deepEqual(await store.access.recordPolicy(first, T0 + HOUR), { version: 1, recorded: false });
    // Concurrent starts with one policy record it once.
    const [a, b] = await Promise.all([
      store.access.recordPolicy(second, T0 + 2 * HOUR),
      store.access.recordPolicy(second, T0 + 2 * HOUR),
    ]);
    assert.deepEqual([a.version, b.version], [2, 2]);
    assert.equal([a, b].filter((r) => r.recorded).length, 1);
    assert.deepEqual(await store.access.recordPolicy(first, T0 + 3 * HOUR), { version: 3, recorded: true });
    assert.deepEqual(await store.access.latestPolicy(), {
      version: 3,
      ...first,
      recordedAtMs: T0 + 3 * HOUR,
    });
    const leaves = (await store.ledger.entries(0, 100)).filter((e) => e.type === 'access-policy');
    assert.deepEqual(
      leaves.map((e) => [e.table, e.key]),
      [
        ['access_policies', 1],
        ['access_policies', 2],
        ['access_policies', 3],
      ],
    );
    assert.equal(
      leaves[1]?.record,
      `{"content_sha256":"${second.contentSha256}","document_json":${JSON.stringify(second.documentJson)},"recorded_at":${T0 + 2 * HOUR}}`,
    );
    const audit = await store.ledger.audit();
    assert.equal(audit.ok, true, JSON.stringify(audit));
  });

  const { openAgain } = engine;
  if (openAgain !== undefined)
    it('keeps everything across close and reopen', async () => {
      const store = await withAna(open);
      await store.access.createToken(token('t-1'));
      await store.access.createSession(session('s-1'));
      await store.access.recordReads([read(T0)]);
      await store.close();
      const reopened = await openAgain(store);
      assert.deepEqual(await reopened.access.listUsers(), [user('ana')]);
      assert.deepEqual(await reopened.access.findTokenBySha256(token('t-1').tokenSha256), token('t-1'));
      assert.deepEqual(
        await reopened.access.findSessionBySecret(session('s-1').secretSha256),
        session('s-1'),
      );
      assert.deepEqual(await reopened.access.listReads({ limit: 10 }), [read(T0)]);
      await reopened.access.recordReads([read(T0 + 1)]);
      assert.equal((await reopened.access.listReads({ limit: 10 })).length, 2);
    });
});
