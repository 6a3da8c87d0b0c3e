/** @module "The terms in force at time T": the one call every rule and every Commission step makes. */
import { TrucelineError } from '../errors.ts';
import { agreementVersions } from './agreement-versions.ts';
import type { Agreement } from './schema.ts';
import type { Terms } from './terms.ts';

/**
 * The terms in force at `atMs` (ms since the epoch): the base terms with every amendment whose
 * `effectiveAt` is at or before `atMs` applied. Undefined before the agreement took effect.
 *
 * @example
 * const terms = termsInForce(agreement, Date.parse('2016-10-01T00:00:00Z'));
 * console.log(terms?.version); // "donbas-2015@3"
 */
export function termsInForce(agreement: Agreement, atMs: number): Terms | undefined {
  if (!Number.isFinite(atMs)) return undefined;
  const versions = agreementVersions(agreement);
  // The last version that started at or before atMs (versions are in order of time).
  let low = 0;
  let high = versions.length - 1;
  let found: Terms | undefined;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const version = versions[middle];
    if (version === undefined) break;
    if (version.effectiveFromMs <= atMs) {
      found = version;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
}

/** Like `termsInForce`, but throws `E_NO_TERMS_IN_FORCE` before the agreement took effect. */
export function getTermsInForce(agreement: Agreement, atMs: number): Terms {
  const terms = termsInForce(agreement, atMs);
  if (terms === undefined)
    throw new TrucelineError(
      'E_NO_TERMS_IN_FORCE',
      `no version of agreement ${JSON.stringify(agreement.id)} was in force at ${Number.isFinite(atMs) ? new Date(atMs).toISOString() : String(atMs)}`,
      { details: { agreementId: agreement.id, atMs } },
    );
  return terms;
}
