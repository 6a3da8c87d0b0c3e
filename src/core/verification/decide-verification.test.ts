import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTrucelineError, type ErrorCode } from '../errors.ts';
import type { Actor, ActorRole } from './actor.ts';
import { SYSTEM_ACTOR } from './actor.ts';
import { decideVerification, openVerification, replayVerification } from './decide-verification.ts';
import {
  VERIFICATION_ACTION_TYPES,
  VERIFICATION_STATES,
  type VerificationActionType,
  type VerificationState,
} from './kinds.ts';
import { taskStatus } from './task-status.ts';
import type { VerificationAction, VerificationStep } from './verification-action.ts';
import type { VerificationItem } from './verification-item.ts';
import { VERIFICATION_TRANSITIONS } from './verification-transitions.ts';

const T0 = Date.parse('2026-06-01T08:00:00Z');
const MIN = 60_000;
const HASH = 'a'.repeat(64);

const actor = (userId: string, role: ActorRole, orgId = 'mission'): Actor => ({ userId, orgId, role });
const alice = actor('alice', 'analyst');
const bob = actor('bob', 'analyst');
const vera = actor('vera', 'verifier');
const mona = actor('mona', 'monitor');

const open = (): VerificationAction => ({
  type: 'open',
  at: T0,
  by: SYSTEM_ACTOR,
  itemId: 'vi-1',
  subject: { kind: 'potential-violation', id: 'ev-7#fire' },
});

/** A valid step of each type, by an actor whose role may take it, at `T0 + minutes`. */
function step(type: Exclude<VerificationActionType, 'open'>, minutes: number, by?: Actor): VerificationStep {
  const at = T0 + minutes * MIN;
  switch (type) {
    case 'dismiss':
      return { type, at, by: by ?? alice, reason: 'duplicate of vi-0' };
    case 'verify':
      return { type, at, by: by ?? alice };
    case 'task':
      return {
        type,
        at,
        by: by ?? alice,
        taskId: `t-${minutes}`,
        asset: 'patrol',
        deadlineMs: at + 120 * MIN,
        instructions: 'visit the crater',
      };
    case 'task-result':
      return { type, at, by: by ?? mona, taskId: 't-2', result: 'done', note: 'crater photographed' };
    case 'record-finding':
      return {
        type,
        at,
        by: by ?? mona,
        outcome: 'substantiated',
        narrative: 'Fresh 122 mm crater, fuze found.',
        evidence: [HASH],
        observationSeqs: [41, 42],
      };
    case 'approve-finding':
      return { type, at, by: by ?? vera };
    case 'return-finding':
      return { type, at, by: by ?? vera, reason: 'the fuze photo is missing' };
    case 'reopen':
      return {
        type,
        at,
        by: by ?? alice,
        reason: 'a later complaint',
        cause: { kind: 'complaint', id: 'c-9' },
      };
  }
}

/** Steps `steps` one after another from a fresh item, each on the version it just read. */
function run(...steps: VerificationStep[]): VerificationItem {
  let item = openVerification(open() as Extract<VerificationAction, { type: 'open' }>);
  for (const s of steps) item = decideVerification(item, s, item.version);
  return item;
}

/** An item in `state`. */
function reach(state: VerificationState): VerificationItem {
  switch (state) {
    case 'new':
      return run();
    case 'dismissed':
      return run(step('dismiss', 1));
    case 'verifying':
      return run(step('verify', 1), step('task', 2));
    case 'awaiting-approval':
      return run(step('verify', 1), step('task', 2), step('record-finding', 3));
    case 'substantiated':
      return run(step('verify', 1), step('task', 2), step('record-finding', 3), step('approve-finding', 4));
    case 'not-substantiated':
    case 'unable-to-determine':
      return run(
        step('verify', 1),
        {
          ...(step('record-finding', 3) as Extract<VerificationStep, { type: 'record-finding' }>),
          outcome: state,
        },
        step('approve-finding', 4),
      );
  }
}

function refused(code: ErrorCode, fn: () => unknown): Record<string, unknown> {
  try {
    fn();
  } catch (error) {
    assert.ok(isTrucelineError(error), String(error));
    assert.equal(error.code, code, error.message);
    return { ...error.details, issues: error.issues };
  }
  assert.fail(`expected ${code}`);
}

