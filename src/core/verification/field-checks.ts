/**
 * @module Checks of the fields of an action, shared by verification and the Commission. Actions reach
 * the decision functions already shaped by the API's schemas, but the core does not trust that: a step
 * with a blank reason or a malformed evidence hash must never reach the record, whoever calls.
 */
import type { FieldIssue } from '../errors.ts';

/** Limits on action fields; the API's schemas use the same numbers. */
export const ACTION_LIMITS = {
  idLength: 128,
  labelLength: 200,
  textLength: 20_000,
  evidenceItems: 256,
  observationSeqs: 10_000,
  /** The latest instant accepted anywhere: 2100-01-01T00:00:00Z. */
  maxTimeMs: Date.UTC(2100, 0, 1),
  /** One year, as the agreement format's limit on hours. */
  maxHours: 8760,
} as const;

/** A SHA-256 digest as 64 lowercase hex digits: how evidence is named (attachments are content-addressed). */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Ids of items, tasks and parties: printable, no spaces, no control characters. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._:@#/-]*$/;

/**
 * Collects the issues of one action. Each check adds at most one issue for its field and returns the
 * collector, so a decision lists every problem at once.
 */
export class FieldChecks {
  readonly issues: FieldIssue[] = [];

  /** Adds an issue for `path`. */
  add(path: string, reason: string): this {
    this.issues.push({ path, reason });
    return this;
  }

  /** Text that is a string, not blank, and at most `max` characters. */
  text(path: string, value: unknown, max: number = ACTION_LIMITS.textLength): this {
    if (typeof value !== 'string') return this.add(path, 'is required text');
    if (value.trim() === '') return this.add(path, 'must not be empty');
    if (value.length > max) return this.add(path, `must have at most ${max} characters`);
    return this;
  }

  /** Like {@link text}, but the field may be absent. */
  optionalText(path: string, value: unknown, max: number = ACTION_LIMITS.textLength): this {
    return value === undefined ? this : this.text(path, value, max);
  }

  /** An id: 1–128 printable characters starting with a letter or digit. */
  id(path: string, value: unknown): this {
    if (typeof value !== 'string' || value === '') return this.add(path, 'is required');
    if (value.length > ACTION_LIMITS.idLength)
      return this.add(path, `must have at most ${ACTION_LIMITS.idLength} characters`);
    if (!ID.test(value)) return this.add(path, 'must be letters, digits and . _ : @ # / -');
    return this;
  }

  /** An instant in ms since the epoch (UTC): a whole number between 0 and 2100. */
  time(path: string, value: unknown): this {
    if (typeof value !== 'number' || !Number.isSafeInteger(value))
      return this.add(path, 'must be a whole number of milliseconds since the epoch');
    if (value < 0 || value > ACTION_LIMITS.maxTimeMs) return this.add(path, 'must be between 1970 and 2100');
    return this;
  }

  /** A list of SHA-256 digests (lowercase hex), without repeats. */
  sha256List(path: string, value: unknown): this {
    if (!Array.isArray(value)) return this.add(path, 'must be a list of SHA-256 digests');
    if (value.length > ACTION_LIMITS.evidenceItems)
      return this.add(path, `must have at most ${ACTION_LIMITS.evidenceItems} items`);
    const seen = new Set<unknown>();
    value.forEach((item: unknown, index) => {
      if (typeof item !== 'string' || !SHA256_HEX.test(item))
        this.add(`${path}[${index}]`, 'must be a SHA-256 digest: 64 lowercase hex digits');
      else if (seen.has(item)) this.add(`${path}[${index}]`, 'repeats an earlier item');
      seen.add(item);
    });
    return this;
  }

  /** A number of hours greater than 0 and at most a year. */
  hours(path: string, value: unknown): this {
    if (typeof value !== 'number' || !Number.isFinite(value))
      return this.add(path, 'must be a number of hours');
    if (value <= 0) return this.add(path, 'must be greater than 0');
    if (value > ACTION_LIMITS.maxHours) return this.add(path, `must be at most ${ACTION_LIMITS.maxHours}`);
    return this;
  }

  /**
   * The fields every action has: `at`, an instant not before `after` (the item's last step, so a
   * history never runs backwards), and `by`, the actor.
   */
  header(at: unknown, by: unknown, after: number | null): this {
    this.time('at', at);
    if (after !== null && typeof at === 'number' && at < after)
      this.add('at', `must not be before the last step (${new Date(after).toISOString()})`);
    if (typeof by !== 'object' || by === null) return this.add('by', 'is required: {userId, orgId, role}');
    const actor = by as Record<string, unknown>;
    this.id('by.userId', actor.userId).id('by.orgId', actor.orgId);
    if (typeof actor.role !== 'string') this.add('by.role', 'is required');
    return this;
  }

  /** Throws `failure(issues)` when any check failed. */
  throwIfAny(failure: (issues: readonly FieldIssue[]) => Error): void {
    if (this.issues.length > 0) throw failure(this.issues);
  }
}
