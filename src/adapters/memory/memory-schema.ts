/** @module The in-memory store's "tables": plain maps and arrays, owned by one process. */
import type { AgreementRecord } from '../../core/ports/agreement-store.ts';
import type { ApiToken, ReadRecord, Session, User } from '../../core/ports/access-store.ts';
import type { Organisation } from '../../core/access/organisations.ts';
import type { QuarantineEntry, StoredObservation } from '../../core/ports/observation-store.ts';
import type { SensorStatus, Source } from '../../core/sources/source.ts';
import type { SubmissionRow } from '../common/submission-rows.ts';
import { emptyLedgerTables, type MemoryLedgerTables } from './memory-ledger.ts';

export interface MemorySchema {
  /** The commit sequence and counters, as SQL stores keep them in store_state. */
  readonly state: {
    lastSeq: number;
    lastQuarantineId: number;
    quarantineHeadBytes: number;
    /** The highest observation sequence fusion has accounted for; never moves back. */
    fusionCursor: number;
  };
  /** In seq order. */
  readonly observations: StoredObservation[];
  /** By recordKey(source, record id). */
  readonly observationsByRecord: Map<string, StoredObservation>;
  /** In id order. */
  readonly quarantine: QuarantineEntry[];
  /**
   * Signed submissions by recordKey(source, batch id), as the SQL stores' rows (the body encoded as they
   * keep it), so the ledger commits to the same records.
   */
  readonly submissions: Map<string, SubmissionRow>;
  readonly sources: Map<string, Source>;
  readonly sensorStatus: Map<string, SensorStatus>;
  /** Every revision, oldest first, by agreement id. */
  readonly agreements: Map<string, AgreementRecord[]>;
  /** Every revision of every fused event, in seq order. */
  readonly eventRevisions: MemoryFusionRow[];
  /** Each event's revisions, oldest first, by event id (the last one is the head). */
  readonly eventsById: Map<string, MemoryFusionRow[]>;
  /** Every revision of every potential violation, in seq order. */
  readonly violationRevisions: MemoryFusionRow[];
  /** Each potential violation's revisions, oldest first, by id (the last one is the head). */
  readonly violationsById: Map<string, MemoryFusionRow[]>;
  readonly organisations: Map<string, Organisation>;
  /** By id. */
  readonly users: Map<string, User>;
  /** By id. */
  readonly tokens: Map<string, ApiToken>;
  /** By id. */
  readonly sessions: Map<string, Session>;
  /** The record of reads, in the order recorded. */
  readonly reads: ReadRecord[];
  /** The Merkle log every write above appends to. */
  readonly ledger: MemoryLedgerTables;
}

/**
 * One stored revision of an event or a potential violation, as the SQL stores keep it: the whole value
 * as JSON text (parsed again on every read, so callers get copies) beside the columns queries filter on.
 */
export interface MemoryFusionRow {
  readonly seq: number;
  readonly committedAtMs: number;
  readonly id: string;
  readonly revision: number;
  /** The event's type (a violation's `eventType`). */
  readonly type: string;
  readonly timeMs: number;
  readonly lat: number | null;
  readonly lon: number | null;
  /** Violations only: the event's id (null for events). */
  readonly eventId: string | null;
  /** Violations only (null for events). */
  readonly party: string | null;
  /** Violations only (null for events). */
  readonly clause: string | null;
  readonly value: string;
  /** The marking's TLP level and releasability list (JSON text), as the SQL stores keep them. */
  readonly tlp: string;
  readonly releasableTo: string;
}

/** Empty tables. */
export const emptyMemorySchema = (): MemorySchema => ({
  state: { lastSeq: 0, lastQuarantineId: 0, quarantineHeadBytes: 0, fusionCursor: 0 },
  observations: [],
  observationsByRecord: new Map(),
  quarantine: [],
  submissions: new Map(),
  sources: new Map(),
  sensorStatus: new Map(),
  agreements: new Map(),
  eventRevisions: [],
  eventsById: new Map(),
  violationRevisions: [],
  violationsById: new Map(),
  organisations: new Map(),
  users: new Map(),
  tokens: new Map(),
  sessions: new Map(),
  reads: [],
  ledger: emptyLedgerTables(),
});
