/**
 * @module Port: where fusion's output is kept — every revision of every event and potential
 * violation, in the same commit sequence as the observations, and the cursor that says which
 * observations fusion has processed. A commit of fusion output and its cursor is one transaction, so a
 * restarted pipeline resumes exactly where the store says, never from an in-memory queue.
 */
import type { Marking } from '../access/markings.ts';
import type { EventKind } from '../agreement/kinds.ts';
import type { SetAsideArrival } from '../fusion/engine.ts';
import type { FusedEvent } from '../fusion/event.ts';
import type { PotentialViolation } from '../rules/potential-violation.ts';
import type { BoundingBox } from './observation-store.ts';

export interface FusionCommit {
  /** New revisions of events (each with its revision number already set). */
  readonly events: readonly FusedEvent[];
  /** New revisions of potential violations. */
  readonly violations: readonly PotentialViolation[];
  /**
   * Arrivals fusion set aside unused. Kept once each (by sequence): a restarted pipeline that sets one
   * aside again changes nothing. They take no commit sequence.
   */
  readonly setAside?: readonly SetAsideArrival[];
  /** The highest observation commit sequence this output accounts for. */
  readonly cursorSeq: number;
  /** When this commit is made (the application's clock), ms. */
  readonly committedAtMs: number;
  /**
   * The pipeline's lease (`FusionLeaseClaim.holder`). When given, the commit is refused with
   * `E_FUSION_LEASE`, nothing written, unless that holder holds the lease: a pipeline whose time ran
   * out and whose lease another took cannot write over the new holder's work.
   */
  readonly leaseHolder?: string;
}

/**
 * Who claims the right to run fusion on a store. One pipeline at a time: two on one store each hold
 * arrivals the other has not grouped, refuse each other's revisions, and one's final drain moves the
 * shared cursor past groups the other still waits to complete — after a restart those were lost.
 */
export interface FusionLeaseClaim {
  /** Random, one per pipeline. */
  readonly holder: string;
  /** The holder's process id and host name: a process on the same host can tell a holder that died. */
  readonly pid: number;
  readonly host: string;
  /** What runs it (`serve`, `ingest`): for the message of whoever is refused. */
  readonly purpose: string;
}

export interface FusionLease extends FusionLeaseClaim {
  /** When this holder first claimed it, ms. */
  readonly claimedAtMs: number;
  /** When it lapses unless renewed, ms. */
  readonly expiresAtMs: number;
}

/** The answer to a claim: granted with the lease as it now stands, or refused with the holder's. */
export interface FusionLeaseAnswer {
  readonly granted: boolean;
  readonly lease: FusionLease;
}

export interface StoredEvent {
  /** This revision's commit sequence (the same counter as observations'). */
  readonly seq: number;
  readonly committedAtMs: number;
  readonly event: FusedEvent;
  /** Who may receive it (default `DEFAULT_MARKINGS.event`). */
  readonly marking: Marking;
}

export interface StoredViolation {
  readonly seq: number;
  readonly committedAtMs: number;
  readonly violation: PotentialViolation;
  /** Who may receive it (default `DEFAULT_MARKINGS.violation`). */
  readonly marking: Marking;
}

/** A change for the live stream, in commit order. */
export type FusionChange =
  | { readonly type: 'event'; readonly seq: number; readonly stored: StoredEvent }
  | { readonly type: 'violation'; readonly seq: number; readonly stored: StoredViolation };

/** What fusion set aside of one sensor's arrivals, and why (one entry per source and reason). */
export interface SetAsideSummary {
  readonly sourceId: string;
  readonly reason: SetAsideArrival['reason'];
  readonly arrivals: number;
  /** The earliest and latest observed times among them, ms. */
  readonly firstMs: number;
  readonly lastMs: number;
}

/** Whether an event or potential violation stands. */
export type FusionStatus = 'active' | 'withdrawn';

export interface EventQuery {
  /** The event's location (or origin) inside or on the edge of the box. */
  readonly bbox?: BoundingBox;
  /** The event's time at or after (ms). */
  readonly fromMs?: number;
  /** The event's time strictly before (ms). */
  readonly toMs?: number;
  readonly types?: readonly EventKind[];
  /**
   * The latest revision's status: `active` (it stands) or `withdrawn` (a later observation showed
   * it wrong, or a live server's provisional grouping stopped standing). Both when absent.
   */
  readonly statuses?: readonly FusionStatus[];
  /** Only heads committed after this sequence (paging). */
  readonly afterSeq?: number;
  /**
   * Only heads committed at or before this sequence (what is on disk: `durableSeq()`); an event whose
   * latest revision lies beyond it is left out until that revision is.
   */
  readonly throughSeq?: number;
  readonly limit: number;
}

export interface ViolationQuery extends EventQuery {
  /** Attributed to one of these parties. */
  readonly parties?: readonly string[];
  /** Prohibited-conduct ids. */
  readonly clauses?: readonly string[];
}

export interface FusionStore {
  /** Appends the revisions and moves the cursor, in one transaction. Returns the last sequence written (or null). */
  commit(input: FusionCommit): Promise<number | null>;
  /** The highest observation sequence fusion has accounted for (0 at first). */
  cursor(): Promise<number>;
  /**
   * Claims fusion's lease for `claim.holder` until `nowMs + ttlMs`, or renews it. Granted when nobody
   * holds it, its holder's time ran out before `nowMs`, `claim.holder` holds it, or `takeOver` does (a
   * holder the caller found dead); refused otherwise, with the lease as it stands. Atomic across
   * processes.
   */
  claimLease(
    claim: FusionLeaseClaim,
    nowMs: number,
    ttlMs: number,
    takeOver?: string,
  ): Promise<FusionLeaseAnswer>;
  /** Gives fusion's lease up, if `holder` holds it. */
  releaseLease(holder: string): Promise<void>;
  /** What fusion set aside, per source and reason; only `sourceIds` when given. */
  setAside(sourceIds?: readonly string[]): Promise<readonly SetAsideSummary[]>;
  /** The latest revision of each matching event, in commit order of that revision. */
  listEvents(query: EventQuery): Promise<readonly StoredEvent[]>;
  /** Every revision of one event, oldest first (empty when unknown); only up to `throughSeq` when given. */
  eventRevisions(id: string, throughSeq?: number): Promise<readonly StoredEvent[]>;
  /** The latest revision of each matching potential violation, in commit order of that revision. */
  listViolations(query: ViolationQuery): Promise<readonly StoredViolation[]>;
  /** Every revision of one potential violation, oldest first; only up to `throughSeq` when given. */
  violationRevisions(id: string, throughSeq?: number): Promise<readonly StoredViolation[]>;
  /** Event and violation revisions committed after `afterSeq`, in sequence order (for the stream). */
  changesAfter(afterSeq: number, limit: number): Promise<readonly FusionChange[]>;
}
