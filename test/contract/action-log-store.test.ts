/**
 * Contract of the ActionLogStore port (verification items' steps, Commission cases' actions) and the
 * AttachmentStore port, on every engine: actions are recorded in order with the next seq of their log
 * and the next versions, found again with the state after the latest one, listed by the seq of that
 * latest action (filtered by state and subject kind, paged, with checked limits); an append from a
 * version that is not current any more is `E_STALE_VERSION` and writes nothing; two appends from one
 * version — at once in one store, or through two stores on one storage — get exactly one success and
 * one `E_STALE_VERSION`; every action and attachment is a ledger leaf of its type whose record is the
 * row's canonical record and opens against its commitment, and the audit passes (and, on SQLite and
 * PostgreSQL, names an action changed behind the store's back).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import type { CaseAction } from '../../src/core/commission/case-action.ts';
import type { CommissionCase } from '../../src/core/commission/commission-case.ts';
import { decideCase, openCase } from '../../src/core/commission/decide-case.ts';
import { action as caseStep, openAction } from '../../src/core/commission/test-support.ts';
import type { AttachmentRecord, HeadColumns } from '../../src/core/ports/action-log-store.ts';
import type { OpenedEntry } from '../../src/core/ports/ledger-store.ts';
import type { Store } from '../../src/core/ports/store.ts';
import { SYSTEM_ACTOR, type Actor } from '../../src/core/verification/actor.ts';
import { decideVerification, openVerification } from '../../src/core/verification/decide-verification.ts';
import type { SubjectKind } from '../../src/core/verification/kinds.ts';
import type { VerificationAction } from '../../src/core/verification/verification-action.ts';
import type { VerificationItem } from '../../src/core/verification/verification-item.ts';
import { describeEachEngine } from './engines.ts';
import { tamperableStorage } from './ledger-storage.ts';

const T0 = Date.parse('2026-06-01T08:00:00Z');
const MIN = 60_000;
const at = (minutes: number): number => T0 + minutes * MIN;

const sha256 = (data: Uint8Array): Uint8Array => createHash('sha256').update(data).digest();
const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
/** SHA-256 of the record's UTF-8 bytes, then its salt: what the entry's commitment must be. */
const commitmentOf = (entry: OpenedEntry): Uint8Array =>
  sha256(Buffer.concat([Buffer.from(entry.record, 'utf8'), Buffer.from(entry.salt)]));

const alice: Actor = { userId: 'alice', orgId: 'mission', role: 'analyst' };
const vera: Actor = { userId: 'vera', orgId: 'mission', role: 'verifier' };

// Verification actions, each at `minutes` after T0.
const open = (itemId: string, kind: SubjectKind, subjectId: string, minutes: number): VerificationAction => ({
  type: 'open',
  at: at(minutes),
  by: SYSTEM_ACTOR,
  itemId,
  subject: { kind, id: subjectId },
});
const verify = (minutes: number, by: Actor = alice): VerificationAction => ({
  type: 'verify',
  at: at(minutes),
  by,
  note: 'worth a patrol — «ünïcødé»',
});
const dismiss = (minutes: number, by: Actor = alice): VerificationAction => ({
  type: 'dismiss',
  at: at(minutes),
  by,
  reason: 'a duplicate',
});
const task = (minutes: number, taskId: string): VerificationAction => ({
  type: 'task',
  at: at(minutes),
  by: vera,
  taskId,
  asset: 'patrol',
  deadlineMs: at(minutes + 120),
  instructions: 'visit the crater',
});

/** The item after `actions` taken on `item` (none yet: the first action opens it). */
function foldItem(
  item: VerificationItem | undefined,
  actions: readonly VerificationAction[],
): VerificationItem {
  let current = item;
  for (const action of actions) {
    if (action.type === 'open') current = openVerification(action);
    else {
      if (current === undefined) throw new Error('the item is not open');
      current = decideVerification(current, action, current.version);
    }
  }
  if (current === undefined) throw new Error('no action');
  return current;
}

