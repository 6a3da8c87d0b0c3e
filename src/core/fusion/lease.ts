/**
 * @module Fusion's lease: which pipeline may write fusion's output to a store. The rule every store
 * applies inside its claiming transaction, so all of them grant and refuse alike.
 */
import { TrucelineError, validationError, type FieldIssue } from '../errors.ts';
import type { FusionLease, FusionLeaseAnswer, FusionLeaseClaim } from '../ports/fusion-store.ts';

/**
 * The answer to `claim` at `nowMs` when the lease stands as `current` (undefined: nobody holds it).
 * Granted when nobody holds it, its time ran out, the claimant holds it already (a renewal keeps the
 * first claim's time), or `takeOver` names its holder.
 */
export function answerLeaseClaim(
  current: FusionLease | undefined,
  claim: FusionLeaseClaim,
  nowMs: number,
  ttlMs: number,
  takeOver?: string,
): FusionLeaseAnswer {
  const issues: FieldIssue[] = [];
  if (typeof claim.holder !== 'string' || claim.holder === '')
    issues.push({ path: 'holder', reason: 'must be a non-empty string' });
  if (!Number.isSafeInteger(claim.pid) || claim.pid < 0)
    issues.push({ path: 'pid', reason: 'must be a whole number, 0 or more' });
  for (const key of ['host', 'purpose'] as const)
    if (typeof claim[key] !== 'string') issues.push({ path: key, reason: 'must be a string' });
  if (!Number.isSafeInteger(nowMs)) issues.push({ path: 'nowMs', reason: 'must be a whole number of ms' });
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0)
    issues.push({ path: 'ttlMs', reason: 'must be a whole number of ms, more than 0' });
  if (issues.length > 0) throw validationError('the claim of fusion’s lease is invalid', issues);
  const renewal = current?.holder === claim.holder;
  const free = current === undefined || renewal || current.expiresAtMs < nowMs || current.holder === takeOver;
  if (!free) return { granted: false, lease: current };
  return {
    granted: true,
    lease: {
      holder: claim.holder,
      pid: claim.pid,
      host: claim.host,
      purpose: claim.purpose,
      claimedAtMs: renewal ? current.claimedAtMs : nowMs,
      expiresAtMs: nowMs + ttlMs,
    },
  };
}

/** The error of a commit whose pipeline does not hold the lease (`lease`: who does, if anyone). */
export function leaseLostError(lease: FusionLease | undefined): TrucelineError {
  return new TrucelineError(
    'E_FUSION_LEASE',
    lease === undefined
      ? 'this pipeline no longer holds fusion’s lease: its output was not committed'
      : `${lease.purpose} (process ${lease.pid} on ${lease.host}) holds fusion’s lease: this pipeline’s output was not committed`,
    lease === undefined ? {} : { details: { purpose: lease.purpose, pid: lease.pid, host: lease.host } },
  );
}
