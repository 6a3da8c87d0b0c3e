// The PostgreSQL store sets what it relies on for each connection, whatever the database's defaults:
// with `extra_float_digits = 0` and `default_transaction_isolation = 'repeatable read'` set on the
// database, coordinates still come back exactly (the ledger's records commit to them), and two stores
// racing appends on the same items still see every loser refused with E_STALE_VERSION.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { openPostgresStore } from '../../src/adapters/postgres/open-postgres-store.ts';
import type { Store } from '../../src/core/ports/store.ts';
import { ObservationFactory } from '../helpers/observation-factory.ts';
import { testPostgres, type TestDatabase } from '../helpers/postgres.ts';

const availability = testPostgres.availability();

describe('PostgreSQL store under changed database defaults', { skip: availability.status === 'skip' }, () => {
  let database: TestDatabase | undefined;
  const stores: Store[] = [];
  before(async () => {
    if (availability.status === 'fail') assert.fail(availability.reason);
    if (availability.status !== 'run') return;
    database = await testPostgres.createDatabase(availability.adminUrl);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const name = new URL(database.url).pathname.slice(1);
    await client.query(`ALTER DATABASE ${name} SET extra_float_digits = 0`);
    await client.query(`ALTER DATABASE ${name} SET default_transaction_isolation = 'repeatable read'`);
    await client.end();
    for (let i = 0; i < 2; i++) stores.push(await openPostgresStore({ url: database.url }));
  });
  after(async () => {
    for (const store of stores) await store.close();
    await database?.drop();
  });

  it('keeps doubles exact, and the ledger audit passes', async () => {
    const [store] = stores;
    assert.ok(store !== undefined);
    const make = new ObservationFactory();
    const point = { lat: 48.123456789012344, lon: 37.98765432109876, ceM: 150.00000000000003 };
    const observation = make.valid({ id: 'exact', point, timeUncertaintyMs: 0.30000000000000004 });
    await store.observations.commitIngest(make.batch([observation]));
    const stored = await store.observations.findByRecordId(observation.sourceId, 'exact');
    assert.deepEqual(
      [stored?.lat, stored?.lon, stored?.ceM, stored?.timeUncertaintyMs],
      [point.lat, point.lon, point.ceM, 0.30000000000000004],
    );
    assert.equal((await store.ledger.audit()).ok, true);
  });

  it('refuses every loser of a race on one item with E_STALE_VERSION, never a serialisation failure', async () => {
    const T0 = Date.parse('2026-06-01T08:00:00Z');
    const codes = new Map<string, number>();
    const worker = async (store: Store, item: string) => {
      for (let round = 0; round < 4; round++) {
        const version = (await store.verification.find(item))?.actions.length ?? 0;
        try {
          await store.verification.append({
            id: item,
            fromVersion: version,
            actions: [{ type: 'note', at: T0 + version, by: { userId: 'u' } } as never],
            state: { version: version + 1 } as never,
            head: { state: 'open', subjectKind: 'violation', subjectId: item, updatedAtMs: T0 + version },
          });
          codes.set('ok', (codes.get('ok') ?? 0) + 1);
        } catch (error) {
          const code = String((error as { code?: unknown }).code);
          codes.set(code, (codes.get(code) ?? 0) + 1);
        }
      }
    };
    const jobs: Promise<void>[] = [];
    for (let i = 0; i < 6; i++)
      for (const store of [...stores, ...stores]) jobs.push(worker(store, `item-${i}`));
    await Promise.all(jobs);
    assert.deepEqual([...codes.keys()].sort(), ['E_STALE_VERSION', 'ok'], JSON.stringify([...codes]));
  });
});
