/**
 * @module In-process notification of committed facts. The live stream reads facts from the store;
 * this only wakes it up sooner (it also polls, so writes by another process are seen too).
 */

export type CommitListener = (lastSeq: number) => void;

export class Notifier {
  readonly #listeners = new Set<CommitListener>();

  /** Calls `listener` after each commit; returns the function that stops it. */
  subscribe(listener: CommitListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Announces that facts up to `lastSeq` are committed. */
  committed(lastSeq: number): void {
    for (const listener of this.#listeners) listener(lastSeq);
  }
}
