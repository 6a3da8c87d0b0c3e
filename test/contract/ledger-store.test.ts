/**
 * Contract of the LedgerStore port, on every engine: every write path appends leaves of the right
 * record types in order, in the transaction that writes; the tree's heads, roots, inclusion and
 * consistency proofs verify (RFC 9162); a changed row is a new leaf while the old entry still opens
 * from the history; the audit passes on an untouched store and names the row changed behind the store's
 * back (SQLite, PostgreSQL); checkpoints are only saved for the tree's own roots, with co-signatures; two
 * stores on one storage append to one tree; and every engine commits to the same canonical records
 * (verification steps, case actions and attachments included).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { DEFAULT_MARKINGS } from '../../src/core/access/markings.ts';
import type { Organisation } from '../../src/core/access/organisations.ts';
import { openCase } from '../../src/core/commission/decide-case.ts';
import { openAction } from '../../src/core/commission/test-support.ts';
import type { FusedEvent } from '../../src/core/fusion/event.ts';
import { leafBytes } from '../../src/core/ledger/leaf.ts';
import {
  appendLeaves,
  EMPTY_FRONTIER,
  frontierRoot,
  leafHash,
  verifyConsistency,
  verifyInclusion,
  type MerkleFrontier,
} from '../../src/core/ledger/merkle.ts';
import type { User } from '../../src/core/ports/access-store.ts';
import type { LedgerEntry, OpenedEntry } from '../../src/core/ports/ledger-store.ts';
import type { SignedSubmission } from '../../src/core/ports/observation-store.ts';
import type { Store } from '../../src/core/ports/store.ts';
import type { PotentialViolation } from '../../src/core/rules/potential-violation.ts';
import type { Source, SourceKey } from '../../src/core/sources/source.ts';
import { SYSTEM_ACTOR } from '../../src/core/verification/actor.ts';
import { decideVerification, openVerification } from '../../src/core/verification/decide-verification.ts';
import type { OpenVerification, VerificationStep } from '../../src/core/verification/verification-action.ts';
import { ObservationFactory, sha256Hex } from '../helpers/observation-factory.ts';
import { describeEachEngine, type EngineName } from './engines.ts';
import { tamperableStorage } from './ledger-storage.ts';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const sha256 = (data: Uint8Array): Uint8Array => createHash('sha256').update(data).digest();

const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

/** The commitment an opened entry must have: SHA-256 of its record's UTF-8 bytes, then its salt. */
const commitmentOf = (entry: OpenedEntry): Uint8Array =>
  sha256(Buffer.concat([Buffer.from(entry.record, 'utf8'), Buffer.from(entry.salt)]));

const leafHashOf = (entry: LedgerEntry): Uint8Array =>
  leafHash(sha256, leafBytes({ type: entry.type, id: entry.id, commitment: entry.commitment }));

const key = (keyId: string): SourceKey => ({
  keyId,
  algorithm: 'ed25519',
  publicKey: `MCowBQYDK2VwAyEA${keyId.padEnd(27, 'A')}=`,
  createdAtMs: T0,
  revokedAtMs: null,
  compromisedAtMs: null,
});

const source = (id: string, overrides: Partial<Source> = {}): Source => ({
  id,
  kind: 'acoustic',
  organisation: 'mission',
  name: `Array ${id}`,
  position: { lat: 48.0159, lon: 37.8028, altitudeM: 180 },
  orientationDeg: 45,
  capabilities: { rangeKm: 20, bands: ['infrasound'] },
  keys: [key(`${id}-k1`)],
  registeredAtMs: T0,
  marking: DEFAULT_MARKINGS.source,
  ...overrides,
});

const organisation: Organisation = { id: 'mission', kind: 'mission', name: 'Mission', createdAtMs: T0 };

const user = (name: string): User => ({
  id: `u-${name}`,
  name,
  orgId: 'mission',
  role: 'analyst',
  passwordHash: `$argon2id$v=19$m=65536,t=3,p=4$${name}`,
  oidcIdentity: null,
  createdAtMs: T0,
  disabledAtMs: null,
});

