/**
 * @module Putting the access policy in force on the record: the server ledgers the policy it runs with
 * whenever it differs from the last version recorded, so a change of who may read or do what is as
 * visible to the parties as a change of the agreement.
 */
import { policyDocument } from '../../core/access/policy.ts';
import { canonicalJson } from '../../core/observations/canonical-json.ts';
import type { AppDeps } from '../app-deps.ts';

/** Records the policy in force (its RFC 8785 text and SHA-256); a no-op when the latest version is this one. */
export async function recordAccessPolicy(
  deps: Pick<AppDeps, 'store' | 'clock' | 'sha256'>,
): Promise<{ readonly version: number; readonly recorded: boolean }> {
  const documentJson = canonicalJson(policyDocument());
  return deps.store.access.recordPolicy(
    { documentJson, contentSha256: deps.sha256(documentJson) },
    deps.clock.now(),
  );
}
