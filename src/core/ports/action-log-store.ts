/**
 * @module Port: the recorded actions of verification items and Commission cases. Each item or case is
 * the fold of its actions (src/core/verification, src/core/commission); the store keeps every action
 * as an append-only, ledgered row and the state after the latest one for listing. Appending names the
 * version the caller decided on, so two people acting on one item at once get one success and one
 * `E_STALE_VERSION` — never a silent overwrite.
 */

/** One recorded action. */
export interface RecordedAction<A> {
  /** Order of recording across all items of the store. */
  readonly seq: number;
  /** The item's (or case's) version after this action: 1 for the opening action. */
  readonly version: number;
  readonly action: A;
}

/** The columns a listing filters on, taken from the state after the latest action. */
export interface HeadColumns {
  readonly state: string;
  /** What the item is about (a violation, a complaint, an impediment), or null for a case. */
  readonly subjectKind: string | null;
  readonly subjectId: string | null;
  readonly updatedAtMs: number;
}

export interface ListQuery {
  readonly states?: readonly string[];
  readonly subjectKind?: string;
  /** Items whose latest action has a seq above this (paging). */
  readonly afterSeq?: number;
  readonly limit: number;
}

export interface ActionLogStore<S, A> {
  /**
   * Records `actions` of `id` in order, taking it from `fromVersion` (0 for a new one) to
   * `fromVersion + actions.length`, with `state` — the state after them — for listings; one
   * transaction, which also ledgers every action. `E_STALE_VERSION` when `id` is not at
   * `fromVersion` any more (another request recorded first): nothing is written.
   */
  append(input: {
    readonly id: string;
    readonly fromVersion: number;
    readonly actions: readonly A[];
    readonly state: S;
    readonly head: HeadColumns;
  }): Promise<void>;
  /** The state after the latest action and every action, or `undefined`. */
  find(
    id: string,
  ): Promise<{ readonly state: S; readonly actions: readonly RecordedAction<A>[] } | undefined>;
  /** States of the items about one subject (a violation can be verified again after a reopening: usually one). */
  findBySubject(kind: string, id: string): Promise<readonly S[]>;
  /** States, by the seq of their latest action. */
  list(query: ListQuery): Promise<readonly { readonly seq: number; readonly state: S }[]>;
  /**
   * Notes that the notice `key` of `id` (a deadline that passed, say) was raised at `atMs`: `true` the
   * first time, `false` ever after — across restarts, and across servers sharing the storage — so
   * whoever gets `true` announces it, once.
   */
  claimNotice(id: string, key: string, atMs: number): Promise<boolean>;
}

/** An attachment's record: the file itself lives in the blob store, under its SHA-256. */
export interface AttachmentRecord {
  /** Lower-case hex. */
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly mediaType: string;
  readonly storedAtMs: number;
  /** The user who uploaded it first. */
  readonly storedBy: string;
  readonly tlp: string;
  /** The releasability list, as JSON text. */
  readonly releasableTo: string;
}

export interface AttachmentStore {
  /** Records an attachment (ledgered); a second upload of the same bytes changes nothing: `false`. */
  record(attachment: AttachmentRecord): Promise<boolean>;
  find(sha256: string): Promise<AttachmentRecord | undefined>;
}
