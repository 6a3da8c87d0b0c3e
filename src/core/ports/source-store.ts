/** @module Port: the registry of sources and what their heartbeats said. */
import type { SensorStatus, Source, SourceKey } from '../sources/source.ts';

export interface SourceStore {
  /**
   * Registers a source, or replaces its description (kind, organisation, name, position, orientation,
   * capabilities) if it exists. Re-registering keeps the stored keys exactly as they are (so it cannot
   * undo a revocation) and adds offered keys with new ids; `registeredAtMs` stays the first one's.
   */
  upsert(source: Source): Promise<void>;
  /** The source, or `undefined`. */
  find(id: string): Promise<Source | undefined>;
  /** The source; throws `E_NOT_FOUND`. */
  get(id: string): Promise<Source>;
  /** The sources among `ids` that exist, by id. */
  findMany(ids: readonly string[]): Promise<ReadonlyMap<string, Source>>;
  /** Every source, ordered by id (code-point order: `Z` before `a`). */
  list(): Promise<readonly Source[]>;
  /**
   * The last known state of every sensor that has sent a heartbeat, ordered by source id. Only accepted
   * heartbeats count, and only one at least as recent as the last: a late one changes nothing.
   */
  listStatus(): Promise<readonly SensorStatus[]>;
  /** Adds a key to a source; `E_NOT_FOUND` for an unknown source, `E_CONFLICT` if the key id exists. */
  addKey(sourceId: string, key: SourceKey): Promise<void>;
  /**
   * Revokes a key at `revokedAtMs`, distrusting it from `compromisedAtMs` (or null: only from now).
   * `E_NOT_FOUND` for an unknown source or key. Revoking again keeps the earlier compromise time.
   */
  revokeKey(
    sourceId: string,
    keyId: string,
    revokedAtMs: number,
    compromisedAtMs: number | null,
  ): Promise<void>;
  /** The source holding the key, and the key; `undefined` when no source has it. */
  findKey(keyId: string): Promise<{ readonly source: Source; readonly key: SourceKey } | undefined>;
}
