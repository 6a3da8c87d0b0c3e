/**
 * Contract of the SourceStore port, on every engine: register, re-register, look up, list; markings;
 * keys added, revoked (with a compromise time) and found by id.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DEFAULT_MARKINGS } from '../../src/core/access/markings.ts';
import type { Source, SourceKey } from '../../src/core/sources/source.ts';
import { describeEachEngine } from './engines.ts';

const key = (
  keyId: string,
  revokedAtMs: number | null = null,
  compromisedAtMs: number | null = null,
): SourceKey => ({
  keyId,
  algorithm: 'ed25519',
  publicKey: `MCowBQYDK2VwAyEA${keyId.padEnd(27, 'A')}=`,
  createdAtMs: 1_767_225_600_000,
  revokedAtMs,
  compromisedAtMs,
});

/** Asserts that `promise` rejects with a TrucelineError of `code` whose message names `named`. */
const rejectsWith = (promise: Promise<unknown>, code: string, named: RegExp) =>
  assert.rejects(promise, (error: unknown) => {
    assert.equal((error as { code?: unknown }).code, code);
    assert.match((error as Error).message, named);
    return true;
  });

const source = (id: string, overrides: Partial<Source> = {}): Source => ({
  id,
  kind: 'acoustic',
  organisation: 'smm',
  name: `Array ${id}`,
  position: { lat: 48.0159, lon: 37.8028, altitudeM: 180 },
  orientationDeg: 45,
  capabilities: { rangeKm: 20, bands: ['infrasound', 'audio'], nested: { calibrated: true } },
  keys: [key('k1')],
  registeredAtMs: 1_767_225_600_000,
  marking: DEFAULT_MARKINGS.source,
  ...overrides,
});

