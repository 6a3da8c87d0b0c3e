/** @module Port: the durable store of observations and of the quarantine of rejected records. */
import type { Marking } from '../access/markings.ts';
import type { ObservationKind } from '../observations/kinds.ts';
import type { ValidObservation } from '../observations/validate-observation.ts';

/**
 * A record that failed validation (or conflicted), kept so nothing is dropped silently. Stores keep
 * text fields storable on every engine: ids are cut to 256 characters, NUL and unpaired surrogates
 * become U+FFFD; `head` is cut to 64 KiB.
 */
export interface QuarantineInput {
  /** Its index in the request (0-based) or its line in the file (1-based), as `origin` says. */
  readonly position: number;
  readonly sourceId: string | null;
  readonly recordId: string | null;
  /** The first field at fault, e.g. `payload.distanceBand.maxKm`, or `(root)`. */
  readonly field: string;
  readonly reason: string;
  /** SHA-256 of the whole record as received. */
  readonly sha256: string;
  readonly sizeBytes: number;
  /** The first 64 KiB of the record as received. */
  readonly head: Uint8Array;
}

export interface IngestBatch {
  /** The server's receipt time (whole milliseconds). */
  readonly receivedAtMs: number;
  /** Where it came from: `http`, or `file:<name>`. */
  readonly origin: string;
  readonly observations: readonly ValidObservation[];
  readonly rejects: readonly QuarantineInput[];
  /**
   * The marking of each observation, by its source id, where it differs from the default
   * (`DEFAULT_MARKINGS.observation`); sources not in the map get the default.
   */
  readonly markings?: ReadonlyMap<string, Marking>;
  /**
   * The signed request the batch came in, stored in the same commit as its records. A second
   * submission with the same source and batch id is not stored again (the caller checks first).
   */
  readonly submission?: SignedSubmission;
}

/** A source's signed batch, kept byte for byte so its signature can be checked again at any time. */
export interface SignedSubmission {
  readonly sourceId: string;
  /** The signature's nonce: the batch id the source chose. */
  readonly batchId: string;
  readonly keyId: string;
  /** The signature's `created` time. */
  readonly signedAtMs: number;
  readonly receivedAtMs: number;
  /** The request's method and path (with query), as signed. */
  readonly method: string;
  readonly target: string;
  readonly contentType: string;
  /** Header values as received: `Content-Digest`, `Signature-Input`, `Signature`. */
  readonly contentDigest: string;
  readonly signatureInput: string;
  readonly signature: string;
  /** The body, exactly as received. */
  readonly body: Uint8Array;
}

export interface StoredSubmission extends SignedSubmission {
  /** When a revocation flagged it (the key was compromised before it was signed), or null. */
  readonly flaggedAtMs: number | null;
  readonly flagReason: string | null;
}

/** What became of one valid observation of a batch. `seq` is the stored record's commit sequence. */
export type RecordOutcome =
  | { readonly status: 'accepted'; readonly seq: number }
  | { readonly status: 'duplicate'; readonly seq: number }
  | { readonly status: 'conflict'; readonly seq: number };

export interface IngestCommit {
  /** One outcome per observation of the batch, in the same order. */
  readonly outcomes: readonly RecordOutcome[];
  /** The highest commit sequence written, or null if nothing new was stored. */
  readonly lastSeq: number | null;
}

/**
 * When an ingest commit was made: it stored the observations with sequences above the previous such
 * commit's `lastSeq`, up to its own. The time is taken as the commit's transaction begins; null for
 * what a store held before it kept commit times (one entry for all of it).
 */
export interface ObservationCommitTime {
  readonly lastSeq: number;
  readonly committedAtMs: number | null;
}

/** An observation as stored. */
export interface StoredObservation {
  /** Commit sequence: a single counter over every committed fact, increasing in commit order. */
  readonly seq: number;
  readonly sourceId: string;
  readonly recordId: string;
  readonly kind: ObservationKind;
  readonly observedAtMs: number;
  readonly timeUncertaintyMs: number;
  readonly receivedAtMs: number;
  readonly lat: number | null;
  readonly lon: number | null;
  readonly ceM: number | null;
  readonly weaponClass: string | null;
  readonly batchId: string | null;
  readonly contentSha256: string;
  /** The canonical JSON of the record (the hashed content). */
  readonly content: string;
  /** Who may receive it (the access policy reads this). */
  readonly marking: Marking;
}

