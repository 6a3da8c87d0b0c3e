/**
 * @module A monitor's report of an impediment — access denied or delayed (with minutes), conditional
 * access, jamming, a destroyed sensor, fire at monitors. It is a record of its own, kept in the opening
 * step of its verification item (ledgered with it), evaluated as a violation of the terms in force at
 * its time, and verified like any potential violation.
 */
import { randomBytes } from 'node:crypto';
import { validationError } from '../../core/errors.ts';
import type { Actor } from '../../core/verification/actor.ts';
import { openVerification } from '../../core/verification/decide-verification.ts';
import { validateImpediment, type Impediment } from '../../core/verification/impediment.ts';
import {
  impedimentViolation,
  type ImpedimentViolation,
} from '../../core/verification/impediment-violation.ts';
import type { OpenVerification } from '../../core/verification/verification-action.ts';
import type { VerificationItem } from '../../core/verification/verification-item.ts';
import type { AppDeps } from '../app-deps.ts';
import { getTermsAt } from '../get-agreement.ts';
import { itemIdOf } from './act-on-verification.ts';

/** The opening step of an impediment's item: it carries the impediment and its evaluation. */
export interface OpenImpediment extends OpenVerification {
  readonly impediment: Impediment;
  readonly violation: ImpedimentViolation;
}

export async function reportImpediment(
  deps: Pick<AppDeps, 'store' | 'clock'>,
  input: { readonly raw: unknown; readonly by: Actor },
): Promise<{ item: VerificationItem; impediment: Impediment; violation: ImpedimentViolation }> {
  const raw = (typeof input.raw === 'object' && input.raw !== null ? input.raw : {}) as Record<
    string,
    unknown
  >;
  const { agreementId, ...fields } = raw;
  // The id is the server's: one a client chose could collide with another report's item.
  if (Object.hasOwn(fields, 'id'))
    throw validationError('the impediment is invalid', [
      { path: 'id', reason: 'is given by the server, not by the report' },
    ]);
  const checked = validateImpediment({ ...fields, id: `imp-${randomBytes(8).toString('hex')}` });
  if (!checked.ok) throw validationError('the impediment is invalid', checked.issues);
  const impediment = checked.impediment;
  const agreements = await deps.store.agreements.list();
  const agreement =
    typeof agreementId === 'string' ? agreementId : agreements.length === 1 ? agreements[0]?.id : undefined;
  if (agreement === undefined)
    throw validationError('the impediment is invalid', [
      { path: 'agreementId', reason: 'name the agreement (more than one, or none, is registered)' },
    ]);
  const terms = await getTermsAt(deps, agreement, impediment.at);
  const violation = impedimentViolation(impediment, terms);
  const at = deps.clock.now();
  const action: OpenImpediment = {
    type: 'open',
    itemId: itemIdOf('impediment', impediment.id),
    subject: { kind: 'impediment', id: impediment.id },
    impediment,
    violation,
    at,
    by: input.by,
  };
  const item = openVerification(action);
  await deps.store.verification.append({
    id: item.id,
    fromVersion: 0,
    actions: [action],
    state: item,
    head: { state: item.state, subjectKind: 'impediment', subjectId: impediment.id, updatedAtMs: at },
  });
  return { item, impediment, violation };
}