describeEachEngine('SourceStore', (engine) => {
  it('registers a source and finds it exactly as given', async () => {
    const store = await engine.open();
    const fixed = source('acoustic-01');
    const mobile = source('patrol-07', {
      kind: 'patrol',
      position: null,
      orientationDeg: null,
      capabilities: {},
      keys: [],
    });
    const noAltitude = source('camera-03', { kind: 'camera', position: { lat: -0, lon: 38.5 } });
    await store.sources.upsert(fixed);
    await store.sources.upsert(mobile);
    await store.sources.upsert(noAltitude);
    assert.deepEqual(await store.sources.find('acoustic-01'), fixed);
    assert.deepEqual(await store.sources.get('patrol-07'), mobile);
    // -0 is stored as 0 on every engine (SQLite cannot tell them apart).
    assert.deepEqual(await store.sources.get('camera-03'), {
      ...noAltitude,
      position: { lat: 0, lon: 38.5 },
    });
  });

  it('answers an unknown source with undefined from find and E_NOT_FOUND from get', async () => {
    const store = await engine.open();
    assert.equal(await store.sources.find('nobody'), undefined);
    await assert.rejects(store.sources.get('nobody'), (error: unknown) => {
      assert.equal((error as { code?: unknown }).code, 'E_NOT_FOUND');
      assert.match((error as Error).message, /nobody/);
      return true;
    });
  });

  it('re-registering replaces the description but keeps the keys and the registration time', async () => {
    const store = await engine.open();
    await store.sources.upsert(
      source('radar-02', { kind: 'radar', keys: [key('k1'), key('k2', 1_768_000_000_000)] }),
    );
    const changed = source('radar-02', {
      kind: 'radar',
      organisation: 'member-fr',
      name: 'Counter-battery radar 2',
      position: { lat: 47.9, lon: 37.6 },
      orientationDeg: 90,
      capabilities: { rangeKm: 40 },
      // k2 offered again un-revoked: the stored (revoked) one stays; k3 is new and is added.
      keys: [key('k2'), key('k3')],
      registeredAtMs: 1_769_000_000_000,
    });
    await store.sources.upsert(changed);
    assert.deepEqual(await store.sources.get('radar-02'), {
      ...changed,
      keys: [key('k1'), key('k2', 1_768_000_000_000), key('k3')],
      registeredAtMs: 1_767_225_600_000,
    });
    assert.equal((await store.sources.list()).length, 1);
  });

  it('finds many at once, leaving out the unknown ones', async () => {
    const store = await engine.open();
    await store.sources.upsert(source('a-1'));
    await store.sources.upsert(source('b-2'));
    const found = await store.sources.findMany(['b-2', 'missing', 'a-1', 'b-2']);
    assert.deepEqual([...found.keys()].sort(), ['a-1', 'b-2']);
    assert.deepEqual(found.get('a-1'), source('a-1'));
    assert.equal((await store.sources.findMany([])).size, 0);
  });

  it('lists every source ordered by id, byte order (upper case before lower case)', async () => {
    const store = await engine.open();
    const ids = ['zeta', 'Alpha', 'alpha', 'beta-2', 'beta-10', 'Zulu', '0-first'];
    for (const id of ids) await store.sources.upsert(source(id));
    assert.deepEqual(
      (await store.sources.list()).map((s) => s.id),
      ['0-first', 'Alpha', 'Zulu', 'alpha', 'beta-10', 'beta-2', 'zeta'],
    );
  });

  it('keeps the marking as given, and re-registration replaces it', async () => {
    const store = await engine.open();
    const red = { tlp: 'RED', releasableTo: ['mission', 'member-fr'] } as const;
    await store.sources.upsert(source('m-1', { marking: red }));
    await store.sources.upsert(source('m-2'));
    assert.deepEqual((await store.sources.get('m-1')).marking, red);
    assert.deepEqual((await store.sources.get('m-2')).marking, DEFAULT_MARKINGS.source);
    assert.deepEqual((await store.sources.findMany(['m-1'])).get('m-1')?.marking, red);
    assert.deepEqual(
      (await store.sources.list()).map((s) => s.marking.tlp),
      ['RED', 'AMBER'],
    );
    const green = { tlp: 'GREEN', releasableTo: ['@party', '@member', 'mission'] } as const;
    await store.sources.upsert(source('m-1', { marking: green }));
    assert.deepEqual((await store.sources.get('m-1')).marking, green);
  });

  it('adds a key to a source; E_NOT_FOUND for an unknown source, E_CONFLICT for a key id held anywhere', async () => {
    const store = await engine.open();
    await store.sources.upsert(source('s-1', { keys: [] }));
    await store.sources.upsert(source('s-2'));
    await store.sources.addKey('s-1', key('k-new'));
    await store.sources.addKey('s-1', key('k-newer', null));
    assert.deepEqual((await store.sources.get('s-1')).keys, [key('k-new'), key('k-newer')]);
    await rejectsWith(store.sources.addKey('nobody', key('k-x')), 'E_NOT_FOUND', /nobody/);
    await rejectsWith(store.sources.addKey('s-1', key('k-new')), 'E_CONFLICT', /k-new/);
    // k1 is s-2's: key ids are unique across sources (findKey names one source).
    await rejectsWith(store.sources.addKey('s-1', key('k1')), 'E_CONFLICT', /k1/);
    assert.deepEqual((await store.sources.get('s-1')).keys, [key('k-new'), key('k-newer')]);
    assert.equal(await store.sources.find('nobody'), undefined);
  });

  it('revokes a key from a compromise time, and revoking again keeps the earlier times', async () => {
    const store = await engine.open();
    await store.sources.upsert(source('r-1', { keys: [key('ka'), key('kb')] }));
    await store.sources.revokeKey('r-1', 'ka', 1_768_000_000_000, null);
    assert.deepEqual((await store.sources.get('r-1')).keys, [key('ka', 1_768_000_000_000), key('kb')]);
    // Found later to have been compromised before: the compromise time moves earlier, the revocation stays.
    await store.sources.revokeKey('r-1', 'ka', 1_769_000_000_000, 1_767_500_000_000);
    assert.deepEqual(
      (await store.sources.get('r-1')).keys[0],
      key('ka', 1_768_000_000_000, 1_767_500_000_000),
    );
    // A later compromise time, or none, changes nothing.
    await store.sources.revokeKey('r-1', 'ka', 1_769_500_000_000, 1_767_900_000_000);
    await store.sources.revokeKey('r-1', 'ka', 1_769_600_000_000, null);
    assert.deepEqual((await store.sources.get('r-1')).keys, [
      key('ka', 1_768_000_000_000, 1_767_500_000_000),
      key('kb'),
    ]);
    await store.sources.revokeKey('r-1', 'kb', 1_768_100_000_000, 1_767_300_000_000);
    assert.deepEqual(
      (await store.sources.get('r-1')).keys[1],
      key('kb', 1_768_100_000_000, 1_767_300_000_000),
    );
    await rejectsWith(store.sources.revokeKey('nobody', 'ka', 1, null), 'E_NOT_FOUND', /nobody/);
    await rejectsWith(store.sources.revokeKey('r-1', 'k-missing', 1, null), 'E_NOT_FOUND', /k-missing/);
    // Re-registration offering the key un-revoked does not undo the revocation.
    await store.sources.upsert(source('r-1', { keys: [key('ka')] }));
    assert.equal((await store.sources.get('r-1')).keys[0]?.compromisedAtMs, 1_767_500_000_000);
  });

  it('finds the source holding a key, and the key; undefined when no source has it', async () => {
    const store = await engine.open();
    const holder = source('f-2', { keys: [key('kx'), key('ky', 1_768_000_000_000, 1_767_000_000_000)] });
    await store.sources.upsert(source('f-1', { keys: [key('kw')] }));
    await store.sources.upsert(holder);
    assert.deepEqual(await store.sources.findKey('ky'), {
      source: holder,
      key: key('ky', 1_768_000_000_000, 1_767_000_000_000),
    });
    assert.deepEqual((await store.sources.findKey('kw'))?.source.id, 'f-1');
    await store.sources.addKey('f-1', key('kz'));
    assert.deepEqual((await store.sources.findKey('kz'))?.key, key('kz'));
    // Keys a re-registration brings, and revoked keys, are found too.
    await store.sources.upsert(source('f-1', { keys: [key('kw'), key('kv')] }));
    assert.deepEqual((await store.sources.findKey('kv'))?.source.id, 'f-1');
    await store.sources.revokeKey('f-1', 'kz', 1_768_000_000_000, null);
    assert.deepEqual((await store.sources.findKey('kz'))?.key, key('kz', 1_768_000_000_000));
    assert.equal(await store.sources.findKey('nope'), undefined);
    // A key id that is a prefix of another, or looks like JSON, matches nothing else.
    assert.equal(await store.sources.findKey('k'), undefined);
    assert.equal(await store.sources.findKey('"kx"'), undefined);
  });

  it('returns copies: changing what a lookup returned does not change the store', async () => {
    const store = await engine.open();
    await store.sources.upsert(source('c-1'));
    const found = (await store.sources.get('c-1')) as { capabilities: Record<string, unknown> };
    found.capabilities.rangeKm = 999;
    assert.equal((await store.sources.get('c-1')).capabilities.rangeKm, 20);
  });
});
