/** Contract of the SourceStore port, on every engine: register, re-register, look up, list. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Source, SourceKey } from '../../src/core/sources/source.ts';
import { describeEachEngine } from './engines.ts';

const key = (keyId: string, revokedAtMs: number | null = null): SourceKey => ({
  keyId,
  algorithm: 'ed25519',
  publicKey: `MCowBQYDK2VwAyEA${keyId.padEnd(27, 'A')}=`,
  createdAtMs: 1_767_225_600_000,
  revokedAtMs,
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

  it('returns copies: changing what a lookup returned does not change the store', async () => {
    const store = await engine.open();
    await store.sources.upsert(source('c-1'));
    const found = (await store.sources.get('c-1')) as { capabilities: Record<string, unknown> };
    found.capabilities.rangeKm = 999;
    assert.equal((await store.sources.get('c-1')).capabilities.rangeKm, 20);
  });
});
