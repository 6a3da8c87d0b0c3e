/** @module The in-memory store's "tables": plain maps and arrays, owned by one process. */
import type { SetAsideArrival } from '../../core/fusion/engine.ts';
import type { AgreementRecord } from '../../core/ports/agreement-store.ts';
import type { AttachmentRecord } from '../../core/ports/action-log-store.ts';
import type { ApiToken, ReadRecord, RecordedPolicy, Session, User } from '../../core/ports/access-store.ts';
import type { Organisation } from '../../core/access/organisations.ts';
import type {
  ObservationCommitTime,
  QuarantineEntry,
  StoredObservation,
} from '../../core/ports/observation-store.ts';
import type { SensorStatus, Source } from '../../core/sources/source.ts';
import type { SubmissionRow } from '../common/submission-rows.ts';
import type { FusionLease } from '../../core/ports/fusion-store.ts';
import { emptyLedgerTables, type MemoryLedgerTables } from './memory-ledger.ts';

export interface MemorySchema {
  /** The commit sequence and counters, as SQL stores keep them in store_state. */
  readonly state: {
    lastSeq: number;
    lastQuarantineId: number;
    quarantineHeadBytes: number;
    /** The highest observation sequence fusion has accounted for; never moves back. */
    fusionCursor: number;
    /** Fusion's lease while held. */
    fusionLease?: FusionLease;
  };
  /** In seq order. */
  readonly observations: StoredObservation[];
  /** When each ingest commit that stored observations was made, in sequence order. */
  readonly observationCommits: ObservationCommitTime[];
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
  /** The arrivals fusion set aside unused, by their observations' sequences. */
  readonly setAside: Map<number, SetAsideArrival>;
  readonly organisations: Map<string, Organisation>;
  /** The versions of the access policy, oldest first (version n at index n − 1). */
  readonly accessPolicies: RecordedPolicy[];
  /** By id. */
  readonly users: Map<string, User>;
  /** By id. */
  readonly tokens: Map<string, ApiToken>;
  /** By id. */
  readonly sessions: Map<string, Session>;
  /** The record of reads, in the order recorded. */
  readonly reads: ReadRecord[];
  /** Verification items' steps, in seq order, and each item's head (in the order of their seqs). */
  readonly verification: MemoryActionLogTables;
  /** Commission cases' actions, in seq order, and each case's head (in the order of their seqs). */
  readonly cases: MemoryActionLogTables;
  /** Evidence attachments' records, by SHA-256. */
  readonly attachments: Map<string, AttachmentRecord>;
  /** The Merkle log every write above appends to. */
  readonly ledger: MemoryLedgerTables;
}

/** One recorded action, as the SQL stores' action rows hold it (the action as JSON text). */
export interface MemoryActionRow {
  /** The order of recording in its log. */
  readonly seq: number;
  /** The item's (case's) id: `item_id` or `case_id` in SQL. */
  readonly ownerId: string;
  readonly version: number;
  readonly type: string;
  readonly at: number;
  readonly byUser: string;
  /** `JSON.stringify(action)`. */
  readonly action: string;
}

/** The state after an item's (case's) latest action, as the SQL stores' heads rows hold it. */
export interface MemoryActionHead {
  readonly seq: number;
  readonly version: number;
  readonly state: string;
  readonly subjectKind: string | null;
  readonly subjectId: string | null;
  readonly updatedAtMs: number;
  /** The state, as JSON text (parsed again on every read, so callers get copies). */
  readonly value: string;
}

/** The two tables of one action log. */
export interface MemoryActionLogTables {
  /** Every action, in seq order. */
  readonly actions: MemoryActionRow[];
  /** Each item's (case's) actions, in version order, by its id. */
  readonly byOwner: Map<string, MemoryActionRow[]>;
  /**
   * The head of each item, by id. An append deletes and sets its item's head, so the map's order is
   * the order of the heads' seqs (what a listing pages by).
   */
  readonly heads: Map<string, MemoryActionHead>;
  /** The notices raised about items (`claimNotice`): by item id, each key with the time it was raised. */
  readonly notices: Map<string, Map<string, number>>;
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
  /** Whether it stands. */
  readonly status: 'active' | 'withdrawn';
  readonly value: string;
  /** The marking's TLP level and releasability list (JSON text), as the SQL stores keep them. */
  readonly tlp: string;
  readonly releasableTo: string;
}

/** Empty tables. */
export const emptyMemorySchema = (): MemorySchema => ({
  state: { lastSeq: 0, lastQuarantineId: 0, quarantineHeadBytes: 0, fusionCursor: 0 },
  observations: [],
  observationCommits: [],
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
  setAside: new Map(),
  organisations: new Map(),
  accessPolicies: [],
  users: new Map(),
  tokens: new Map(),
  sessions: new Map(),
  reads: [],
  verification: { actions: [], byOwner: new Map(), heads: new Map(), notices: new Map() },
  cases: { actions: [], byOwner: new Map(), heads: new Map(), notices: new Map() },
  attachments: new Map(),
  ledger: emptyLedgerTables(),
});
