import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHarness, type Harness } from '../helpers/app-harness.ts';

// A mission sensor whose position the parties must not learn, and a party's own complaint desk.
const SENSOR = { lat: 48.123456, lon: 37.654321 };
const COMPLAINT_AT = { lat: 48.4, lon: 37.7 };

let h: Harness;
let party: string;

interface Page {
  items: { record: { kind: string } }[];
  next: string | null;
}

before(async () => {
  h = await startHarness();
  party = await h.tokenFor({ orgId: 'ru-af', kind: 'party', role: 'party-liaison' });
  await h.addSource({ id: 'ac-7', kind: 'acoustic', organisation: 'mission' });
  await h.addSource({ id: 'ru-af-desk', kind: 'complaint', organisation: 'ru-af' });
  const now = h.deps.clock.now();
  const post = async (records: object[]): Promise<void> => {
    const response = await h.inject({
      method: 'POST',
      url: '/api/v1/observations',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(records),
    });
    assert.equal(response.statusCode, 200, response.body);
  };
  await post(
    Array.from({ length: 12 }, (_, i) => ({
      id: `r-${i}`,
      sourceId: 'ac-7',
      kind: 'acoustic',
      observedAt: new Date(now - 600_000 + i * 1000).toISOString(),
      timeUncertaintyMs: 5,
      location: { ...SENSOR, ceM: 5 },
      payload: { signal: 'launch' },
    })),
  );
  await post(
    Array.from({ length: 3 }, (_, i) => ({
      id: `c-${i}`,
      sourceId: 'ru-af-desk',
      kind: 'complaint',
      observedAt: new Date(now - 300_000 + i * 1000).toISOString(),
      timeUncertaintyMs: 600_000,
      location: { ...COMPLAINT_AT, ceM: 500 },
      payload: { complainant: 'ru-af', accused: 'ua', allegation: 'ceasefire-violation' },
    })),
  );
});
after(() => h.close());

const read = async (query: string, token?: string): Promise<Page> => {
  const response = await h.inject({
    url: `/api/v1/observations?${query}`,
    ...(token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }),
  });
  assert.equal(response.statusCode, 200, response.body);
  return response.json<Page>();
};

test("a party's empty pages say nothing of where the mission's sensors are or when they reported", async () => {
  // Halving a box around the sensor: the answers must not tell the halves apart.
  const around = (w: number, s: number, e: number, n: number) => `bbox=${w},${s},${e},${n}&limit=1`;
  const withSensor = await read(around(37, 48, 38, 48.2), party);
  const without = await read(around(36, 47, 37, 48), party);
  assert.deepEqual(withSensor, { items: [], next: null });
  assert.deepEqual(without, { items: [], next: null });
  assert.deepEqual(await read(`source=ac-7&limit=1`, party), { items: [], next: null });
  // The mission's analyst, who may read them, pages through the same box.
  const analyst = await read(around(37, 48, 38, 48.2));
  assert.equal(analyst.items.length, 1);
  assert.notEqual(analyst.next, null);
});

test('a party still pages through its own submissions', async () => {
  const first = await read('limit=2', party);
  assert.deepEqual(
    first.items.map((o) => o.record.kind),
    ['complaint', 'complaint'],
  );
  assert.notEqual(first.next, null);
  const rest = await read(`limit=2&after=${first.next ?? ''}`, party);
  assert.deepEqual(
    rest.items.map((o) => o.record.kind),
    ['complaint'],
  );
  assert.equal(rest.next, null);
  assert.equal((await read('source=ru-af-desk,ac-7&limit=5', party)).items.length, 3);
});
