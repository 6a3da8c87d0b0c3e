/**
 * @module Keeps fusion's lease for one pipeline: claims it, renews it before it runs out, and takes it
 * over from a holder found dead. One pipeline writes fusion's output to a store at a time: a server,
 * or `truceline ingest DIR` when no server runs on the store; another stands by. The store refuses
 * a commit from a pipeline that does not hold it, so one that stalled past its time cannot write
 * over its successor's work.
 */
import type { Clock } from '../core/ports/clock.ts';
import type { FusionLease, FusionLeaseClaim, FusionStore } from '../core/ports/fusion-store.ts';
import type { Secrets } from '../core/ports/secrets.ts';

/**
 * How long a claim holds without renewal, ms. A holder that dies without giving it up blocks fusion
 * this long at most, unless a process on its host finds it dead sooner.
 */
export const FUSION_LEASE_TTL_MS = 30_000;

/** A holder renews once less than this is left, ms: after 10 s of a 30 s claim. */
export const FUSION_LEASE_RENEW_BELOW_MS = 20_000;

/** Whether the lease's holder is known dead (its process gone from this host); false when unknown. */
export type HolderDead = (lease: FusionLease) => boolean;

/** Whether this pipeline holds the lease now; if not, who does. */
export type LeaseHold = { readonly held: true } | { readonly held: false; readonly lease: FusionLease };

export class FusionLeaseKeeper {
  readonly #store: Pick<FusionStore, 'claimLease' | 'releaseLease'>;
  readonly #clock: Clock;
  readonly #claim: FusionLeaseClaim;
  readonly #dead: HolderDead;
  /** Until when the store granted it to us; 0 when we do not hold it (as far as we know). */
  #expiresAtMs = 0;

  constructor(
    deps: {
      readonly store: { readonly fusion: Pick<FusionStore, 'claimLease' | 'releaseLease'> };
      readonly clock: Clock;
      readonly secrets: Pick<Secrets, 'randomId'>;
    },
    who: { readonly purpose: string; readonly pid: number; readonly host: string },
    dead: HolderDead = () => false,
  ) {
    this.#store = deps.store.fusion;
    this.#clock = deps.clock;
    this.#claim = { holder: deps.secrets.randomId(), ...who };
    this.#dead = dead;
  }

  /** This pipeline's holder id (what its commits name). */
  get holder(): string {
    return this.#claim.holder;
  }

  /** Whether this pipeline holds the lease, claiming or renewing it when due. */
  async hold(): Promise<LeaseHold> {
    const now = this.#clock.now();
    if (this.#expiresAtMs - now > FUSION_LEASE_RENEW_BELOW_MS) return { held: true };
    let answer = await this.#store.claimLease(this.#claim, now, FUSION_LEASE_TTL_MS);
    if (!answer.granted && this.#dead(answer.lease))
      answer = await this.#store.claimLease(this.#claim, now, FUSION_LEASE_TTL_MS, answer.lease.holder);
    this.#expiresAtMs = answer.granted ? answer.lease.expiresAtMs : 0;
    return answer.granted ? { held: true } : { held: false, lease: answer.lease };
  }

  /** Forgets the claim: the next `hold` asks the store (after a commit was refused for the lease). */
  forget(): void {
    this.#expiresAtMs = 0;
  }

  /** Gives the lease up (if held), so another process need not wait for it to run out. */
  async release(): Promise<void> {
    this.#expiresAtMs = 0;
    await this.#store.releaseLease(this.#claim.holder);
  }
}
