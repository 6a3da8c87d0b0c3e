/** @module Port: the time. Production passes the system clock; tests pass one they control. */

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
