/**
 * @module Rules of the source registry shared by every store: re-registering a source replaces its
 * description but never its keys — a stored key stays exactly as it is (so re-registration cannot undo a
 * revocation) and keys with new ids are added; a revocation is kept once made, and its compromise time
 * only ever moves earlier.
 */
import { TrucelineError } from '../../core/errors.ts';
import type { SourceKey } from '../../core/sources/source.ts';

/** The stored keys, then every key of `offered` whose id is not among them. */
export function mergedKeys(stored: readonly SourceKey[], offered: readonly SourceKey[]): SourceKey[] {
  const ids = new Set(stored.map((key) => key.keyId));
  return [...stored, ...offered.filter((key) => !ids.has(key.keyId))];
}

/** A key with exactly the fields of `SourceKey`, as it is stored. */
export const storedKey = (key: SourceKey): SourceKey => ({
  keyId: key.keyId,
  algorithm: key.algorithm,
  publicKey: key.publicKey,
  createdAtMs: key.createdAtMs,
  revokedAtMs: key.revokedAtMs,
  compromisedAtMs: key.compromisedAtMs,
});

/** The keys of a `keys` column; keys stored before compromise times existed read as not compromised. */
export function parseKeys(json: string): SourceKey[] {
  return (
    JSON.parse(json) as (Omit<SourceKey, 'compromisedAtMs'> & { compromisedAtMs?: number | null })[]
  ).map((key) => ({ ...key, compromisedAtMs: key.compromisedAtMs ?? null }));
}

/** The key of `keys` with id `keyId`, or undefined. */
export const keyOf = (keys: readonly SourceKey[], keyId: string): SourceKey | undefined =>
  keys.find((key) => key.keyId === keyId);

/** `keys` with `key` added; `E_CONFLICT` when `holder` (the source holding its id, if any) is set. */
export function addedKeys(
  sourceId: string,
  keys: readonly SourceKey[],
  key: SourceKey,
  holder: string | undefined,
): SourceKey[] {
  if (holder !== undefined)
    throw new TrucelineError(
      'E_CONFLICT',
      `key ${JSON.stringify(key.keyId)} already exists (held by source ${JSON.stringify(holder)})`,
      { details: { keyId: key.keyId, sourceId, holder } },
    );
  return [...keys, storedKey(key)];
}

/**
 * `keys` with `keyId` revoked: the first revocation time is kept, and the compromise time is the
 * earliest given (null only while none was). `E_NOT_FOUND` when the source has no such key.
 */
export function revokedKeys(
  sourceId: string,
  keys: readonly SourceKey[],
  keyId: string,
  revokedAtMs: number,
  compromisedAtMs: number | null,
): SourceKey[] {
  if (keyOf(keys, keyId) === undefined)
    throw new TrucelineError(
      'E_NOT_FOUND',
      `source ${JSON.stringify(sourceId)} has no key ${JSON.stringify(keyId)}`,
      { details: { what: 'key', id: keyId, sourceId } },
    );
  return keys.map((key) => {
    if (key.keyId !== keyId) return key;
    const earlier =
      key.compromisedAtMs === null
        ? compromisedAtMs
        : compromisedAtMs === null
          ? key.compromisedAtMs
          : Math.min(key.compromisedAtMs, compromisedAtMs);
    return { ...storedKey(key), revokedAtMs: key.revokedAtMs ?? revokedAtMs, compromisedAtMs: earlier };
  });
}
