/** @module Port: the registry of sources and what their heartbeats said. */
import type { SensorStatus, Source } from '../sources/source.ts';

export interface SourceStore {
  /** Registers a source, or replaces its description (kind, organisation, position…) if it exists; keys are kept. */
  upsert(source: Source): Promise<void>;
  /** The source, or `undefined`. */
  find(id: string): Promise<Source | undefined>;
  /** The source; throws `E_NOT_FOUND`. */
  get(id: string): Promise<Source>;
  /** The sources among `ids` that exist, by id. */
  findMany(ids: readonly string[]): Promise<ReadonlyMap<string, Source>>;
  /** Every source, ordered by id. */
  list(): Promise<readonly Source[]>;
  /** The last known state of every sensor that has sent a heartbeat, ordered by source id. */
  listStatus(): Promise<readonly SensorStatus[]>;
}