const itemHead = (item: VerificationItem): HeadColumns => ({
  state: item.state,
  subjectKind: item.subject.kind,
  subjectId: item.subject.id,
  updatedAtMs: item.updatedAt,
});

/** The append that takes `item` (undefined: a new one) through `actions`, and the item after it. */
function itemAppend(item: VerificationItem | undefined, actions: readonly VerificationAction[]) {
  const next = foldItem(item, actions);
  return {
    next,
    input: {
      id: next.id,
      fromVersion: item?.version ?? 0,
      actions,
      state: next,
      head: itemHead(next),
    },
  };
}

/** Records `actions` on `item` (undefined: a new one); returns the item after them. */
async function record(
  store: Store,
  item: VerificationItem | undefined,
  ...actions: VerificationAction[]
): Promise<VerificationItem> {
  const { next, input } = itemAppend(item, actions);
  await store.verification.append(input);
  return next;
}

const caseHead = (c: CommissionCase): HeadColumns => ({
  state: c.state,
  subjectKind: null,
  subjectId: null,
  updatedAtMs: c.updatedAt,
});

/** Records `actions` on case `c` (undefined: the first action opens it); returns the case after them. */
async function recordCase(
  store: Store,
  c: CommissionCase | undefined,
  ...actions: CaseAction[]
): Promise<CommissionCase> {
  let next = c;
  for (const action of actions) {
    if (action.type === 'open') next = openCase(action);
    else {
      if (next === undefined) throw new Error('the case is not open');
      next = decideCase(next, action, next.version);
    }
  }
  if (next === undefined) throw new Error('no action');
  await store.cases.append({
    id: next.id,
    fromVersion: c?.version ?? 0,
    actions,
    state: next,
    head: caseHead(next),
  });
  return next;
}

const attachment = (hex: string, fields: Partial<AttachmentRecord> = {}): AttachmentRecord => ({
  sha256: hex.repeat(64 / hex.length),
  sizeBytes: 48_213,
  mediaType: 'image/jpeg',
  storedAtMs: at(5),
  storedBy: 'alice',
  tlp: 'amber',
  releasableTo: '["mission"]',
  ...fields,
});

/** The canonical record a SQL store commits to for an action row (columns in code-point order). */
const actionRecord = (
  idColumn: 'item_id' | 'case_id',
  id: string,
  version: number,
  action: { type: string; at: number; by: { userId: string } },
): string =>
  `{"action":${JSON.stringify(JSON.stringify(action))},"at":${action.at},"by_user":${JSON.stringify(action.by.userId)},` +
  `"${idColumn}":${JSON.stringify(id)},"type":${JSON.stringify(action.type)},"version":${version}}`;

const attachmentRecord = (a: AttachmentRecord): string =>
  JSON.stringify({
    media_type: a.mediaType,
    releasable_to: a.releasableTo,
    size_bytes: a.sizeBytes,
    stored_at: a.storedAtMs,
    stored_by: a.storedBy,
    tlp: a.tlp,
  });

/** Whose promise settled how: the values fulfilled and the error codes of those rejected. */
async function outcomes<T>(promises: readonly Promise<T>[]) {
  const settled = await Promise.allSettled(promises);
  return {
    fulfilled: settled.flatMap((s, i) => (s.status === 'fulfilled' ? [i] : [])),
    codes: settled.flatMap((s) => (s.status === 'rejected' ? [(s.reason as { code?: unknown }).code] : [])),
  };
}

