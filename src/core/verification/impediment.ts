/**
 * @module Impediments to the monitors — access denied, delayed (by how many minutes), granted only on
 * conditions, jamming, a destroyed sensor, fire at the monitors — as records of their own. Past missions
 * (SLMM: blocking monitors is "in itself a serious violation"; CTSAMVM) counted them as violations, not
 * as footnotes to the verification they hindered: here each is validated, stored, verified through its
 * own item, and evaluated as a violation (impediment-violation.ts).
 */
import { z } from 'zod';
import type { FieldIssue } from '../errors.ts';
import { identifier } from '../observations/schema.ts';
import { fieldIssues } from '../validation/field-issues.ts';
import { ACTION_LIMITS } from './field-checks.ts';
import { IMPEDIMENT_KINDS, type ImpedimentKind } from './kinds.ts';

/** A point, WGS 84 degrees. */
export interface LatLon {
  readonly lat: number;
  readonly lon: number;
}

/** One impediment to the monitors, as recorded. */
export interface Impediment {
  readonly id: string;
  readonly kind: ImpedimentKind;
  /** When it happened, ms UTC. */
  readonly at: number;
  /** Where, if known. */
  readonly location: LatLon | null;
  /** The party responsible, if known (the one whose checkpoint, fire or jammer it was). */
  readonly party: string | null;
  /** Where the record comes from: a patrol report's observation, a task, a sensor's heartbeat, … */
  readonly sourceRef: string;
  readonly description: string;
  /** For `delayed`: how long the monitors were held, in minutes; null for every other kind. */
  readonly delayMinutes: number | null;
}

const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((value) => value.trim() !== '', { error: 'must not be empty' });

const latLon = z.strictObject({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
});

const impedimentSchema = z
  .strictObject({
    id: identifier,
    kind: z.enum(IMPEDIMENT_KINDS),
    at: z.number().int().min(0).max(ACTION_LIMITS.maxTimeMs),
    location: latLon.nullable().default(null),
    party: identifier.nullable().default(null),
    sourceRef: text(ACTION_LIMITS.idLength * 4),
    description: text(ACTION_LIMITS.textLength),
    /** Up to a week. */
    delayMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .nullable()
      .default(null),
  })
  .superRefine((value, ctx) => {
    if (value.kind === 'delayed' && value.delayMinutes === null)
      ctx.addIssue({ code: 'custom', path: ['delayMinutes'], message: 'is required for a delay' });
    if (value.kind !== 'delayed' && value.delayMinutes !== null)
      ctx.addIssue({ code: 'custom', path: ['delayMinutes'], message: 'is given only for a delay' });
  });

/** The result of validating an impediment: the record, or every issue with its field path. */
export type ImpedimentValidation =
  | { readonly ok: true; readonly impediment: Impediment }
  | { readonly ok: false; readonly issues: readonly FieldIssue[] };

/**
 * Validates a raw impediment record (unknown fields are errors; `location`, `party` and `delayMinutes`
 * default to null). A delay must say how long; no other kind may.
 */
export function validateImpediment(raw: unknown): ImpedimentValidation {
  const parsed = impedimentSchema.safeParse(raw);
  return parsed.success
    ? { ok: true, impediment: parsed.data }
    : { ok: false, issues: fieldIssues(parsed.error) };
}