const submission = (
  sourceId: string,
  batchId: string,
  keyId: string,
  signedAtMs: number,
): SignedSubmission => ({
  sourceId,
  batchId,
  keyId,
  signedAtMs,
  receivedAtMs: signedAtMs + 1_250,
  method: 'POST',
  target: `/api/v1/observations?source=${sourceId}`,
  contentType: 'application/json',
  contentDigest: 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:',
  signatureInput: `sig1=("@method" "@target-uri" "content-digest");created=${signedAtMs / 1000};keyid="${keyId}"`,
  signature:
    'sig1=:d2pmTvmbncD3xQm8E9ZV2828BjQWGgiwAaw5bAkgibUopemLJcWDy/lkbbHAve4cRAtx31Iq786U7it++wgGxbA==:',
  body: new TextEncoder().encode(`[{"batch":"${batchId}","note":"ünïcødé"}]`),
});

const event = (id: string): FusedEvent => ({
  id,
  revision: 1,
  type: 'explosion',
  phase: 'impact',
  status: 'active',
  timeMs: T0 + 0.5,
  timeSigmaMs: 35.5,
  location: { lat: 48.01, lon: 37.8, covariance: [250_000.5, -1_200.25, 90_000] },
  origin: null,
  impact: null,
  method: 'acoustic-tdoa',
  weaponClass: null,
  count: null,
  provenance: [],
  asOfSeq: 3,
});

const violation = (id: string, of: FusedEvent): PotentialViolation => ({
  id,
  revision: 1,
  eventId: of.id,
  eventRevision: of.revision,
  eventType: of.type,
  timeMs: of.timeMs,
  clause: 'no-fire',
  zoneId: null,
  agreementVersion: 'minsk@2',
  location: of.location,
  distanceToLineKm: 7.25,
  party: 'party-ru',
  partyBasis: 'attribution',
  attribution: {
    decision: 'attributed',
    party: 'party-ru',
    probabilities: { 'party-ru': 0.97, 'party-ua': 0.02 },
    nobodyProbability: 0.01,
    confidence: 0.97,
    threshold: 0.9,
    method: 'closed-form',
  },
  weaponClass: 'artillery-100mm',
  grade: {
    observationCertainty: 'high',
    attributionCertainty: 'high',
    adjudication: 'potential',
    severity: 'standard',
  },
  supportingSeqs: [1, 2],
  explanation: 'Fire in the security zone.',
});

const agreement = (version: number) => {
  const documentJson = JSON.stringify({ id: 'paris-2026', version });
  return {
    id: 'paris-2026',
    documentJson,
    contentSha256: sha256Hex(documentJson),
    registeredAtMs: T0 + version,
  };
};

/** The record types the script below appends, in order. */
const SCRIPT_TYPES = [
  'organisation',
  'user',
  'source',
  'agreement',
  // A signed batch: its two records, its rejected record, its submission.
  'observation',
  'observation',
  'quarantine',
  'submission',
  // A duplicate is not stored again; the new record is.
  'observation',
  'event-revision',
  'violation-revision',
  // Changes of ledgered rows, each a new leaf: an identity linked, a source renamed, a key added, a key
  // revoked, a submission flagged.
  'user',
  'source',
  'source',
  'source',
  'submission',
  'agreement',
  // A verification item opened and triaged in one append, a case opened, an attachment recorded (its
  // second upload records nothing).
  'verification-step',
  'verification-step',
  'case-action',
  'attachment',
] as const;

