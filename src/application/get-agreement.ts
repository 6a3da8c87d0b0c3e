/**
 * @module Use cases: read a registered agreement, and the terms in force at a time. Parsed documents
 * are kept by content hash, and each store's latest records by id, so asking again costs a check of
 * the latest revision's number and hash.
 */
import { getTermsInForce } from '../core/agreement/terms-in-force.ts';
import { agreementVersions } from '../core/agreement/agreement-versions.ts';
import { parseAgreement } from '../core/agreement/parse-agreement.ts';
import type { Agreement } from '../core/agreement/schema.ts';
import type { Terms } from '../core/agreement/terms.ts';
import { TrucelineError } from '../core/errors.ts';
import type { AgreementRecord, AgreementStore } from '../core/ports/agreement-store.ts';
import type { AppDeps } from './app-deps.ts';

const parsed = new Map<string, Agreement>();

/** The agreement a stored record holds. */
export function agreementOf(record: AgreementRecord): Agreement {
  const cached = parsed.get(record.contentSha256);
  if (cached !== undefined) return cached;
  const { agreement, issues } = parseAgreement(record.documentJson, 'json');
  if (agreement === undefined)
    throw new TrucelineError(
      'E_AGREEMENT_INVALID',
      `stored agreement ${record.id} revision ${record.revision} no longer parses`,
      {
        issues,
      },
    );
  parsed.set(record.contentSha256, agreement);
  return agreement;
}

/**
 * The latest record read of each agreement, per store. A revision never changes once stored, so a
 * record is current while its revision and content hash are the latest's (the hash also catches a
 * table restored under a running process): fusion asks for its agreement on every run, and
 * reading the whole document (~100 KB with its geometry) each time was ~2 % of a live server's main
 * thread.
 */
const latestRecords = new WeakMap<AgreementStore, Map<string, AgreementRecord>>();

/** The latest revision of an agreement; throws `E_NOT_FOUND`. */
export async function getAgreement(
  deps: Pick<AppDeps, 'store'>,
  id: string,
): Promise<{ record: AgreementRecord; agreement: Agreement }> {
  const store = deps.store.agreements;
  let records = latestRecords.get(store);
  if (records === undefined) {
    records = new Map();
    latestRecords.set(store, records);
  }
  const known = records.get(id);
  const latest = known && (await store.latestRevision(id));
  const record =
    known !== undefined && latest?.revision === known.revision && latest.contentSha256 === known.contentSha256
      ? known
      : await store.get(id);
  // Two reads that finish out of order must not put back the older record.
  if (known === undefined || record.revision >= known.revision) records.set(id, record);
  return { record, agreement: agreementOf(record) };
}

/** The terms of agreement `id` in force at `atMs`; throws `E_NOT_FOUND` or `E_NO_TERMS_IN_FORCE`. */
export async function getTermsAt(deps: Pick<AppDeps, 'store'>, id: string, atMs: number): Promise<Terms> {
  const { agreement } = await getAgreement(deps, id);
  return getTermsInForce(agreement, atMs);
}

/** Every version of the agreement: when each took effect and which amendment made it. */
export function versionsOf(agreement: Agreement) {
  return agreementVersions(agreement).map((t) => ({
    version: t.version,
    amendmentId: t.amendmentId,
    effectiveAt: t.effectiveAt,
    effectiveUntil: t.effectiveUntilMs === null ? null : new Date(t.effectiveUntilMs).toISOString(),
  }));
}
