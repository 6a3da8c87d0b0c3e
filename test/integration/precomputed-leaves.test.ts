// Ledger leaves made on validation threads, ahead of the commit: each is made for the row its
// observation becomes when received at the validation's time, under its own batch id (or the signed
// batch's id it was validated for) and the default marking. SQLite uses such a leaf only when the row
// is exactly that one — a later receipt time, another batch id or a party's marking make the store
// commit to the row itself — and every way the audit finds each leaf committing to its row.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { commitmentOf, leafHashOf } from '../../src/adapters/common/ledger-leaves.ts';
import {
  DEFAULT_OBSERVATION_MARKING,
  observationRecord,
  observationRow,
} from '../../src/adapters/common/observation-row.ts';
import { openPostgresStore } from '../../src/adapters/postgres/open-postgres-store.ts';
import { openSqliteStore } from '../../src/adapters/sqlite/open-sqlite-store.ts';
import { workerRecordValidator } from '../../src/adapters/workers/worker-record-validator.ts';
import { observationMarking } from '../../src/core/access/markings.ts';
import { PRECOMPUTED_LEAF_BYTES } from '../../src/core/ledger/leaf.ts';
import type { IngestBatch, SignedSubmission } from '../../src/core/ports/observation-store.ts';
import type { Store } from '../../src/core/ports/store.ts';
import { ObservationFactory } from '../helpers/observation-factory.ts';
import { testPostgres, type TestDatabase } from '../helpers/postgres.ts';

const dir = mkdtempSync(join(tmpdir(), 'truceline-leaves-'));
const validator = workerRecordValidator({ threads: 2 });
after(async () => {
  await validator.close();
  rmSync(dir, { recursive: true, force: true });
});

const make = new ObservationFactory();
const receivedAtMs = make.receivedAtMs;

/** `count` valid records of source `sourceId` as NDJSON, each with its own batch id. */
function lines(sourceId: string, count: number): string {
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({ ...make.raw({ sourceId, kind: 'acoustic' }), batchId: `own-${sourceId}-${i}` }),
  ).join('\n');
}

async function validated(sourceId: string, count: number, batchId?: string) {
  const result = await validator.validate(
    { format: 'ndjson', text: lines(sourceId, count), firstPosition: 1 },
    receivedAtMs,
    undefined,
    batchId,
  );
  assert.equal(result.invalid.length, 0, JSON.stringify(result.invalid[0]));
  return result.valid.map((v) => v.observation);
}

test('a leaf made on a validation thread commits to the row it was made for', async () => {
  // More than one slab of leaves (1,024 to a slab), cut across two threads.
  const observations = await validated('ac-slabs', 2_500);
  const ids = new Set<string>();
  for (const o of observations) {
    const leaf = o.precomputedLeaf;
    assert.ok(leaf !== undefined, 'every observation validated on a thread carries a leaf');
    assert.equal(leaf.receivedAtMs, receivedAtMs);
    assert.equal(leaf.batchId, o.batchId);
    assert.equal(leaf.bytes.length, PRECOMPUTED_LEAF_BYTES);
    const bytes = Buffer.from(leaf.bytes);
    const [id, salt, commitment, leafHash] = [
      bytes.subarray(0, 16),
      bytes.subarray(16, 48),
      bytes.subarray(48, 80),
      bytes.subarray(80, 112),
    ];
    const row = observationRow(o, receivedAtMs, o.batchId, DEFAULT_OBSERVATION_MARKING);
    assert.deepEqual(commitment, commitmentOf(observationRecord(row), salt));
    assert.deepEqual(leafHash, leafHashOf('observation', id, commitment));
    ids.add(id.toString('hex'));
  }
  assert.equal(ids.size, observations.length, 'every leaf has an id of its own');
});

test('validated for a signed batch, a leaf is made for the row under the batch’s id', async () => {
  const observations = await validated('ac-signed', 30, 'signed-batch-0');
  for (const o of observations) {
    const leaf = o.precomputedLeaf;
    assert.ok(leaf !== undefined);
    assert.equal(leaf.batchId, 'signed-batch-0');
    assert.notEqual(o.batchId, 'signed-batch-0');
    const bytes = Buffer.from(leaf.bytes);
    const row = observationRow(o, receivedAtMs, 'signed-batch-0', DEFAULT_OBSERVATION_MARKING);
    assert.deepEqual(bytes.subarray(48, 80), commitmentOf(observationRecord(row), bytes.subarray(16, 48)));
  }
});

