/** @module The commit times of observations read in sequence order, from the store a page at a time. */
import type { ObservationCommitTime } from '../core/ports/observation-store.ts';
import type { AppDeps } from './app-deps.ts';

/** Reads `listCommitTimes` a page at a time as sequences are asked for in ascending order. */
export class CommitTimes {
  readonly #deps: Pick<AppDeps, 'store'>;
  readonly #pageSize: number;
  #page: readonly ObservationCommitTime[] = [];
  #at = 0;
  #after = 0;
  #done = false;

  constructor(deps: Pick<AppDeps, 'store'>, pageSize = 5_000) {
    this.#deps = deps;
    this.#pageSize = pageSize;
  }

  /**
   * When the observation with sequence `seq` was committed; undefined when the store kept no time for
   * it. Sequences must be asked for in ascending order.
   */
  async of(seq: number): Promise<number | undefined> {
    for (;;) {
      const commit = this.#page[this.#at];
      if (commit !== undefined) {
        if (commit.lastSeq >= seq) return commit.committedAtMs ?? undefined;
        this.#at += 1;
        continue;
      }
      if (this.#done) return undefined;
      this.#page = await this.#deps.store.observations.listCommitTimes(this.#after, this.#pageSize);
      this.#at = 0;
      const last = this.#page.at(-1);
      if (last === undefined) this.#done = true;
      else this.#after = last.lastSeq;
    }
  }
}
