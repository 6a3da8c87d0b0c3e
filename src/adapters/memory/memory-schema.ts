/** @module The in-memory store's "tables": plain maps and arrays, owned by one process. */
import type { AgreementRecord } from '../../core/ports/agreement-store.ts';
import type { QuarantineEntry, StoredObservation } from '../../core/ports/observation-store.ts';
import type { SensorStatus, Source } from '../../core/sources/source.ts';

export interface MemorySchema {
  /** The commit sequence and counters, as SQL stores keep them in store_state. */
  readonly state: { lastSeq: number; lastQuarantineId: number; quarantineHeadBytes: number };
  /** In seq order. */
  readonly observations: StoredObservation[];
  /** By recordKey(source, record id). */
  readonly observationsByRecord: Map<string, StoredObservation>;
  /** In id order. */
  readonly quarantine: QuarantineEntry[];
  readonly sources: Map<string, Source>;
  readonly sensorStatus: Map<string, SensorStatus>;
  /** Every revision, oldest first, by agreement id. */
  readonly agreements: Map<string, AgreementRecord[]>;
}

/** Empty tables. */
export const emptyMemorySchema = (): MemorySchema => ({
  state: { lastSeq: 0, lastQuarantineId: 0, quarantineHeadBytes: 0 },
  observations: [],
  observationsByRecord: new Map(),
  quarantine: [],
  sources: new Map(),
  sensorStatus: new Map(),
  agreements: new Map(),
});