/** West, south, east, north in degrees; edges are inclusive; west ≤ east (no antimeridian crossing). */
export interface BoundingBox {
  readonly west: number;
  readonly south: number;
  readonly east: number;
  readonly north: number;
}

export interface ObservationQuery {
  /** Points inside or on the edge of the box (observations without a point never match a box). */
  readonly bbox?: BoundingBox;
  /** Observed at or after (ms). */
  readonly fromMs?: number;
  /** Observed strictly before (ms). */
  readonly toMs?: number;
  /** Only these kinds; an empty list matches nothing (leave the field out for every kind). */
  readonly kinds?: readonly ObservationKind[];
  /** Only these sources; an empty list matches nothing (leave the field out for every source). */
  readonly sourceIds?: readonly string[];
  /** Paging: only records with a commit sequence above this. */
  readonly afterSeq?: number;
  /**
   * Only records with a commit sequence at or below this: what a reader may be shown is what is on
   * disk (`durableSeq()`), not a commit a power cut could still take back.
   */
  readonly throughSeq?: number;
  /** At most this many (a whole number, 0 or more), ordered by commit sequence. */
  readonly limit: number;
}

export interface QuarantineEntry extends QuarantineInput {
  readonly id: number;
  readonly receivedAtMs: number;
  readonly origin: string;
  /** False when the quarantine quota was reached: the reason and hash are kept, the bytes are not. */
  readonly headKept: boolean;
}

export interface ObservationStore {
  /**
   * Commits one batch atomically: every new observation, the quarantine entries, and sensor states
   * from heartbeats. A record whose (source, record id) is stored already is a `duplicate` when its
   * content hash matches and a `conflict` otherwise; the stored record is never changed. Within a batch
   * (and across calls sharing a commit) the second copy of a record is judged against the first.
   * Resolves only after the commit is durable. Concurrent calls may share one commit. Rejects with
   * `E_STORE` when the commit fails (nothing of the batch is stored) or the store is closed.
   */
  commitIngest(batch: IngestBatch): Promise<IngestCommit>;
  /** The observation with this commit sequence, or `undefined`. */
  findBySeq(seq: number): Promise<StoredObservation | undefined>;
  /** The observation a source sent under its own record id, or `undefined`. */
  findByRecordId(sourceId: string, recordId: string): Promise<StoredObservation | undefined>;
  /**
   * Observations matching every given filter, ordered by commit sequence. Rejects with `E_VALIDATION`
   * naming the field for a malformed query (a box with west > east or south > north, a negative or
   * fractional limit, a bound that is not a finite number).
   */
  query(query: ObservationQuery): Promise<readonly StoredObservation[]>;
  /** Up to `limit` observations with a commit sequence above `afterSeq`, in order (the live stream reads this). */
  listAfter(afterSeq: number, limit: number): Promise<readonly StoredObservation[]>;
  /**
   * The ingest commits that stored observations, by their last sequence above `afterSeq`, in order, at
   * most `limit`: an observation's commit time is that of the first whose `lastSeq` is at or above its
   * sequence (see {@link ObservationCommitTime}).
   */
  listCommitTimes(afterSeq: number, limit: number): Promise<readonly ObservationCommitTime[]>;
  /** The highest commit sequence, 0 when nothing is stored. */
  latestSeq(): Promise<number>;
  /**
   * The highest commit sequence up to which every commit is on disk (what may be published: the live
   * stream sends nothing past it); `latestSeq()` or less.
   */
  durableSeq(): Promise<number>;
  /** How many observations are stored. */
  count(): Promise<number>;
  /** The latest observation time stored (ms), undefined when nothing is stored. */
  latestObservedAtMs(): Promise<number | undefined>;
  /** Quarantine entries with an id above `afterId`, oldest first. */
  listQuarantine(afterId: number, limit: number): Promise<readonly QuarantineEntry[]>;
  countQuarantine(): Promise<number>;
  /** The submission a source sent under a batch id, or `undefined`. */
  findSubmission(sourceId: string, batchId: string): Promise<StoredSubmission | undefined>;
  /**
   * Flags every submission signed with `keyId` at or after `fromMs` (its signature's `created` time)
   * that is not flagged yet, at `atMs` with `reason`; returns the flagged submissions' source and
   * batch ids, and the commit sequences of the observations they brought.
   */
  flagSubmissions(
    keyId: string,
    fromMs: number,
    atMs: number,
    reason: string,
  ): Promise<{
    readonly batches: readonly { sourceId: string; batchId: string }[];
    readonly seqs: readonly number[];
  }>;
}
