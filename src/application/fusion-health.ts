/**
 * @module Whether a server's fusion keeps up: the last run that completed, and since when runs fail.
 * A run that throws is retried from the stored cursor, so one record the pipeline cannot take fails
 * every run after it: no event and no potential violation comes out for the whole mission, while
 * observations are still accepted. `/healthz` says so, for the operators' checks — without the
 * error, which may quote a record (its sensor's position is not for the public); the log has it.
 */
import type { Clock } from '../core/ports/clock.ts';
import type { FusionStepReport } from './fusion-pipeline.ts';

/** What `/healthz` tells of fusion. */
export interface FusionHealthView {
  readonly agreementId: string;
  /**
   * `starting` until a run completes; `failing` while the latest runs threw; `standby` while another
   * process holds fusion's lease (it fuses this store; this server takes over when it stops).
   */
  readonly state: 'starting' | 'running' | 'standby' | 'failing';
  /** Every observation up to this sequence is accounted for in the stored events. */
  readonly cursorSeq: number | null;
  /** When the last run completed (ISO 8601), or null. */
  readonly lastRunAt: string | null;
  /** When the first of the failing runs since the last completed one failed (ISO 8601), or null. */
  readonly failingSince: string | null;
  readonly consecutiveFailures: number;
}

export class FusionHealth {
  readonly #agreementId: string;
  readonly #clock: Clock;
  #cursorSeq: number | null = null;
  #lastRunAtMs: number | null = null;
  #failingSinceMs: number | null = null;
  #failures = 0;
  #standby = false;

  constructor(agreementId: string, clock: Clock) {
    this.#agreementId = agreementId;
    this.#clock = clock;
  }

  succeeded(report: FusionStepReport): void {
    this.#cursorSeq = report.cursor;
    this.#standby = report.heldBy !== undefined;
    this.#lastRunAtMs = this.#clock.now();
    this.#failingSinceMs = null;
    this.#failures = 0;
  }

  failed(): void {
    this.#failingSinceMs ??= this.#clock.now();
    this.#failures += 1;
  }

  get failing(): boolean {
    return this.#failures > 0;
  }

  view(): FusionHealthView {
    const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
    return {
      agreementId: this.#agreementId,
      state:
        this.#failures > 0
          ? 'failing'
          : this.#lastRunAtMs === null
            ? 'starting'
            : this.#standby
              ? 'standby'
              : 'running',
      cursorSeq: this.#cursorSeq,
      lastRunAt: iso(this.#lastRunAtMs),
      failingSince: iso(this.#failingSinceMs),
      consecutiveFailures: this.#failures,
    };
  }
}
