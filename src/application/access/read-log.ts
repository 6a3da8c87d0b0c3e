/**
 * @module The record of who read sensitive records. Reads are collected and written in batches (at
 * most a second late, or at 500 entries), so reading stays a read; closing writes what is pending.
 * A crash loses at most the last second's entries — the records themselves are never at risk.
 */
import type { ReadRecord } from '../../core/ports/access-store.ts';
import type { AppDeps } from '../app-deps.ts';

/** At most this many record keys are kept per entry (the count is kept in the key list's last item). */
export const MAX_KEYS_PER_READ = 1_000;

export class ReadLog {
  readonly #deps: Pick<AppDeps, 'store'>;
  readonly #onError: (error: unknown) => void;
  #pending: ReadRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(deps: Pick<AppDeps, 'store'>, onError: (error: unknown) => void) {
    this.#deps = deps;
    this.#onError = onError;
  }

  /** Notes one read; nothing is written for an empty list of records. */
  record(entry: ReadRecord): void {
    if (entry.records.length === 0) return;
    const records =
      entry.records.length > MAX_KEYS_PER_READ
        ? [
            ...entry.records.slice(0, MAX_KEYS_PER_READ - 1),
            `+${entry.records.length - MAX_KEYS_PER_READ + 1} more`,
          ]
        : entry.records;
    this.#pending.push({ ...entry, records });
    if (this.#pending.length >= 500) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), 1_000);
  }

  /** Writes what is pending; resolves when it is stored. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length > 0)
      this.#writing = this.#writing
        .then(() => this.#deps.store.access.recordReads(batch))
        .catch(this.#onError);
    return this.#writing;
  }
}