/**
 * Commits each case's observations to `store`, audits it, and checks against the salts the store
 * kept (`storedSalts`) which leaves made ahead it used.
 */
async function checkLeavesUsed(
  engine: string,
  store: Store,
  storedSalts: () => Promise<ReadonlySet<string>>,
): Promise<void> {
  const party = observationMarking('party-a', 'party');
  const submission = (sourceId: string): SignedSubmission => ({
    sourceId,
    batchId: 'signed-batch-1',
    keyId: 'k1',
    signedAtMs: receivedAtMs - 1_000,
    receivedAtMs,
    method: 'POST',
    target: '/api/v1/observations',
    contentType: 'application/x-ndjson',
    contentDigest: 'sha-256=:AAAA:',
    signatureInput: 'sig1=("@method")',
    signature: 'sig1=:AAAA:',
    body: new Uint8Array([1, 2, 3]),
  });
  const signed = (observations: IngestBatch['observations']): IngestBatch => ({
    ...make.batch(observations),
    submission: submission(observations[0]?.sourceId ?? ''),
  });
  // Each case: the batch id validated for, the batch, and whether its rows are the ones the leaves
  // were made for.
  type Case = [
    string,
    string | undefined,
    (observations: IngestBatch['observations']) => IngestBatch,
    boolean,
  ];
  const cases: Case[] = [
    ['as validated', undefined, (observations) => make.batch(observations), true],
    [
      'received later than validated',
      undefined,
      (observations) => ({ ...make.batch(observations), receivedAtMs: receivedAtMs + 1 }),
      false,
    ],
    ['in a signed batch, validated for its id', 'signed-batch-1', signed, true],
    ['in a signed batch, validated without its id', undefined, signed, false],
    ['in a signed batch, validated for another id', 'signed-batch-2', signed, false],
    [
      'from a party’s source, whose marking its rows take',
      undefined,
      (observations) => ({
        ...make.batch(observations),
        markings: new Map([[observations[0]?.sourceId ?? '', party]]),
      }),
      false,
    ],
  ];
  const salts: { salt: Buffer; used: boolean; name: string }[] = [];
  try {
    for (const [i, [name, validatedFor, batchOf, used]] of cases.entries()) {
      const observations = await validated(`ac-${engine}-${i}`, 40, validatedFor);
      const commit = await store.observations.commitIngest(batchOf(observations));
      assert.ok(
        commit.outcomes.every((outcome) => outcome.status === 'accepted'),
        name,
      );
      for (const o of observations)
        salts.push({ salt: Buffer.from(o.precomputedLeaf?.bytes.subarray(16, 48) ?? []), used, name });
    }
    const audit = await store.ledger.audit();
    assert.equal(audit.ok, true, JSON.stringify(audit));
  } finally {
    await store.close();
  }
  const stored = await storedSalts();
  for (const { salt, used, name } of salts)
    assert.equal(
      stored.has(salt.toString('hex')),
      used,
      `${engine}, ${name}: the leaf made ahead was ${used ? '' : 'not '}used`,
    );
}

test('SQLite uses a leaf made ahead only for its own row, and the audit holds either way', async () => {
  const path = join(dir, 'leaves.db');
  await checkLeavesUsed('sqlite', await openSqliteStore({ path }), () => {
    const db = new Database(path, { readonly: true });
    try {
      return Promise.resolve(
        new Set(
          db
            .prepare<[], { salt: Buffer }>("SELECT salt FROM ledger_entries WHERE type = 'observation'")
            .all()
            .map((row) => row.salt.toString('hex')),
        ),
      );
    } finally {
      db.close();
    }
  });
});

const availability = testPostgres.availability();
describe(
  'PostgreSQL and leaves made ahead',
  availability.status === 'skip' ? { skip: availability.reason } : {},
  () => {
    let database: TestDatabase | undefined;
    before(async () => {
      if (availability.status === 'run') database = await testPostgres.createDatabase(availability.adminUrl);
    });
    after(async () => {
      await database?.drop();
    });
    test('uses a leaf made ahead only for its own row, and the audit holds either way', async () => {
      if (availability.status === 'fail') assert.fail(availability.reason);
      if (database === undefined) throw new Error('the test database was not created');
      const url = database.url;
      await checkLeavesUsed('postgres', await openPostgresStore({ url }), async () => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          const { rows } = await client.query<{ salt: Buffer }>(
            "SELECT salt FROM ledger_entries WHERE type = 'observation'",
          );
          return new Set(rows.map((row) => row.salt.toString('hex')));
        } finally {
          await client.end();
        }
      });
    });
  },
);
