/**
 * @module The Special Commission's cases: opening one from substantiated potential violations (or a
 * complaint) under the terms in force at the first of them, and every later action — notification,
 * reply, extension, comment, proposal, vote, ruling, publication, remedies met. Each is decided by the
 * core on the case's current state and the version the caller saw (If-Match), then recorded in one
 * ledgered transaction. A ruling is followed by a signed checkpoint of the ledger.
 */
import { randomBytes } from 'node:crypto';
import {
  CASE_ACTION_FIELDS,
  type CaseAction,
  type CaseStep,
  type OpenCase,
} from '../../core/commission/case-action.ts';
import { refuseUnknownFields } from '../../core/validation/known-fields.ts';
import type { CaseComplaint, CommissionCase } from '../../core/commission/commission-case.ts';
import { decideCase, openCase } from '../../core/commission/decide-case.ts';
import { validationError } from '../../core/errors.ts';
import type { Actor } from '../../core/verification/actor.ts';
import type { AppDeps } from '../app-deps.ts';
import { getTermsAt } from '../get-agreement.ts';
import { signCheckpoint } from '../ledger/sign-checkpoint.ts';
import { caseViolationOf } from './case-violation.ts';

/** An action as the API receives it: its own fields, without `at` and `by` (the server sets them). */
export type CaseInput = { readonly type: CaseStep['type'] } & Readonly<Record<string, unknown>>;

const headOf = (c: CommissionCase) => ({
  state: c.state,
  subjectKind: null,
  subjectId: null,
  updatedAtMs: c.updatedAt,
});

const membersOf = (c: CommissionCase): string[] => c.settings.members.map((member) => member.id);

/**
 * The organisations, besides the mission and the Commission's chair and members, that follow a case
 * (as `GET /api/v1/cases/{id}` lets them): its accused, its complainant, and the members' delegations.
 */
export const followersOf = (c: CommissionCase): string[] => [
  ...c.accused,
  ...(c.complaint === null ? [] : [c.complaint.complainant]),
  ...membersOf(c),
];

/** The Commission that decides a case: the organisations of its chair and members. */
export const commissionOf = (c: CommissionCase): string[] => [c.settings.chair, ...membersOf(c)];

/** Actions among the Commission's members, which a party sees only if it sits on the Commission. */
const DELIBERATION: ReadonlySet<CaseStep['type'] | 'open'> = new Set(['comment', 'propose-ruling', 'vote']);

/**
 * Who receives a notice of the case besides the mission: its Commission, and — unless the notice is
 * of the members' deliberation — the case's parties. Not a chair or member organisation of another
 * Commission.
 */
export const caseNoticeRecipients = (c: CommissionCase, deliberation = false): string[] => [
  ...new Set([...commissionOf(c), ...(deliberation ? [] : followersOf(c))]),
];

/**
 * Announces a recorded action on the live stream (`event: case`): which case, its new version and
 * state, and what was done — a reader fetches the case for the rest, under the access policy. The
 * mission and the case's Commission receive it; the parties of the case too, unless it is the
 * members' deliberation (a party on the Commission always does).
 */
function announce(deps: Pick<AppDeps, 'notifier'>, c: CommissionCase, action: CaseStep | OpenCase): void {
  deps.notifier.notice({
    event: 'case',
    data: JSON.stringify({
      caseId: c.id,
      version: c.version,
      state: c.state,
      action: action.type,
      at: new Date(action.at).toISOString(),
    }),
    recipients: caseNoticeRecipients(c, DELIBERATION.has(action.type)),
  });
}

/** Opens a case; returns it. */
export async function openCommissionCase(
  deps: Pick<AppDeps, 'store' | 'clock' | 'notifier'>,
  input: {
    readonly violations: readonly string[];
    readonly complaint?: CaseComplaint;
    readonly accused: readonly string[];
    readonly agreementId: string;
    readonly by: Actor;
  },
): Promise<CommissionCase> {
  const at = deps.clock.now();
  const violations = [];
  for (const id of input.violations) violations.push(await caseViolationOf(deps, id));
  const first = Math.min(...violations.map((v) => v.timeMs), input.complaint?.timeMs ?? Infinity);
  if (!Number.isFinite(first))
    throw validationError('the case is invalid', [
      { path: 'violations', reason: 'a case opens from at least one potential violation, or a complaint' },
    ]);
  const terms = await getTermsAt(deps, input.agreementId, first);
  const action: OpenCase = {
    type: 'open',
    caseId: `case-${randomBytes(8).toString('hex')}`,
    ...(violations.length > 0 ? { violations } : {}),
    ...(input.complaint === undefined ? {} : { complaint: input.complaint }),
    accused: input.accused,
    agreementVersion: terms.version,
    timeZone: terms.timeZone,
    settings: terms.commission,
    ladder: terms.escalationLadder,
    at,
    by: input.by,
  };
  const opened = openCase(action);
  await deps.store.cases.append({
    id: opened.id,
    fromVersion: 0,
    actions: [action],
    state: opened,
    head: headOf(opened),
  });
  announce(deps, opened, action);
  return opened;
}

/** Decides and records one action on a case; returns the case after it. */
export async function actOnCase(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ledgerKey' | 'notifier'>,
  input: {
    readonly caseId: string;
    readonly expectedVersion: number;
    readonly action: CaseInput;
    readonly by: Actor;
  },
): Promise<CommissionCase> {
  const found = await deps.store.cases.find(input.caseId);
  if (found === undefined)
    throw validationError('no such case', [{ path: 'id', reason: `there is no case ${input.caseId}` }]);
  refuseUnknownFields(input.action, CASE_ACTION_FIELDS, 'action');
  const at = deps.clock.now();
  const action = { ...input.action, at, by: input.by } as CaseStep;
  return recordCaseAction(deps, found.state, action, input.expectedVersion);
}

/** Decides `action` on `current` and records it; signs a checkpoint after a ruling. */
export async function recordCaseAction(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ledgerKey' | 'notifier'>,
  current: CommissionCase,
  action: CaseStep,
  expectedVersion: number,
): Promise<CommissionCase> {
  const next = decideCase(current, action, expectedVersion);
  const actions: CaseAction[] = [action];
  await deps.store.cases.append({
    id: current.id,
    fromVersion: current.version,
    actions,
    state: next,
    head: headOf(next),
  });
  announce(deps, next, action);
  // Every ruling is sealed at once: the checkpoint a party can hold the Commission to.
  if (action.type === 'rule') await signCheckpoint({ ...deps, ledgerSigning: deps.ledgerKey() });
  return next;
}