/** Writes through every write path (and a few that change nothing), as `SCRIPT_TYPES` lists. */
async function writeEverything(store: Store): Promise<void> {
  const make = new ObservationFactory();
  assert.equal(await store.access.ensureOrganisation(organisation), 'created');
  await store.access.createUser(user('ana'));
  await store.sources.upsert(source('array-1'));
  await store.agreements.register(agreement(1));
  const first = make.valid({ sourceId: 'array-1' });
  await store.observations.commitIngest({
    ...make.batch([first, make.valid({ sourceId: 'array-1', kind: 'heartbeat' })], [make.reject('not json')]),
    submission: submission('array-1', 'batch-1', 'array-1-k1', T0),
  });
  await store.observations.commitIngest(make.batch([first, make.valid({ sourceId: 'array-1' })]));
  const fused = event('ev-1');
  await store.fusion.commit({
    events: [fused],
    violations: [violation('v-1', fused)],
    cursorSeq: 3,
    committedAtMs: T0 + 60_000,
  });
  // Writes that store nothing new append nothing.
  assert.equal(await store.access.ensureOrganisation(organisation), 'exists');
  await store.sources.upsert(source('array-1'));
  assert.equal((await store.agreements.register(agreement(1))).outcome, 'unchanged');
  await store.access.linkOidcIdentity('u-ana', 'https://id.example.org|ana');
  await store.access.linkOidcIdentity('u-ana', 'https://id.example.org|ana');
  await store.sources.upsert(source('array-1', { name: 'Array one, renamed' }));
  await store.sources.addKey('array-1', key('array-1-k2'));
  await store.sources.revokeKey('array-1', 'array-1-k1', T0 + 120_000, T0 - 1);
  const flagged = await store.observations.flagSubmissions('array-1-k1', T0 - 1, T0 + 120_000, 'compromised');
  assert.deepEqual(flagged.batches, [{ sourceId: 'array-1', batchId: 'batch-1' }]);
  await store.agreements.register(agreement(2));
  const opening: OpenVerification = {
    type: 'open',
    at: T0 + 180_000,
    by: SYSTEM_ACTOR,
    itemId: 'vi-1',
    subject: { kind: 'potential-violation', id: 'v-1' },
  };
  const triage: VerificationStep = {
    type: 'verify',
    at: T0 + 181_000,
    by: { userId: 'u-ana', orgId: 'mission', role: 'analyst' },
    note: 'a patrol can reach it — «ünïcødé»',
  };
  const item = decideVerification(openVerification(opening), triage, 1);
  await store.verification.append({
    id: item.id,
    fromVersion: 0,
    actions: [opening, triage],
    state: item,
    head: {
      state: item.state,
      subjectKind: 'potential-violation',
      subjectId: 'v-1',
      updatedAtMs: item.updatedAt,
    },
  });
  const caseOpening = openAction({ caseId: 'case-1', at: T0 + 182_000 });
  const opened = openCase(caseOpening);
  await store.cases.append({
    id: opened.id,
    fromVersion: 0,
    actions: [caseOpening],
    state: opened,
    head: { state: opened.state, subjectKind: null, subjectId: null, updatedAtMs: opened.updatedAt },
  });
  const file = {
    sha256: sha256Hex('crater.jpg'),
    sizeBytes: 48_213,
    mediaType: 'image/jpeg',
    storedAtMs: T0 + 183_000,
    storedBy: 'u-ana',
    tlp: 'amber',
    releasableTo: '["mission"]',
  };
  assert.equal(await store.attachments.record(file), true);
  assert.equal(await store.attachments.record({ ...file, storedBy: 'u-bob' }), false);
}

/** The root of the first `size` leaves of `entries`, computed here from their leaf hashes. */
function rootsOf(entries: readonly LedgerEntry[]): Uint8Array[] {
  const roots: Uint8Array[] = [frontierRoot(sha256, EMPTY_FRONTIER)];
  let frontier: MerkleFrontier = EMPTY_FRONTIER;
  for (const entry of entries) {
    frontier = appendLeaves(sha256, frontier, [leafHashOf(entry)]).frontier;
    roots.push(frontierRoot(sha256, frontier));
  }
  return roots;
}

/** Records of the script, per engine: every engine must commit to the same text. */
const RECORDS = new Map<EngineName, readonly string[]>();

