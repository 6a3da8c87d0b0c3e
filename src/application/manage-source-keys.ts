/**
 * @module Use cases: a source's signing keys — register one, rotate (a new key; the old ones revoked
 * from now, their past submissions still verifiable), and revoke one as compromised, which flags every
 * accepted submission it signed from the compromise time on.
 */
import type { SourceKey } from '../core/sources/source.ts';
import type { AppDeps } from './app-deps.ts';

type Deps = Pick<AppDeps, 'store' | 'clock'>;

/** Registers a public key (SPKI DER, base64) under `keyId` with the source; `E_NOT_FOUND`, `E_CONFLICT`. */
export async function addSourceKey(
  deps: Deps,
  input: { readonly sourceId: string; readonly keyId: string; readonly publicKeySpkiB64: string },
): Promise<SourceKey> {
  await deps.store.sources.get(input.sourceId);
  const key: SourceKey = {
    keyId: input.keyId,
    algorithm: 'ed25519',
    publicKey: input.publicKeySpkiB64,
    createdAtMs: deps.clock.now(),
    revokedAtMs: null,
    compromisedAtMs: null,
  };
  await deps.store.sources.addKey(input.sourceId, key);
  return key;
}

/** Registers the new key, then revokes the source's other live keys from now (not as compromised). */
export async function rotateSourceKey(
  deps: Deps,
  input: { readonly sourceId: string; readonly keyId: string; readonly publicKeySpkiB64: string },
): Promise<{ key: SourceKey; revoked: readonly string[] }> {
  const key = await addSourceKey(deps, input);
  const source = await deps.store.sources.get(input.sourceId);
  const revoked: string[] = [];
  for (const old of source.keys)
    if (old.keyId !== key.keyId && old.revokedAtMs === null) {
      await deps.store.sources.revokeKey(input.sourceId, old.keyId, deps.clock.now(), null);
      revoked.push(old.keyId);
    }
  return { key, revoked };
}

/**
 * Revokes a key; with a compromise time, flags every accepted submission it signed at or after then.
 * Returns the flagged batches and the commit sequences of the observations they brought.
 */
export async function revokeSourceKey(
  deps: Deps,
  input: { readonly sourceId: string; readonly keyId: string; readonly compromisedAtMs: number | null },
): Promise<{ batches: readonly { sourceId: string; batchId: string }[]; seqs: readonly number[] }> {
  const now = deps.clock.now();
  await deps.store.sources.revokeKey(input.sourceId, input.keyId, now, input.compromisedAtMs);
  if (input.compromisedAtMs === null) return { batches: [], seqs: [] };
  return deps.store.observations.flagSubmissions(
    input.keyId,
    input.compromisedAtMs,
    now,
    `key ${input.keyId} of ${input.sourceId} revoked as compromised from ${new Date(input.compromisedAtMs).toISOString()}`,
  );
}
