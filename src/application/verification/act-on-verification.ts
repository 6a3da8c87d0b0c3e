/**
 * @module One step of verification on a subject (a potential violation, a complaint, an impediment):
 * triage, tasking, a task's result, a finding, its approval or return, a reopening. The step is
 * decided by the core on the item's current state and the version the caller saw (If-Match), then
 * recorded — with the item's opening, the first time — in one ledgered transaction. A substantiated
 * potential violation then goes to remedy tracking: it may reopen a ruled case.
 */
import type { Actor } from '../../core/verification/actor.ts';
import { decideVerification, openVerification } from '../../core/verification/decide-verification.ts';
import type { SubjectKind } from '../../core/verification/kinds.ts';
import {
  STEP_FIELDS,
  type VerificationAction,
  type VerificationStep,
} from '../../core/verification/verification-action.ts';
import { refuseUnknownFields } from '../../core/validation/known-fields.ts';
import type { VerificationItem } from '../../core/verification/verification-item.ts';
import type { AppDeps } from '../app-deps.ts';
import { trackRemedies } from '../commission/track-remedies.ts';

/** A step as the API receives it: the step's own fields, without `at` and `by` (the server sets them). */
export type StepInput = { readonly type: VerificationStep['type'] } & Readonly<Record<string, unknown>>;

/** The id of the verification item of a subject: one per subject, so two first steps cannot both open one. */
export const itemIdOf = (kind: SubjectKind, subjectId: string): string => `vi:${kind}:${subjectId}`;

/**
 * The item of a subject as it stands, or — before anyone acted on it — the item it would open as:
 * state `new`, version 1, so the first step's If-Match is `1` like any other.
 */
export async function verificationOf(
  deps: Pick<AppDeps, 'store'>,
  kind: SubjectKind,
  subjectId: string,
  at: number,
  by: Actor,
): Promise<{ item: VerificationItem; recorded: boolean }> {
  const id = itemIdOf(kind, subjectId);
  const found = await deps.store.verification.find(id);
  if (found !== undefined) return { item: found.state, recorded: true };
  return {
    item: openVerification({ type: 'open', itemId: id, subject: { kind, id: subjectId }, at, by }),
    recorded: false,
  };
}

/** Decides and records one step; returns the item after it. */
export async function actOnVerification(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ledgerKey' | 'notifier'>,
  input: {
    readonly kind: SubjectKind;
    readonly subjectId: string;
    readonly expectedVersion: number;
    readonly step: StepInput;
    readonly by: Actor;
  },
): Promise<VerificationItem> {
  refuseUnknownFields(input.step, STEP_FIELDS, 'step');
  const at = deps.clock.now();
  const { item, recorded } = await verificationOf(deps, input.kind, input.subjectId, at, input.by);
  const step = { ...input.step, at, by: input.by } as VerificationStep;
  const next = decideVerification(item, step, input.expectedVersion);
  const actions: VerificationAction[] = recorded
    ? [step]
    : [{ type: 'open', itemId: item.id, subject: item.subject, at, by: input.by }, step];
  await deps.store.verification.append({
    id: item.id,
    fromVersion: recorded ? item.version : 0,
    actions,
    state: next,
    head: { state: next.state, subjectKind: input.kind, subjectId: input.subjectId, updatedAtMs: at },
  });
  if (next.state === 'substantiated' && input.kind === 'potential-violation')
    await trackRemedies(deps, input.subjectId);
  return next;
}