describe('decideVerification: the workflow', () => {
  it('goes from new through triage, tasking and a finding to its approved outcome, one version per step', () => {
    const item = reach('substantiated');
    assert.equal(item.state, 'substantiated');
    assert.equal(item.version, 5);
    assert.equal(item.triage?.decision, 'verify');
    assert.equal(item.tasks[0]?.taskId, 't-2');
    assert.deepEqual(
      item.findings.map((f) => [f.status, f.recordedBy.userId, f.reviewedBy?.userId]),
      [['approved', 'mona', 'vera']],
    );
  });

  it('dismisses at triage only with a reason', () => {
    const item = reach('new');
    const details = refused('E_VALIDATION', () =>
      decideVerification(item, { ...step('dismiss', 1), reason: '  ' } as VerificationStep, 1),
    );
    assert.deepEqual(details.issues, [{ path: 'reason', reason: 'must not be empty' }]);
    const dismissed = decideVerification(item, step('dismiss', 1), 1);
    assert.equal(dismissed.state, 'dismissed');
    assert.equal(dismissed.triage?.reason, 'duplicate of vi-0');
  });

  it('returns a finding to verification with the reason, and a new finding can then be approved', () => {
    const returned = decideVerification(reach('awaiting-approval'), step('return-finding', 4), 4);
    assert.equal(returned.state, 'verifying');
    assert.equal(returned.findings[0]?.status, 'returned');
    assert.equal(returned.findings[0]?.returnReason, 'the fuze photo is missing');
    const again = decideVerification(returned, step('record-finding', 5, alice), returned.version);
    const approved = decideVerification(again, step('approve-finding', 6, bob), again.version);
    assert.equal(approved.state, 'substantiated');
    assert.deepEqual(
      approved.findings.map((f) => f.status),
      ['returned', 'approved'],
    );
  });

  it('reports a task overdue from its deadline until its result is in', () => {
    const item = reach('verifying');
    const task = item.tasks[0]!;
    assert.equal(taskStatus(task, task.deadlineMs - 1), 'open');
    assert.equal(taskStatus(task, task.deadlineMs), 'overdue');
    const done = decideVerification(item, step('task-result', 30), item.version);
    assert.equal(taskStatus(done.tasks[0]!, task.deadlineMs + 1), 'done');
  });

  it('records a failed task with the impediment that caused it, and refuses a second result', () => {
    const failed = decideVerification(
      reach('verifying'),
      {
        ...step('task-result', 30),
        result: 'failed',
        note: 'checkpoint closed',
        impedimentId: 'imp-3',
      } as VerificationStep,
      3,
    );
    assert.equal(failed.tasks[0]?.result, 'failed');
    assert.equal(failed.tasks[0]?.impedimentId, 'imp-3');
    const details = refused('E_INVALID_TRANSITION', () =>
      decideVerification(failed, step('task-result', 31), 4),
    );
    assert.equal(details.state, 'verifying');
    assert.equal(details.taskId, 't-2');
  });

  it('refuses a result for a task that does not exist, and a repeated task id', () => {
    const item = reach('verifying');
    const unknown = refused('E_VALIDATION', () =>
      decideVerification(item, { ...step('task-result', 30), taskId: 't-99' } as VerificationStep, 3),
    );
    assert.equal((unknown.issues as { path: string }[])[0]?.path, 'taskId');
    const repeated = refused('E_VALIDATION', () =>
      decideVerification(item, { ...step('task', 30), taskId: 't-2' } as VerificationStep, 3),
    );
    assert.equal((repeated.issues as { path: string }[])[0]?.path, 'taskId');
  });

  it('refuses a substantiated finding without evidence or observations, and malformed evidence', () => {
    const item = reach('verifying');
    const bare = { ...step('record-finding', 5), evidence: [], observationSeqs: [] } as VerificationStep;
    const details = refused('E_VALIDATION', () => decideVerification(item, bare, 3));
    assert.equal((details.issues as { path: string }[])[0]?.path, 'evidence');
    const bad = { ...step('record-finding', 5), evidence: ['ABC'] } as VerificationStep;
    const badDetails = refused('E_VALIDATION', () => decideVerification(item, bad, 3));
    assert.equal((badDetails.issues as { path: string }[])[0]?.path, 'evidence[0]');
  });

  it('reopens a concluded item on a later record, keeping what was found', () => {
    const reopened = decideVerification(reach('substantiated'), step('reopen', 10), 5);
    assert.equal(reopened.state, 'verifying');
    assert.deepEqual(reopened.reopenings[0]?.cause, { kind: 'complaint', id: 'c-9' });
    assert.equal(reopened.reopenings[0]?.from, 'substantiated');
    assert.equal(reopened.findings[0]?.status, 'approved');
  });

  it('refuses a step dated before the last one', () => {
    const item = reach('verifying');
    const details = refused('E_VALIDATION', () => decideVerification(item, step('task', 0), item.version));
    assert.equal((details.issues as { path: string }[])[0]?.path, 'at');
  });

  it('never changes the item it is given', () => {
    const item = reach('awaiting-approval');
    const before = structuredClone(item);
    decideVerification(item, step('approve-finding', 9), item.version);
    assert.deepEqual(item, before);
  });
});

