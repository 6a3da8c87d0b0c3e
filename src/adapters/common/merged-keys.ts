/**
 * @module Rules of the source registry shared by every store: re-registering a source replaces its
 * description but never its keys — a stored key stays exactly as it is (so re-registration cannot undo a
 * revocation) and keys with new ids are added.
 */
import type { SourceKey } from '../../core/sources/source.ts';

/** The stored keys, then every key of `offered` whose id is not among them. */
export function mergedKeys(stored: readonly SourceKey[], offered: readonly SourceKey[]): SourceKey[] {
  const ids = new Set(stored.map((key) => key.keyId));
  return [...stored, ...offered.filter((key) => !ids.has(key.keyId))];
}
