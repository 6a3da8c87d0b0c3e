/**
 * @module How many records each source key may have stored a minute. A request limit alone lets a
 * key send its 10,000-record batches thousands of times a minute: a stolen or runaway key could fill
 * the store's disk in hours. Records are counted only once the batch's signature has been checked, so
 * nobody without the key can spend its budget and silence the sensor.
 */
import { TrucelineError } from '../core/errors.ts';

const MINUTE_MS = 60_000;
/** Keys kept before expired minutes are swept out (each entry is a few dozen bytes). */
const SWEEP_AT = 10_000;

export class RecordBudget {
  readonly #perMinute: number;
  readonly #now: () => number;
  readonly #minutes = new Map<string, { startMs: number; records: number }>();

  /** `perMinute` records a minute per key, a minute counted from the key's first batch in it. */
  constructor(perMinute: number, now: () => number) {
    if (!Number.isSafeInteger(perMinute) || perMinute < 1)
      throw new TrucelineError(
        'E_UNSUPPORTED',
        `records a minute must be a whole number ≥ 1, not ${perMinute}`,
      );
    this.#perMinute = perMinute;
    this.#now = now;
  }

  /** The budget, records a minute per key. */
  get perMinute(): number {
    return this.#perMinute;
  }

  /**
   * Counts a batch of `records` against `keyId`'s minute, or refuses it with `E_RATE_LIMITED`
   * (nothing counted) when it would take the minute past the budget.
   */
  spend(keyId: string, records: number): void {
    const now = this.#now();
    let minute = this.#minutes.get(keyId);
    if (minute === undefined || now - minute.startMs >= MINUTE_MS) {
      if (minute === undefined && this.#minutes.size >= SWEEP_AT) this.#sweep(now);
      minute = { startMs: now, records: 0 };
      this.#minutes.set(keyId, minute);
    }
    const total = minute.records + records;
    if (total <= this.#perMinute) {
      minute.records = total;
      return;
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((minute.startMs + MINUTE_MS - now) / 1000));
    throw new TrucelineError(
      'E_RATE_LIMITED',
      records > this.#perMinute
        ? `a batch of ${records} records is more than the ${this.#perMinute} a minute source key ${keyId} may send; send smaller batches. Nothing from it was stored`
        : `source key ${keyId} may send ${this.#perMinute} records a minute and has sent ${minute.records}; this batch of ${records} was not stored; retry in ${retryAfterSeconds} s`,
      { details: { limit: this.#perMinute, retryAfterSeconds } },
    );
  }

  #sweep(now: number): void {
    for (const [key, minute] of this.#minutes)
      if (now - minute.startMs >= MINUTE_MS) this.#minutes.delete(key);
  }
}