describe('decideVerification: four-eyes', () => {
  it('refuses the approval of a finding by whoever recorded it', () => {
    const item = run(step('verify', 1), step('record-finding', 2, alice));
    refused('E_FOUR_EYES', () => decideVerification(item, step('approve-finding', 3, alice), item.version));
  });

  it('cannot be bypassed by acting in another role or for another organisation', () => {
    const item = run(step('verify', 1), step('record-finding', 2, actor('sam', 'monitor')));
    refused('E_FOUR_EYES', () =>
      decideVerification(
        item,
        step('approve-finding', 3, actor('sam', 'verifier', 'mission-hq')),
        item.version,
      ),
    );
  });

  it('binds the recorder of the pending finding, not of an earlier returned one', () => {
    const item = run(
      step('verify', 1),
      step('record-finding', 2, alice),
      step('return-finding', 3, bob),
      step('record-finding', 4, bob),
    );
    refused('E_FOUR_EYES', () => decideVerification(item, step('approve-finding', 5, bob), item.version));
    assert.equal(
      decideVerification(item, step('approve-finding', 5, alice), item.version).state,
      'substantiated',
    );
  });

  it('is checked again when the history is replayed: a tampered record fails', () => {
    const history: VerificationAction[] = [
      open(),
      step('verify', 1),
      step('record-finding', 2, alice),
      step('approve-finding', 3, alice),
    ];
    refused('E_FOUR_EYES', () => replayVerification(history));
  });
});

describe('decideVerification: versions', () => {
  it('refuses a stale version and names the current one', () => {
    const item = reach('verifying');
    const details = refused('E_STALE_VERSION', () =>
      decideVerification(item, step('task', 9), item.version - 1),
    );
    assert.equal(details.currentVersion, item.version);
    assert.equal(details.expectedVersion, item.version - 1);
  });

  it('of two analysts acting on the same version, only the first succeeds', () => {
    const item = reach('new');
    const first = decideVerification(item, step('verify', 1, alice), 1);
    assert.equal(first.version, 2);
    refused('E_STALE_VERSION', () => decideVerification(first, step('dismiss', 1, bob), 1));
  });

  it('replays a history into the item the decisions produced', () => {
    const history: VerificationAction[] = [
      open(),
      step('verify', 1),
      step('task', 2),
      step('task-result', 3),
      step('record-finding', 4),
      step('approve-finding', 5),
    ];
    const [, ...steps] = history as [VerificationAction, ...VerificationStep[]];
    assert.deepEqual(replayVerification(history), run(...steps));
    assert.equal(JSON.stringify(replayVerification(history)), JSON.stringify(run(...steps)));
  });
});

describe('decideVerification: roles', () => {
  it('lets analysts triage and refuses monitors, commissioners and party liaisons', () => {
    const item = reach('new');
    for (const role of ['monitor', 'commissioner', 'chair', 'party-liaison', 'auditor'] as const)
      refused('E_FORBIDDEN', () => decideVerification(item, step('verify', 1, actor('x', role)), 1));
  });

  it('opens complaints for a party liaison but not potential violations', () => {
    const liaison = actor('lia', 'party-liaison', 'alpha');
    assert.equal(
      openVerification({
        type: 'open',
        at: T0,
        by: liaison,
        itemId: 'vi-c',
        subject: { kind: 'complaint', id: 'c-1' },
      }).state,
      'new',
    );
    refused('E_FORBIDDEN', () =>
      openVerification({
        type: 'open',
        at: T0,
        by: liaison,
        itemId: 'vi-p',
        subject: { kind: 'potential-violation', id: 'ev-1#fire' },
      }),
    );
  });
});

describe('decideVerification: every illegal step is refused with the state named', () => {
  for (const state of VERIFICATION_STATES) {
    const allowed = VERIFICATION_TRANSITIONS[state];
    for (const type of VERIFICATION_ACTION_TYPES) {
      if (type === 'open' || allowed.includes(type)) continue;
      it(`${state}: ${type}`, () => {
        const item = reach(state);
        assert.equal(item.state, state);
        const details = refused('E_INVALID_TRANSITION', () =>
          decideVerification(item, step(type, 100), item.version),
        );
        assert.equal(details.state, state);
        assert.equal(details.action, type);
      });
    }
  }
});
