/**
 * @module The record of who read sensitive records. Reads are collected and written in batches (at
 * most a second late, or at 500 entries), so reading stays a read; closing writes what is pending.
 * A crash loses at most the last second's entries — the records themselves are never at risk.
 */
import type { ReadRecord } from '../../core/ports/access-store.ts';
import type { AppDeps } from '../app-deps.ts';

/**
 * At most this many record keys are kept per entry; past it the last item says how many more there
 * were (`+900 more`), and the entry's route, with its query, says how to find them again.
 */
export const MAX_KEYS_PER_READ = 100;

/** The keys of a read as kept: `prefix:id` for the first ones, then the count of the rest. */
export function readKeys<T>(
  prefix: string,
  items: readonly T[],
  idOf: (item: T) => string | number,
): string[] {
  const kept = items.length <= MAX_KEYS_PER_READ ? items.length : MAX_KEYS_PER_READ - 1;
  const keys: string[] = [];
  for (let i = 0; i < kept; i += 1) keys.push(`${prefix}:${String(idOf(items[i] as T))}`);
  if (kept < items.length) keys.push(`+${items.length - kept} more`);
  return keys;
}

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

  /** Notes one read (its keys as {@link readKeys} gives them); nothing is written for no records. */
  record(entry: ReadRecord): void {
    if (entry.records.length === 0) return;
    this.#pending.push(entry);
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