describeEachEngine('LedgerStore', (engine) => {
  const tamperable = tamperableStorage(engine.name);

  it('starts empty: the empty tree, no entries, no checkpoint', async () => {
    const store = await engine.open();
    const head = await store.ledger.head();
    assert.equal(head.size, 0);
    assert.ok(bytesEqual(head.rootHash, sha256(new Uint8Array(0))));
    assert.deepEqual(await store.ledger.entries(0, 10), []);
    assert.equal(await store.ledger.entry(0), undefined);
    assert.equal(await store.ledger.findEntry('source', 'nobody'), undefined);
    assert.equal(await store.ledger.latestCheckpoint(), undefined);
    assert.deepEqual(await store.ledger.listCheckpoints(), []);
    const audit = await store.ledger.audit();
    assert.deepEqual(audit, { ok: true, size: 0, rows: 0, checkpointSize: null });
  });

  it('appends a leaf for every write, of the right type, in order, each opening to its row', async () => {
    const store = await engine.open();
    await writeEverything(store);
    const entries = await store.ledger.entries(0, 100);
    assert.deepEqual(
      entries.map((e) => e.type),
      SCRIPT_TYPES,
    );
    assert.deepEqual(
      entries.map((e) => e.index),
      SCRIPT_TYPES.map((_, i) => i),
    );
    for (const entry of entries) {
      assert.equal(entry.id.length, 16);
      assert.ok(bytesEqual(commitmentOf(entry), entry.commitment), `entry ${entry.index} opens`);
      assert.deepEqual(await store.ledger.entry(entry.index), entry);
    }
    // Ids are random: no two alike.
    assert.equal(new Set(entries.map((e) => Buffer.from(e.id).toString('hex'))).size, entries.length);
    // Where each points: its table and key.
    assert.deepEqual(
      entries.map((e) => [e.table, e.key]),
      [
        ['organisations', 'mission'],
        ['users', 'u-ana'],
        ['sources', 'array-1'],
        ['agreements', '["paris-2026",1]'],
        ['observations', 1],
        ['observations', 2],
        ['quarantine', 1],
        ['submissions', '["array-1","batch-1"]'],
        ['observations', 3],
        ['event_revisions', 4],
        ['violation_revisions', 5],
        ['users', 'u-ana'],
        ['sources', 'array-1'],
        ['sources', 'array-1'],
        ['sources', 'array-1'],
        ['submissions', '["array-1","batch-1"]'],
        ['agreements', '["paris-2026",2]'],
        ['verification_actions', 1],
        ['verification_actions', 2],
        ['case_actions', 1],
        ['attachments', sha256Hex('crater.jpg')],
      ],
    );
    // What a record holds: every column but the key, by name.
    const observation = JSON.parse(entries[4]?.record ?? '{}') as Record<string, unknown>;
    assert.deepEqual(Object.keys(observation), [
      'batch_id',
      'ce_m',
      'content',
      'content_sha256',
      'kind',
      'lat',
      'lon',
      'observed_at',
      'received_at',
      'record_id',
      'releasable_to',
      'source_id',
      'time_uncertainty_ms',
      'tlp',
      'weapon_class',
    ]);
    assert.equal(observation.batch_id, 'batch-1');
    const userRecord = JSON.parse(entries[1]?.record ?? '{}') as Record<string, unknown>;
    assert.equal('password_hash' in userRecord, false, 'password hashes are not ledgered');
    // The head is the root of the leaves.
    const head = await store.ledger.head();
    assert.equal(head.size, SCRIPT_TYPES.length);
    assert.ok(bytesEqual(head.rootHash, rootsOf(entries).at(-1) ?? new Uint8Array()));
    // findEntry gives the latest entry of a row.
    assert.equal((await store.ledger.findEntry('source', 'array-1'))?.index, 14);
    assert.equal((await store.ledger.findEntry('observation', 2))?.index, 5);
    assert.equal((await store.ledger.findEntry('agreement', '["paris-2026",1]'))?.index, 3);
    assert.equal(await store.ledger.findEntry('observation', 99), undefined);
    // Paging.
    assert.deepEqual(
      (await store.ledger.entries(15, 10)).map((e) => e.index),
      [15, 16, 17, 18, 19, 20],
    );
    assert.deepEqual(await store.ledger.entries(SCRIPT_TYPES.length, 10), []);
    // The users still read back with their password hashes (kept apart from the ledgered row).
    assert.equal((await store.access.findUserById('u-ana'))?.passwordHash, user('ana').passwordHash);
    assert.equal((await store.access.listUsers())[0]?.oidcIdentity, 'https://id.example.org|ana');
    const audit = await store.ledger.audit();
    assert.deepEqual(audit, { ok: true, size: SCRIPT_TYPES.length, rows: 16, checkpointSize: null });
    RECORDS.set(
      engine.name,
      entries.map((e) => e.record),
    );
  });

  it('keeps the superseded record of a changed row: the old entry still opens', async () => {
    const store = await engine.open();
    await writeEverything(store);
    const entries = await store.ledger.entries(0, 100);
    const superseded = entries.filter((e) => e.superseded).map((e) => e.index);
    // The user before its identity; the source before each of its three changes; the submission
    // before its flag; nothing else (a new agreement revision is a new row).
    assert.deepEqual(superseded, [1, 2, 7, 12, 13]);
    const record = (index: number) => JSON.parse(entries[index]?.record ?? '{}') as Record<string, unknown>;
    assert.equal(record(2).name, 'Array array-1');
    assert.equal(record(12).name, 'Array one, renamed');
    assert.equal((JSON.parse(String(record(13).keys)) as SourceKey[]).length, 2);
    const keys = JSON.parse(String(record(14).keys)) as SourceKey[];
    assert.deepEqual(
      keys.map((k) => [k.keyId, k.revokedAtMs, k.compromisedAtMs]),
      [
        ['array-1-k1', T0 + 120_000, T0 - 1],
        ['array-1-k2', null, null],
      ],
    );
    assert.deepEqual([record(7).flagged_at, record(7).flag_reason], [null, null]);
    assert.deepEqual([record(15).flagged_at, record(15).flag_reason], [T0 + 120_000, 'compromised']);
    assert.equal(record(1).oidc_identity, null);
    assert.equal(record(11).oidc_identity, 'https://id.example.org|ana');
    for (const entry of entries)
      assert.ok(bytesEqual(commitmentOf(entry), entry.commitment), `entry ${entry.index} opens`);
    // A flag already made flags nothing again, and appends nothing.
    const size = (await store.ledger.head()).size;
    await store.observations.flagSubmissions('array-1-k1', T0 - 1, T0 + 200_000, 'again');
    assert.equal((await store.ledger.head()).size, size);
    assert.equal((await store.ledger.audit()).ok, true);
  });

  it('proves inclusion and consistency for every (index, size) pair, and refuses pairs out of range', async () => {
    const store = await engine.open();
    await writeEverything(store);
    const make = new ObservationFactory({ baseTimeMs: T0 - 86_400_000 });
    // Grow the log past a power of two, in uneven commits.
    for (const n of [1, 3, 2, 5, 7])
      await store.observations.commitIngest(
        make.batch(Array.from({ length: n }, () => make.valid({ sourceId: 'array-2' }))),
      );
    const entries = await store.ledger.entries(0, 1000);
    const size = entries.length;
    assert.equal(size, SCRIPT_TYPES.length + 18);
    const roots = rootsOf(entries);
    for (let n = 0; n <= size; n += 1)
      assert.ok(bytesEqual(await store.ledger.rootAt(n), roots[n] ?? new Uint8Array()), `root at ${n}`);
    let checked = 0;
    for (let n = 1; n <= size; n += 1)
      for (let index = 0; index < n; index += 1) {
        const proof = await store.ledger.inclusionProof(index, n);
        const entry = entries[index];
        if (entry === undefined) throw new Error('no entry');
        assert.ok(
          verifyInclusion(sha256, { leafHash: leafHashOf(entry), index, size: n, proof, root: roots[n]! }),
          `inclusion of ${index} in ${n}`,
        );
        checked += 1;
      }
    for (let n2 = 0; n2 <= size; n2 += 1)
      for (let n1 = 0; n1 <= n2; n1 += 1) {
        const proof = await store.ledger.consistencyProof(n1, n2);
        assert.ok(
          verifyConsistency(sha256, { size1: n1, size2: n2, root1: roots[n1]!, root2: roots[n2]!, proof }),
          `consistency of ${n1} with ${n2}`,
        );
        checked += 1;
      }
    assert.ok(checked > 1000);
    // A proof against a wrong root or leaf fails.
    const proof = await store.ledger.inclusionProof(3, size);
    assert.equal(
      verifyInclusion(sha256, {
        leafHash: leafHashOf(entries[4]!),
        index: 3,
        size,
        proof,
        root: roots[size]!,
      }),
      false,
    );
    for (const refused of [
      () => store.ledger.inclusionProof(size, size),
      () => store.ledger.inclusionProof(0, size + 1),
      () => store.ledger.inclusionProof(-1, size),
      () => store.ledger.inclusionProof(0.5, size),
      () => store.ledger.consistencyProof(2, 1),
      () => store.ledger.consistencyProof(1, size + 1),
      () => store.ledger.rootAt(size + 1),
      () => store.ledger.rootAt(Number.NaN),
    ])
      await assert.rejects(refused(), { code: 'E_VALIDATION' });
  });

  it('saves checkpoints of the tree’s own roots only, and keeps witnesses’ co-signatures', async () => {
    const store = await engine.open();
    await writeEverything(store);
    const head = await store.ledger.head();
    const at5 = Uint8Array.from(await store.ledger.rootAt(5));
    const headRoot = Uint8Array.from(head.rootHash);
    await assert.rejects(
      store.ledger.saveCheckpoint({ size: 5, rootHash: head.rootHash, note: 'forged', signedAtMs: T0 }),
      { code: 'E_CONFLICT' },
    );
    await assert.rejects(
      store.ledger.saveCheckpoint({
        size: head.size + 1,
        rootHash: head.rootHash,
        note: 'n',
        signedAtMs: T0,
      }),
      { code: 'E_VALIDATION' },
    );
    assert.equal(await store.ledger.latestCheckpoint(), undefined);
    await store.ledger.saveCheckpoint({ size: 5, rootHash: at5, note: 'note at 5\n', signedAtMs: T0 + 1 });
    await store.ledger.saveCheckpoint({
      size: head.size,
      rootHash: head.rootHash,
      note: 'note at head\n',
      signedAtMs: T0 + 2,
    });
    // Saving the same size again keeps the first.
    await store.ledger.saveCheckpoint({ size: 5, rootHash: at5, note: 'another note\n', signedAtMs: T0 + 3 });
    await assert.rejects(store.ledger.addCosignature(6, 'w1', '— w1 AAAA', T0), { code: 'E_NOT_FOUND' });
    await store.ledger.addCosignature(head.size, 'witness-b', '— witness-b BBBB', T0 + 10);
    await store.ledger.addCosignature(head.size, 'witness-a', '— witness-a AAAA', T0 + 11);
    // A witness's newer co-signature replaces its older one.
    await store.ledger.addCosignature(head.size, 'witness-b', '— witness-b CCCC', T0 + 12);
    const latest = await store.ledger.latestCheckpoint();
    assert.deepEqual(latest, {
      size: head.size,
      rootHash: headRoot,
      note: 'note at head\n',
      signedAtMs: T0 + 2,
      cosignatures: [
        { witness: 'witness-a', line: '— witness-a AAAA' },
        { witness: 'witness-b', line: '— witness-b CCCC' },
      ],
    });
    const at5Checkpoint = {
      size: 5,
      rootHash: at5,
      note: 'note at 5\n',
      signedAtMs: T0 + 1,
      cosignatures: [],
    };
    assert.deepEqual(await store.ledger.findCheckpoint(5), at5Checkpoint);
    assert.equal(await store.ledger.findCheckpoint(6), undefined);
    assert.deepEqual(await store.ledger.listCheckpoints(), [at5Checkpoint, latest]);
    // The audit checks the tree against the latest checkpoint.
    assert.deepEqual(await store.ledger.audit(), {
      ok: true,
      size: head.size,
      rows: 16,
      checkpointSize: head.size,
    });
  });

  const { openAgain } = engine;
  if (openAgain !== undefined)
    it('lets two stores on one storage append to one tree, never forking it', async () => {
      const first = await engine.open();
      const second = await openAgain(first);
      const make = new ObservationFactory();
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 10; i += 1) {
        writes.push(
          first.observations.commitIngest(make.batch([make.valid({ sourceId: `one-${i % 3}` })])),
          second.observations.commitIngest(
            make.batch([make.valid({ sourceId: `two-${i % 3}` }), make.valid({ sourceId: 'two' })]),
          ),
          (i % 2 === 0 ? first : second).sources.upsert(source(`s-${i}`)),
        );
        if (i % 3 === 0)
          writes.push(
            second.fusion.commit({
              events: [event(`ev-${i}`)],
              violations: [],
              cursorSeq: 0,
              committedAtMs: T0,
            }),
          );
      }
      await Promise.all(writes);
      const expected = 10 + 20 + 10 + 4;
      const [a, b] = [await first.ledger.head(), await second.ledger.head()];
      assert.equal(a.size, expected);
      assert.deepEqual(a, b);
      for (const store of [first, second])
        assert.deepEqual(await store.ledger.audit(), {
          ok: true,
          size: expected,
          rows: expected,
          checkpointSize: null,
        });
      const roots = rootsOf(await second.ledger.entries(0, 1000));
      assert.ok(bytesEqual(roots.at(-1) ?? new Uint8Array(), a.rootHash));
    });

  if (openAgain !== undefined)
    it('serializes changes of one row made through two stores: each is a leaf, none is lost', async () => {
      const first = await engine.open();
      const second = await openAgain(first);
      await first.access.ensureOrganisation(organisation);
      // Both register the same new source at once: one inserts it, the other re-registers it.
      await Promise.all([
        first.sources.upsert(source('shared', { name: 'First' })),
        second.sources.upsert(source('shared', { name: 'Second' })),
      ]);
      // Keys added and revoked through both at once.
      await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 === 0 ? first : second).sources.addKey('shared', key(`extra-${i}`)),
        ),
      );
      await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 === 0 ? second : first).sources.revokeKey('shared', `extra-${i}`, T0 + i, null),
        ),
      );
      const entries = await first.ledger.entries(0, 100);
      assert.deepEqual(
        entries.map((e) => e.type),
        ['organisation', ...Array.from({ length: 14 }, () => 'source')],
      );
      // Every leaf of the source but the last is superseded, and each opens.
      assert.deepEqual(
        entries.map((e) => e.superseded),
        [false, ...Array.from({ length: 13 }, () => true), false],
      );
      for (const entry of entries) assert.ok(bytesEqual(commitmentOf(entry), entry.commitment));
      const last = JSON.parse(entries.at(-1)?.record ?? '{}') as { keys: string };
      assert.equal((JSON.parse(last.keys) as SourceKey[]).filter((k) => k.revokedAtMs !== null).length, 6);
      assert.deepEqual(await second.ledger.audit(), { ok: true, size: 15, rows: 2, checkpointSize: null });
    });

  if (tamperable !== undefined) {
    /** A store written through every path, then changed behind its back by `statement`. */
    const tampered = async (statement: string) => {
      const { store, sql } = await tamperable();
      await writeEverything(store);
      assert.equal((await store.ledger.audit()).ok, true);
      await sql(statement);
      return store.ledger.audit();
    };

    it('fails the audit for a changed row, naming its table and key', async () => {
      const outcome = await tampered(`UPDATE sources SET name = 'Forged' WHERE id = 'array-1'`);
      assert.equal(outcome.ok, false);
      assert.ok(!outcome.ok);
      assert.equal(outcome.table, 'sources');
      assert.equal(outcome.key, 'array-1');
      assert.equal(outcome.index, 14);
      assert.match(outcome.problem, /sources id "array-1" differs from what entry 14 committed to/);
    });

    it('fails the audit for a changed observation, agreement or flag', async () => {
      const observation = await tampered(`UPDATE observations SET content = '{}' WHERE seq = 2`);
      assert.ok(!observation.ok);
      assert.deepEqual([observation.table, observation.key, observation.index], ['observations', 2, 5]);
      const agreementRow = await tampered(
        `UPDATE agreements SET registered_at = 1 WHERE id = 'paris-2026' AND revision = 2`,
      );
      assert.ok(!agreementRow.ok);
      assert.deepEqual(
        [agreementRow.table, agreementRow.key, agreementRow.index],
        ['agreements', '["paris-2026",2]', 16],
      );
      const flag = await tampered(`UPDATE submissions SET flag_reason = 'nothing happened'`);
      assert.ok(!flag.ok);
      assert.deepEqual([flag.table, flag.key, flag.index], ['submissions', '["array-1","batch-1"]', 15]);
    });

    it('fails the audit for a deleted row, an inserted row, and a changed superseded record', async () => {
      const deleted = await tampered(`DELETE FROM quarantine WHERE id = 1`);
      assert.ok(!deleted.ok);
      assert.deepEqual([deleted.table, deleted.key, deleted.index], ['quarantine', 1, 6]);
      assert.match(deleted.problem, /missing/);
      const inserted = await tampered(
        `INSERT INTO organisations (id, kind, name, created_at) VALUES ('forged', 'member', 'Forged', 1)`,
      );
      assert.ok(!inserted.ok);
      assert.deepEqual([inserted.table, inserted.key], ['organisations', 'forged']);
      assert.match(inserted.problem, /no ledger entry/);
      const history = await tampered(`UPDATE ledger_history SET record = '{}' WHERE idx = 2`);
      assert.ok(!history.ok);
      assert.deepEqual([history.table, history.key, history.index], ['sources', 'array-1', 2]);
      const node = await tampered(`DELETE FROM ledger_nodes WHERE node = ${2 ** 40}`);
      assert.ok(!node.ok);
      assert.match(node.problem, /ledger_nodes/);
    });
  }
});

describe('LedgerStore records agree across engines', () => {
  it('commits every engine to the same canonical records for the same writes', () => {
    const engines = [...RECORDS.keys()];
    const [first, ...rest] = engines;
    if (first === undefined) return;
    for (const other of rest) assert.deepEqual(RECORDS.get(other), RECORDS.get(first), `${other} = ${first}`);
  });
});
