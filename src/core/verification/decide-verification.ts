/**
 * @module The verification workflow as a pure decision: given an item, an action and the version the
 * caller decided on, either the next item or a typed refusal. Nothing is read or written here; the
 * caller stores each accepted action as an append-only row (and a ledger leaf) and the item is the fold
 * of those rows ({@link replayVerification}), so the stored history and the state can never disagree.
 *
 * Order of the checks, so a refusal names the first thing the caller must fix: the version
 * (`E_STALE_VERSION`: read again), the role (`E_FORBIDDEN`), the state (`E_INVALID_TRANSITION`, with
 * `details.state`), the fields (`E_VALIDATION`, every issue), then four-eyes (`E_FOUR_EYES`).
 */
import { decisionErrors } from './decision-errors.ts';
import { ACTION_LIMITS, FieldChecks } from './field-checks.ts';
import {
  isFindingOutcome,
  isSubjectKind,
  isTaskAsset,
  isTaskResult,
  isVerificationActionType,
} from './kinds.ts';
import type { OpenVerification, VerificationAction, VerificationStep } from './verification-action.ts';
import type { FindingRecord, VerificationItem, VerificationTask } from './verification-item.ts';
import { mayTakeVerificationStep } from './verification-permissions.ts';
import { VERIFICATION_TRANSITIONS } from './verification-transitions.ts';

const WHAT = 'verification item';
const REOPEN_CAUSES: readonly string[] = ['event', 'complaint', 'observation', 'impediment'];

const invalid = (type: string) => (issues: Parameters<typeof decisionErrors.invalid>[1]) =>
  decisionErrors.invalid(type, issues);

/**
 * Opens the item for a subject: `new`, version 1.
 * @throws TrucelineError `E_FORBIDDEN` when the role may not open items of this subject kind,
 *   `E_VALIDATION` for a malformed action
 */
export function openVerification(action: OpenVerification): VerificationItem {
  const checks = new FieldChecks();
  checks.header(action.at, action.by, null);
  checks.id('itemId', action.itemId);
  if (!isSubjectKind(action.subject.kind))
    checks.add('subject.kind', 'must be potential-violation, complaint or impediment');
  checks.id('subject.id', action.subject.id);
  checks.throwIfAny(invalid('open'));
  if (!mayTakeVerificationStep(action.by.role, 'open', action.subject.kind))
    throw decisionErrors.forbidden(
      'open',
      action.by,
      `the role may not open items about a ${action.subject.kind}`,
    );
  return {
    id: action.itemId,
    subject: { kind: action.subject.kind, id: action.subject.id },
    state: 'new',
    version: 1,
    openedAt: action.at,
    openedBy: action.by,
    updatedAt: action.at,
    triage: null,
    tasks: [],
    findings: [],
    reopenings: [],
  };
}

/**
 * Decides one step on an item: the next item (version + 1), or a refusal.
 * @param expectedVersion the version the caller read and decided on (the request's If-Match)
 * @throws TrucelineError `E_STALE_VERSION` when `expectedVersion` is not the item's version;
 *   `E_FORBIDDEN` for a role that may not take the step; `E_INVALID_TRANSITION` (details.state) for a
 *   step the state does not allow; `E_VALIDATION` for bad fields; `E_FOUR_EYES` when whoever recorded
 *   the pending finding tries to approve it
 */
export function decideVerification(
  item: VerificationItem,
  action: VerificationStep,
  expectedVersion: number,
): VerificationItem {
  if (expectedVersion !== item.version)
    throw decisionErrors.stale(WHAT, item.id, expectedVersion, item.version);
  return applyVerificationStep(item, action);
}

/**
 * The item as the fold of its recorded actions, first to last: what the store and an auditor recompute.
 * Each step is checked as when it was decided, so a tampered or reordered history fails loudly here.
 * @throws TrucelineError when the first action is not `open`, a later one is, or any step is refused
 */
