/** @module Every version of an agreement's terms, built once per agreement and kept. */
import { TrucelineError } from '../errors.ts';
import { buildVersions } from './build-versions.ts';
import { draftAgreement } from './draft-agreement.ts';
import type { Agreement } from './schema.ts';
import type { Terms } from './terms.ts';

const built = new WeakMap<Agreement, readonly Terms[]>();

/**
 * The terms of every version of the agreement, oldest first: `@1` is the base text and each amendment
 * makes the next. Throws `E_AGREEMENT_INVALID` when the amendments cannot be applied (an agreement from
 * `parseAgreement` always can).
 */
export function agreementVersions(agreement: Agreement): readonly Terms[] {
  const cached = built.get(agreement);
  if (cached !== undefined) return cached;
  const { terms, issues } = buildVersions(draftAgreement(agreement), { check: false });
  if (issues.length > 0 || terms.length === 0)
    throw new TrucelineError(
      'E_AGREEMENT_INVALID',
      `agreement ${JSON.stringify(agreement.id)} cannot be resolved into versions`,
      {
        issues:
          issues.length > 0
            ? issues
            : [{ path: '(root)', reason: 'is not a valid agreement: check it with parseAgreement' }],
      },
    );
  built.set(agreement, terms);
  return terms;
}
