/** @module Port: content-addressed files (evidence attachments), written once, never changed. */

/** An upload written aside, hashed and measured, not yet kept. */
export interface PendingBlob {
  readonly sha256: string;
  readonly sizeBytes: number;
  /** Moves the bytes to their content address (a no-op if they are there already). */
  keep(): Promise<void>;
  /** Deletes the bytes written aside. */
  discard(): Promise<void>;
}

export interface BlobStore {
  /**
   * Streams `body` to a temporary file — never whole in memory — hashing it on the way. Past
   * `maxBytes` it stops, deletes what it wrote and throws `E_PAYLOAD_TOO_LARGE`.
   */
  write(body: AsyncIterable<Uint8Array>, maxBytes: number): Promise<PendingBlob>;
  /** The bytes of `sha256` as a stream, or `undefined` if there are none. */
  read(sha256: string): AsyncIterable<Uint8Array> | undefined;
}