export function replayVerification(actions: readonly VerificationAction[]): VerificationItem {
  const [first, ...rest] = actions;
  if (first?.type !== 'open')
    throw decisionErrors.invalid('replay', [{ path: '[0].type', reason: 'the first action must be open' }]);
  let item = openVerification(first);
  rest.forEach((action, index) => {
    if (action.type === 'open')
      throw decisionErrors.invalid('replay', [
        { path: `[${index + 1}].type`, reason: 'an item is opened only once' },
      ]);
    item = applyVerificationStep(item, action);
  });
  return item;
}

/** One step, checked and applied, without the version check (the fold's order is the version). */
function applyVerificationStep(item: VerificationItem, action: VerificationStep): VerificationItem {
  const type: unknown = action.type;
  if (!isVerificationActionType(type) || type === 'open')
    throw decisionErrors.invalid(String(type), [{ path: 'type', reason: 'is not a step on an item' }]);
  if (!mayTakeVerificationStep(action.by.role, type))
    throw decisionErrors.forbidden(type, action.by, 'the role does not take this step');
  if (!VERIFICATION_TRANSITIONS[item.state].includes(type))
    throw decisionErrors.transition(WHAT, item.state, type, undefined, { id: item.id });

  const checks = new FieldChecks();
  checks.header(action.at, action.by, item.updatedAt);
  // The changes are built only once every field checked out, so a malformed action never reaches them.
  const next = (changes: () => Partial<VerificationItem>): VerificationItem => {
    checks.throwIfAny(invalid(type));
    return { ...item, ...changes(), version: item.version + 1, updatedAt: action.at };
  };

  switch (action.type) {
    case 'dismiss':
      checks.text('reason', action.reason);
      return next(() => ({
        state: 'dismissed',
        triage: item.triage ?? { decision: 'dismiss', at: action.at, by: action.by, reason: action.reason },
      }));

    case 'verify':
      checks.optionalText('note', action.note);
      return next(() => ({
        state: 'verifying',
        triage: item.triage ?? {
          decision: 'verify',
          at: action.at,
          by: action.by,
          reason: action.note ?? null,
        },
      }));

    case 'task': {
      checks.id('taskId', action.taskId);
      if (item.tasks.some((task) => task.taskId === action.taskId))
        checks.add('taskId', 'is already a task of this item');
      if (!isTaskAsset(action.asset)) checks.add('asset', 'must be patrol, drone, camera or satellite');
      checks.time('deadlineMs', action.deadlineMs);
      if (typeof action.deadlineMs === 'number' && action.deadlineMs <= action.at)
        checks.add('deadlineMs', 'must be after the time of tasking');
      checks.text('instructions', action.instructions);
      return next(() => ({
        tasks: [
          ...item.tasks,
          {
            taskId: action.taskId,
            asset: action.asset,
            deadlineMs: action.deadlineMs,
            instructions: action.instructions,
            taskedAt: action.at,
            taskedBy: action.by,
            result: null,
            resultAt: null,
            resultBy: null,
            resultNote: null,
            impedimentId: null,
          },
        ],
      }));
    }

    case 'task-result': {
      const index = item.tasks.findIndex((task) => task.taskId === action.taskId);
      const task = item.tasks[index];
      if (task === undefined)
        throw decisionErrors.invalid(type, [{ path: 'taskId', reason: 'is not a task of this item' }]);
      if (task.result !== null)
        throw decisionErrors.transition(WHAT, item.state, type, `task ${task.taskId} already ended`, {
          id: item.id,
          taskId: task.taskId,
          result: task.result,
        });
      if (!isTaskResult(action.result)) checks.add('result', 'must be done or failed');
      checks.text('note', action.note);
      if (action.impedimentId !== undefined) checks.id('impedimentId', action.impedimentId);
      return next(() => {
        const ended: VerificationTask = {
          ...task,
          result: action.result,
          resultAt: action.at,
          resultBy: action.by,
          resultNote: action.note,
          impedimentId: action.impedimentId ?? null,
        };
        return { tasks: item.tasks.map((t, i) => (i === index ? ended : t)) };
      });
    }

    case 'record-finding': {
      if (!isFindingOutcome(action.outcome))
        checks.add('outcome', 'must be substantiated, not-substantiated or unable-to-determine');
      checks.text('narrative', action.narrative);
      checks.sha256List('evidence', action.evidence);
      checkSeqs(checks, action.observationSeqs);
      if (
        action.outcome === 'substantiated' &&
        Array.isArray(action.evidence) &&
        Array.isArray(action.observationSeqs) &&
        action.evidence.length === 0 &&
        action.observationSeqs.length === 0
      )
        checks.add('evidence', 'a substantiated finding must rest on evidence or observations');
      return next(() => {
        const finding: FindingRecord = {
          outcome: action.outcome,
          narrative: action.narrative,
          evidence: [...action.evidence],
          observationSeqs: [...action.observationSeqs],
          recordedAt: action.at,
          recordedBy: action.by,
          status: 'pending',
          reviewedAt: null,
          reviewedBy: null,
          returnReason: null,
        };
        return { state: 'awaiting-approval', findings: [...item.findings, finding] };
      });
    }

    case 'approve-finding': {
      const pending = pendingFinding(item);
      checks.throwIfAny(invalid(type));
      // Four-eyes: the same person may not approve, whatever role or organisation they act in now.
      if (pending.recordedBy.userId === action.by.userId) throw decisionErrors.fourEyes('finding', action.by);
      return next(() => ({
        state: pending.outcome,
        findings: replacePending(item, {
          ...pending,
          status: 'approved',
          reviewedAt: action.at,
          reviewedBy: action.by,
        }),
      }));
    }

    case 'return-finding': {
      // Not four-eyes: sending a finding back approves nothing, and its recorder may withdraw it.
      checks.text('reason', action.reason);
      const pending = pendingFinding(item);
      return next(() => ({
        state: 'verifying',
        findings: replacePending(item, {
          ...pending,
          status: 'returned',
          reviewedAt: action.at,
          reviewedBy: action.by,
          returnReason: action.reason,
        }),
      }));
    }

    case 'reopen': {
      checks.text('reason', action.reason);
      const cause = action.cause;
      if (cause !== undefined) {
        if (!REOPEN_CAUSES.includes(cause.kind))
          checks.add('cause.kind', `must be one of ${REOPEN_CAUSES.join(', ')}`);
        checks.id('cause.id', cause.id);
      }
      return next(() => ({
        state: 'verifying',
        reopenings: [
          ...item.reopenings,
          {
            at: action.at,
            by: action.by,
            reason: action.reason,
            cause: cause === undefined ? null : { kind: cause.kind, id: cause.id },
            from: item.state,
          },
        ],
      }));
    }
  }
}

function checkSeqs(checks: FieldChecks, seqs: unknown): void {
  if (!Array.isArray(seqs)) {
    checks.add('observationSeqs', 'must be a list of observation sequence numbers');
    return;
  }
  if (seqs.length > ACTION_LIMITS.observationSeqs)
    checks.add('observationSeqs', `must have at most ${ACTION_LIMITS.observationSeqs} items`);
  const seen = new Set<unknown>();
  seqs.forEach((seq: unknown, index) => {
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1)
      checks.add(`observationSeqs[${index}]`, 'must be a sequence number (a whole number from 1)');
    else if (seen.has(seq)) checks.add(`observationSeqs[${index}]`, 'repeats an earlier item');
    seen.add(seq);
  });
}

/** The finding under review. The state `awaiting-approval` guarantees one; a corrupt item fails loudly. */
function pendingFinding(item: VerificationItem): FindingRecord {
  const last = item.findings.at(-1);
  if (last?.status !== 'pending')
    throw decisionErrors.transition(WHAT, item.state, 'review', 'no finding is pending', { id: item.id });
  return last;
}

const replacePending = (item: VerificationItem, reviewed: FindingRecord): readonly FindingRecord[] => [
  ...item.findings.slice(0, -1),
  reviewed,
];
