/** @module Port: registered agreements. Each registration of a changed document is a new revision; none is lost. */

export interface AgreementRecord {
  readonly id: string;
  /** 1 for the first registration, +1 for each changed document. */
  readonly revision: number;
  /** The agreement document as JSON text (parsed by src/core/agreement). */
  readonly documentJson: string;
  /** SHA-256 of the canonical JSON of the document. */
  readonly contentSha256: string;
  readonly registeredAtMs: number;
}

export interface AgreementStore {
  /**
   * Stores a document under its id. The same content again is `unchanged`; different content becomes
   * the next revision (`revised`); a new id is `created`.
   */
  register(
    input: Omit<AgreementRecord, 'revision'>,
  ): Promise<{ outcome: 'created' | 'revised' | 'unchanged'; record: AgreementRecord }>;
  /** The latest revision, or `undefined`. */
  find(id: string): Promise<AgreementRecord | undefined>;
  /** The latest revision; throws `E_NOT_FOUND`. */
  get(id: string): Promise<AgreementRecord>;
  /**
   * The latest revision's number and content hash, or `undefined`: a cheap check of whether a record
   * read before is still the latest (the hash also tells a table restored under a running process).
   */
  latestRevision(id: string): Promise<Pick<AgreementRecord, 'revision' | 'contentSha256'> | undefined>;
  /** Every revision of one agreement, oldest first. */
  revisions(id: string): Promise<readonly AgreementRecord[]>;
  /** The latest revision of every agreement, ordered by id (code-point order: `Z` before `a`). */
  list(): Promise<readonly AgreementRecord[]>;
}
