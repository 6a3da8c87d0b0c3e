/**
 * @module Putting the access policy in force on the record: the server ledgers the policy it runs with
 * whenever it differs from the last version recorded, so a change of who may read or do what is as
 * visible to the parties as a change of the agreement.
 */
import { policyDocument } from '../../core/access/policy.ts';
import { canonicalJson } from '../../core/observations/canonical-json.ts';
import type { AppDeps } from '../app-deps.ts';

/** The policy this server runs with: as data, as its RFC 8785 text, and that text's SHA-256. */
export interface PolicyInForce {
  readonly document: Readonly<Record<string, unknown>>;
  readonly documentJson: string;
  readonly contentSha256: string;
}

/** The policy in force (fixed for the life of the process: compute it once). */
export function policyInForce(deps: Pick<AppDeps, 'sha256'>): PolicyInForce {
  const document = policyDocument();
  const documentJson = canonicalJson(document);
  return { document, documentJson, contentSha256: deps.sha256(documentJson) };
}

/** Records the policy in force; a no-op when the latest version is this one. */
export async function recordAccessPolicy(
  deps: Pick<AppDeps, 'store' | 'clock' | 'sha256'>,
): Promise<{ readonly version: number; readonly recorded: boolean }> {
  const { documentJson, contentSha256 } = policyInForce(deps);
  return deps.store.access.recordPolicy({ documentJson, contentSha256 }, deps.clock.now());
}