describeEachEngine('ActionLogStore and AttachmentStore', (engine) => {
  const tamperable = tamperableStorage(engine.name);

  it('starts empty', async () => {
    const store = await engine.open();
    assert.equal(await store.verification.find('vi-1'), undefined);
    assert.deepEqual(await store.verification.findBySubject('complaint', 'c-1'), []);
    assert.deepEqual(await store.verification.list({ limit: 10 }), []);
    assert.equal(await store.cases.find('case-1'), undefined);
    assert.deepEqual(await store.cases.list({ limit: 10 }), []);
    assert.equal(await store.attachments.find('a'.repeat(64)), undefined);
    assert.equal((await store.ledger.head()).size, 0);
  });

  it('claims a notice once per item and key, apart for each log, and remembers it after reopening', async () => {
    const store = await engine.open();
    assert.equal(await store.cases.claimNotice('case-1', 'remedy:r-1@1000', at(1)), true);
    assert.equal(await store.cases.claimNotice('case-1', 'remedy:r-1@1000', at(2)), false);
    assert.equal(await store.cases.claimNotice('case-1', 'remedy:r-1@2000', at(2)), true);
    assert.equal(await store.cases.claimNotice('case-2', 'remedy:r-1@1000', at(2)), true);
    // The other log keeps its own: the same id and key are a different item's notice there.
    assert.equal(await store.verification.claimNotice('case-1', 'remedy:r-1@1000', at(3)), true);
    assert.equal(await store.verification.claimNotice('case-1', 'remedy:r-1@1000', at(3)), false);
    // At once: exactly one claim succeeds.
    const both = await Promise.all([
      store.cases.claimNotice('case-3', 'reply:1:p@5', at(4)),
      store.cases.claimNotice('case-3', 'reply:1:p@5', at(4)),
    ]);
    assert.deepEqual(both.sort(), [false, true]);
    // Notices are operational: nothing of them is ledgered.
    assert.equal((await store.ledger.head()).size, 0);
    if (engine.openAgain !== undefined) {
      const again = await engine.openAgain(store);
      assert.equal(await again.cases.claimNotice('case-1', 'remedy:r-1@1000', at(5)), false);
      assert.equal(await again.cases.claimNotice('case-3', 'reply:1:p@5', at(5)), false);
      assert.equal(await again.cases.claimNotice('case-4', 'reply:1:p@5', at(5)), true);
    }
  });

  it('records actions with the next seq and versions, and finds the state and every action', async () => {
    const store = await engine.open();
    const openA = open('vi-a', 'potential-violation', 'ev-1#fire', 0);
    const verifyA = verify(1);
    let a = await record(store, undefined, openA, verifyA);
    assert.equal(a.version, 2);
    const openB = open('vi-b', 'complaint', 'cmp-1', 2);
    const b = await record(store, undefined, openB);
    const taskA = task(3, 't-1');
    a = await record(store, a, taskA);
    const found = await store.verification.find('vi-a');
    assert.deepEqual(found, {
      state: a,
      actions: [
        { seq: 1, version: 1, action: openA },
        { seq: 2, version: 2, action: verifyA },
        { seq: 4, version: 3, action: taskA },
      ],
    });
    assert.deepEqual(await store.verification.find('vi-b'), {
      state: b,
      actions: [{ seq: 3, version: 1, action: openB }],
    });
    // Copies: what a caller does with one read does not reach the store.
    assert.notEqual((await store.verification.find('vi-a'))?.state, found?.state);
    // Listed by the seq of the latest action: b's is 3, a's 4.
    assert.deepEqual(await store.verification.list({ limit: 10 }), [
      { seq: 3, state: b },
      { seq: 4, state: a },
    ]);
    assert.deepEqual(await store.verification.findBySubject('potential-violation', 'ev-1#fire'), [a]);
    assert.deepEqual(await store.verification.findBySubject('complaint', 'ev-1#fire'), []);
    assert.deepEqual(await store.verification.findBySubject('complaint', 'cmp-1'), [b]);
    // Cases are a log of their own: their seq starts at 1.
    const openC = openAction({ caseId: 'case-1' });
    const notify = caseStep('notify', 1);
    const c = await recordCase(store, undefined, openC, notify);
    assert.deepEqual(await store.cases.find('case-1'), {
      state: c,
      actions: [
        { seq: 1, version: 1, action: openC },
        { seq: 2, version: 2, action: notify },
      ],
    });
    assert.deepEqual(await store.cases.list({ limit: 10 }), [{ seq: 2, state: c }]);
    assert.deepEqual(await store.cases.list({ limit: 10, subjectKind: 'complaint' }), []);
    assert.equal(await store.verification.find('case-1'), undefined);
    // No actions: nothing recorded.
    await store.verification.append({
      id: 'vi-b',
      fromVersion: 1,
      actions: [],
      state: b,
      head: itemHead(b),
    });
    assert.deepEqual((await store.verification.find('vi-b'))?.actions.length, 1);
    assert.equal((await store.ledger.head()).size, 6);
  });

  it('lists by state and subject kind, pages by seq, and checks the listing', async () => {
    const store = await engine.open();
    let p1 = await record(store, undefined, open('p1', 'potential-violation', 'v-1', 0)); // seq 1
    const p2 = await record(store, undefined, open('p2', 'potential-violation', 'v-2', 1), verify(2)); // 2, 3
    const c1 = await record(store, undefined, open('c1', 'complaint', 'cmp-1', 3), dismiss(4)); // 4, 5
    const i1 = await record(store, undefined, open('i1', 'impediment', 'imp-1', 5), verify(6)); // 6, 7
    const p3 = await record(store, undefined, open('p3', 'potential-violation', 'v-3', 7)); // 8
    p1 = await record(store, p1, verify(8)); // 9
    // A second item about the same subject (a reopened violation verified again).
    const p4 = await record(store, undefined, open('p4', 'potential-violation', 'v-2', 9)); // 10
    const all = [
      { seq: 3, state: p2 },
      { seq: 5, state: c1 },
      { seq: 7, state: i1 },
      { seq: 8, state: p3 },
      { seq: 9, state: p1 },
      { seq: 10, state: p4 },
    ];
    const list = store.verification.list.bind(store.verification);
    assert.deepEqual(await list({ limit: 1000 }), all);
    assert.deepEqual(await list({ limit: 10, states: ['verifying'] }), [
      { seq: 3, state: p2 },
      { seq: 7, state: i1 },
      { seq: 9, state: p1 },
    ]);
    assert.deepEqual(await list({ limit: 10, states: ['new', 'dismissed'] }), [
      { seq: 5, state: c1 },
      { seq: 8, state: p3 },
      { seq: 10, state: p4 },
    ]);
    assert.deepEqual(await list({ limit: 10, subjectKind: 'potential-violation' }), [
      { seq: 3, state: p2 },
      { seq: 8, state: p3 },
      { seq: 9, state: p1 },
      { seq: 10, state: p4 },
    ]);
    assert.deepEqual(await list({ limit: 10, subjectKind: 'impediment', states: ['verifying'] }), [
      { seq: 7, state: i1 },
    ]);
    assert.deepEqual(await list({ limit: 10, subjectKind: 'complaint', states: ['verifying'] }), []);
    assert.deepEqual(await list({ limit: 10, states: [] }), []);
    assert.deepEqual(await list({ limit: 10, states: ['no-such-state'] }), []);
    assert.deepEqual(await list({ limit: 0 }), []);
    // Pages: each starts after the last seq of the one before, and together they are the whole list.
    const pages: (typeof all)[] = [];
    let afterSeq = 0;
    for (;;) {
      const page = await list({ limit: 4, afterSeq });
      if (page.length === 0) break;
      pages.push([...page]);
      afterSeq = page[page.length - 1]?.seq ?? afterSeq;
    }
    assert.deepEqual(
      pages.map((page) => page.map((entry) => entry.seq)),
      [
        [3, 5, 7, 8],
        [9, 10],
      ],
    );
    assert.deepEqual(await list({ limit: 2, afterSeq: 7, subjectKind: 'potential-violation' }), [
      { seq: 8, state: p3 },
      { seq: 9, state: p1 },
    ]);
    assert.deepEqual(await list({ limit: 10, afterSeq: 10 }), []);
    assert.deepEqual(await store.verification.findBySubject('potential-violation', 'v-2'), [p2, p4]);
    for (const bad of [
      { limit: -1 },
      { limit: 1001 },
      { limit: 1.5 },
      { limit: Number.NaN },
      { limit: 10, afterSeq: -1 },
      { limit: 10, afterSeq: 0.5 },
    ]) {
      await assert.rejects(list(bad), { code: 'E_VALIDATION' }, JSON.stringify(bad));
      await assert.rejects(store.cases.list(bad), { code: 'E_VALIDATION' }, JSON.stringify(bad));
    }
  });

  it('refuses an append from a version that is not current: E_STALE_VERSION, and nothing written', async () => {
    const store = await engine.open();
    const item = await record(store, undefined, open('vi-1', 'potential-violation', 'v-1', 0), verify(1));
    const c = await recordCase(store, undefined, openAction({ caseId: 'case-1' }));
    const size = (await store.ledger.head()).size;
    const before = {
      item: await store.verification.find('vi-1'),
      items: await store.verification.list({ limit: 10 }),
      case: await store.cases.find('case-1'),
    };
    const step = itemAppend(item, [task(2, 't-1')]).input;
    for (const fromVersion of [0, 1, 3])
      await assert.rejects(store.verification.append({ ...step, fromVersion }), {
        code: 'E_STALE_VERSION',
        details: { id: 'vi-1', version: 2 },
      });
    // A new id is at version 0.
    await assert.rejects(store.verification.append({ ...step, id: 'vi-2', fromVersion: 1 }), {
      code: 'E_STALE_VERSION',
      details: { id: 'vi-2', version: 0 },
    });
    await assert.rejects(
      store.cases.append({
        id: 'case-1',
        fromVersion: 0,
        actions: [openAction({ caseId: 'case-1' })],
        state: c,
        head: caseHead(c),
      }),
      { code: 'E_STALE_VERSION', details: { id: 'case-1', version: 1 } },
    );
    // A row the store cannot hold (a time that is not a whole number of ms): nothing written either.
    const bad = { ...task(2, 't-1'), at: at(2) + 0.5 };
    await assert.rejects(store.verification.append({ ...step, actions: [task(2, 't-0'), bad] }), {
      code: 'E_STORE',
    });
    assert.deepEqual(
      {
        item: await store.verification.find('vi-1'),
        items: await store.verification.list({ limit: 10 }),
        case: await store.cases.find('case-1'),
      },
      before,
    );
    assert.equal(await store.verification.find('vi-2'), undefined);
    assert.equal((await store.ledger.head()).size, size);
    // The right version still goes through, with the next seq.
    await store.verification.append(step);
    assert.deepEqual(
      (await store.verification.find('vi-1'))?.actions.map((a) => [a.seq, a.version]),
      [
        [1, 1],
        [2, 2],
        [3, 3],
      ],
    );
    assert.equal((await store.ledger.audit()).ok, true);
  });

  it('gives one success and one E_STALE_VERSION to two appends at once from one version', async () => {
    const store = await engine.open();
    // Two openings of one new item.
    const first = itemAppend(undefined, [open('vi-1', 'potential-violation', 'v-1', 0)]);
    const second = itemAppend(undefined, [open('vi-1', 'potential-violation', 'v-1', 1)]);
    const opened = await outcomes([
      store.verification.append(first.input),
      store.verification.append(second.input),
    ]);
    assert.equal(opened.fulfilled.length, 1);
    assert.deepEqual(opened.codes, ['E_STALE_VERSION']);
    const winner = opened.fulfilled[0] === 0 ? first : second;
    const found = await store.verification.find('vi-1');
    assert.deepEqual(found?.state, winner.next);
    assert.deepEqual(
      found.actions.map((a) => a.action),
      winner.input.actions,
    );
    // Two steps on the version both read.
    const item = winner.next;
    const steps = [itemAppend(item, [verify(5), task(6, 't-1')]), itemAppend(item, [dismiss(5, vera)])];
    const stepped = await outcomes(steps.map((s) => store.verification.append(s.input)));
    assert.equal(stepped.fulfilled.length, 1);
    assert.deepEqual(stepped.codes, ['E_STALE_VERSION']);
    const after = await store.verification.find('vi-1');
    assert.ok(after !== undefined);
    assert.deepEqual(after.state, steps[stepped.fulfilled[0] ?? 0]?.next);
    assert.equal(after.actions.length, after.state.version);
    // The same for a case.
    const c = await recordCase(store, undefined, openAction({ caseId: 'case-1' }));
    const caseSteps = [caseStep('notify', 1), caseStep('comment', 1)].map((action) => {
      const next = decideCase(c, action, c.version);
      return store.cases.append({
        id: c.id,
        fromVersion: c.version,
        actions: [action],
        state: next,
        head: caseHead(next),
      });
    });
    const cased = await outcomes(caseSteps);
    assert.equal(cased.fulfilled.length, 1);
    assert.deepEqual(cased.codes, ['E_STALE_VERSION']);
    assert.equal((await store.cases.find('case-1'))?.actions.length, 2);
    // Only the winners were ledgered.
    const recorded = after.actions.length + 2;
    assert.deepEqual(await store.ledger.audit(), {
      ok: true,
      size: recorded,
      rows: recorded,
      checkpointSize: null,
    });
  });

  const { openAgain } = engine;
  if (openAgain !== undefined)
    it('gives one success and one E_STALE_VERSION to appends through two stores on one storage', async () => {
      const one = await engine.open();
      const two = await openAgain(one);
      const rounds = 8;
      // Every item opened through both stores at once, then stepped through both from version 1.
      const opened = await Promise.all(
        Array.from({ length: rounds }, (_, i) =>
          outcomes([
            one.verification.append(itemAppend(undefined, [open(`vi-${i}`, 'complaint', `c-${i}`, i)]).input),
            two.verification.append(
              itemAppend(undefined, [open(`vi-${i}`, 'complaint', `c-${i}`, i + 1)]).input,
            ),
          ]),
        ),
      );
      for (const outcome of opened) {
        assert.equal(outcome.fulfilled.length, 1);
        assert.deepEqual(outcome.codes, ['E_STALE_VERSION']);
      }
      const items = await Promise.all(
        Array.from({ length: rounds }, async (_, i) => {
          const found = await two.verification.find(`vi-${i}`);
          if (found === undefined) throw new Error(`vi-${i} was not recorded`);
          return found.state;
        }),
      );
      const stepped = await Promise.all(
        items.map((item, i) =>
          outcomes([
            (i % 2 === 0 ? one : two).verification.append(
              itemAppend(item, [verify(60), task(61, 't-1')]).input,
            ),
            (i % 2 === 0 ? two : one).verification.append(itemAppend(item, [dismiss(60)]).input),
          ]),
        ),
      );
      for (const outcome of stepped) {
        assert.equal(outcome.fulfilled.length, 1);
        assert.deepEqual(outcome.codes, ['E_STALE_VERSION']);
      }
      // Both stores see one history: seqs 1…n, each item's versions 1…v without a gap.
      const listed = await one.verification.list({ limit: 1000 });
      assert.deepEqual(await two.verification.list({ limit: 1000 }), listed);
      const seqs: number[] = [];
      for (let i = 0; i < rounds; i += 1) {
        const found = await one.verification.find(`vi-${i}`);
        assert.ok(found !== undefined);
        assert.deepEqual(
          found.actions.map((a) => a.version),
          found.actions.map((_, v) => v + 1),
        );
        assert.equal(found.state.version, found.actions.length);
        seqs.push(...found.actions.map((a) => a.seq));
      }
      assert.deepEqual(
        seqs.sort((a, b) => a - b),
        seqs.map((_, i) => i + 1),
      );
      // Attachments recorded through both at once: one insert, one leaf.
      const sha = attachment('ab');
      const recorded = await Promise.all([one.attachments.record(sha), two.attachments.record(sha)]);
      assert.deepEqual(
        recorded.sort((a, b) => Number(b) - Number(a)),
        [true, false],
      );
      const size = seqs.length + 1;
      for (const store of [one, two])
        assert.deepEqual(await store.ledger.audit(), { ok: true, size, rows: size, checkpointSize: null });
      const entries = await one.ledger.entries(0, 1000);
      assert.deepEqual(
        entries.map((e) => e.type).sort(),
        [...seqs.map(() => 'verification-step'), 'attachment'].sort(),
      );
      for (const entry of entries) assert.ok(bytesEqual(commitmentOf(entry), entry.commitment));
    });

  it('ledgers every action and attachment: a leaf of its type, committing to the row’s canonical record', async () => {
    const store = await engine.open();
    const openA = open('vi-a', 'impediment', 'imp-1', 0);
    const verifyA = verify(1);
    const a = await record(store, undefined, openA, verifyA);
    const openC = openAction({ caseId: 'case-1' });
    const c = await recordCase(store, undefined, openC);
    const file = attachment('0f', { mediaType: 'application/pdf', releasableTo: '["mission","alpha"]' });
    assert.equal(await store.attachments.record(file), true);
    const taskA = task(2, 't-1');
    await record(store, a, taskA);
    const notify = caseStep('notify', 1);
    await recordCase(store, c, notify);
    const entries = await store.ledger.entries(0, 100);
    assert.deepEqual(
      entries.map((e) => [e.type, e.table, e.key, e.superseded]),
      [
        ['verification-step', 'verification_actions', 1, false],
        ['verification-step', 'verification_actions', 2, false],
        ['case-action', 'case_actions', 1, false],
        ['attachment', 'attachments', file.sha256, false],
        ['verification-step', 'verification_actions', 3, false],
        ['case-action', 'case_actions', 2, false],
      ],
    );
    assert.deepEqual(
      entries.map((e) => e.record),
      [
        actionRecord('item_id', 'vi-a', 1, openA),
        actionRecord('item_id', 'vi-a', 2, verifyA),
        actionRecord('case_id', 'case-1', 1, openC),
        attachmentRecord(file),
        actionRecord('item_id', 'vi-a', 3, taskA),
        actionRecord('case_id', 'case-1', 2, notify),
      ],
    );
    for (const entry of entries) {
      assert.equal(entry.id.length, 16);
      assert.ok(bytesEqual(commitmentOf(entry), entry.commitment), `entry ${entry.index} opens`);
    }
    // Each recorded action's latest leaf is the one above, found by its seq.
    for (const [log, type, id] of [
      [store.verification, 'verification-step', 'vi-a'],
      [store.cases, 'case-action', 'case-1'],
    ] as const) {
      const found = await log.find(id);
      for (const recorded of found?.actions ?? []) {
        const leaf = await store.ledger.findEntry(type, recorded.seq);
        assert.ok(leaf !== undefined, `${type} ${recorded.seq} has a leaf`);
        const opened = await store.ledger.entry(leaf.index);
        assert.equal(opened?.key, recorded.seq);
        assert.equal(
          opened.record,
          actionRecord(type === 'case-action' ? 'case_id' : 'item_id', id, recorded.version, recorded.action),
        );
      }
    }
    assert.equal((await store.ledger.findEntry('attachment', file.sha256))?.index, 3);
    assert.deepEqual(await store.ledger.audit(), { ok: true, size: 6, rows: 6, checkpointSize: null });
  });

  it('records an attachment once: true, then false, one leaf; finds what was recorded', async () => {
    const store = await engine.open();
    const file = attachment('c4');
    assert.equal(await store.attachments.record(file), true);
    // The same bytes again, by someone else, later: nothing changes.
    assert.equal(
      await store.attachments.record({ ...file, storedBy: 'bob', storedAtMs: at(60), tlp: 'red' }),
      false,
    );
    assert.deepEqual(await store.attachments.find(file.sha256), file);
    assert.equal(await store.attachments.find('d'.repeat(64)), undefined);
    // Two uploads of other bytes at once: one records.
    const other = attachment('e7', { sizeBytes: 0, mediaType: 'text/plain' });
    const both = await Promise.all([store.attachments.record(other), store.attachments.record(other)]);
    assert.deepEqual(
      both.sort((a, b) => Number(b) - Number(a)),
      [true, false],
    );
    assert.deepEqual(await store.attachments.find(other.sha256), other);
    const entries = await store.ledger.entries(0, 10);
    assert.deepEqual(
      entries.map((e) => [e.type, e.key, e.record]),
      [
        ['attachment', file.sha256, attachmentRecord(file)],
        ['attachment', other.sha256, attachmentRecord(other)],
      ],
    );
    for (const entry of entries) assert.ok(bytesEqual(commitmentOf(entry), entry.commitment));
    assert.deepEqual(await store.ledger.audit(), { ok: true, size: 2, rows: 2, checkpointSize: null });
  });

  if (tamperable !== undefined)
    it('fails the audit for an action or attachment changed behind the store’s back (not for a head)', async () => {
      const written = async () => {
        const { store, sql } = await tamperable();
        const item = await record(store, undefined, open('vi-1', 'complaint', 'cmp-1', 0), verify(1));
        await recordCase(store, undefined, openAction({ caseId: 'case-1' }));
        await store.attachments.record(attachment('9a'));
        await record(store, item, task(2, 't-1'));
        assert.equal((await store.ledger.audit()).ok, true);
        return { store, sql };
      };
      {
        const { store, sql } = await written();
        await sql(`UPDATE verification_actions SET by_user = 'mallory' WHERE seq = 2`);
        const outcome = await store.ledger.audit();
        assert.ok(!outcome.ok);
        assert.deepEqual([outcome.table, outcome.key, outcome.index], ['verification_actions', 2, 1]);
        assert.match(outcome.problem, /verification_actions seq 2 differs from what entry 1 committed to/);
      }
      {
        const { store, sql } = await written();
        await sql(`DELETE FROM case_actions WHERE seq = 1`);
        const outcome = await store.ledger.audit();
        assert.ok(!outcome.ok);
        assert.deepEqual([outcome.table, outcome.key, outcome.index], ['case_actions', 1, 2]);
        assert.match(outcome.problem, /missing/);
      }
      {
        const { store, sql } = await written();
        await sql(`UPDATE attachments SET tlp = 'clear'`);
        const outcome = await store.ledger.audit();
        assert.ok(!outcome.ok);
        assert.deepEqual([outcome.table, outcome.index], ['attachments', 3]);
      }
      {
        // The heads are derived from the actions, not ledgered: the audit does not see them.
        const { store, sql } = await written();
        await sql(`UPDATE verification_items SET state = 'dismissed'`);
        assert.equal((await store.ledger.audit()).ok, true);
        // With its head gone, an item reads as new, but the unique (item, version) constraint still
        // refuses a second version 1: the same E_STALE_VERSION, and nothing written.
        await sql(`DELETE FROM verification_items WHERE id = 'vi-1'`);
        const size = (await store.ledger.head()).size;
        await assert.rejects(
          store.verification.append(itemAppend(undefined, [open('vi-1', 'complaint', 'cmp-1', 9)]).input),
          { code: 'E_STALE_VERSION', details: { id: 'vi-1' } },
        );
        assert.equal(await store.verification.find('vi-1'), undefined);
        assert.equal((await store.ledger.head()).size, size);
      }
    });
});
