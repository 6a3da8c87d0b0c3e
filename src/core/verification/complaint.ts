/**
 * @module A party's complaint — who complains of whom, what, where, when, on what evidence — and its
 * validator. A complaint is an allegation, not a finding: it is linked to the events it may describe
 * (link-complaint.ts) and goes through the same verification as a potential violation.
 */
import { z } from 'zod';
import { EVENT_KINDS, type EventKind } from '../agreement/kinds.ts';
import type { FieldIssue } from '../errors.ts';
import { identifier } from '../observations/schema.ts';
import { fieldIssues } from '../validation/field-issues.ts';
import { ACTION_LIMITS, SHA256_HEX } from './field-checks.ts';
import type { LatLon } from './impediment.ts';

/** One complaint, as validated. */
export interface Complaint {
  readonly id: string;
  /** The party complaining. */
  readonly complainant: string;
  /** The party complained of. */
  readonly accused: string;
  /** What is alleged: the kind of event, the clause of the terms, or both (at least one). */
  readonly what: { readonly eventKind: EventKind | null; readonly clause: string | null };
  /** Where, if the complaint says. */
  readonly where: LatLon | null;
  /** When, ms UTC. */
  readonly when: number;
  /** SHA-256 digests of the attachments lodged with it. */
  readonly evidence: readonly string[];
  readonly description: string;
}

/** What the validator checks references against, when the caller knows (the terms in force). */
export interface ComplaintContext {
  /** The parties of the agreement: complainant and accused must be among them. */
  readonly parties?: readonly string[];
  /** The prohibited-conduct ids of the terms: the clause must be among them. */
  readonly clauses?: readonly string[];
}

const complaintSchema = z
  .strictObject({
    id: identifier,
    complainant: identifier,
    accused: identifier,
    what: z
      .strictObject({
        eventKind: z.enum(EVENT_KINDS).nullable().default(null),
        clause: identifier.nullable().default(null),
      })
      .refine((what) => what.eventKind !== null || what.clause !== null, {
        error: 'must name an eventKind, a clause, or both',
      }),
    where: z
      .strictObject({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) })
      .nullable()
      .default(null),
    when: z.number().int().min(0).max(ACTION_LIMITS.maxTimeMs),
    evidence: z
      .array(z.string().regex(SHA256_HEX, { error: 'must be a SHA-256 digest: 64 lowercase hex digits' }))
      .max(ACTION_LIMITS.evidenceItems)
      .default([]),
    description: z
      .string()
      .max(ACTION_LIMITS.textLength)
      .refine((value) => value.trim() !== '', { error: 'must not be empty' }),
  })
  .superRefine((value, ctx) => {
    if (value.accused === value.complainant)
      ctx.addIssue({ code: 'custom', path: ['accused'], message: 'must not be the complainant' });
    const seen = new Set<string>();
    value.evidence.forEach((digest, index) => {
      if (seen.has(digest))
        ctx.addIssue({ code: 'custom', path: ['evidence', index], message: 'repeats an earlier item' });
      seen.add(digest);
    });
  });

/** The result of validating a complaint: the complaint, or every issue with its field path. */
export type ComplaintValidation =
  | { readonly ok: true; readonly complaint: Complaint }
  | { readonly ok: false; readonly issues: readonly FieldIssue[] };

/**
 * Validates a raw complaint (unknown fields are errors) and, given a context, that its parties and
 * clause exist in the terms — so a complaint that cannot be verified is refused at the door with the
 * field to fix, not found out in the queue.
 */
export function validateComplaint(raw: unknown, context: ComplaintContext = {}): ComplaintValidation {
  const parsed = complaintSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, issues: fieldIssues(parsed.error) };
  const complaint = parsed.data;
  const issues: FieldIssue[] = [];
  const { parties, clauses } = context;
  if (parties !== undefined) {
    if (!parties.includes(complaint.complainant))
      issues.push({ path: 'complainant', reason: 'is not a party to the agreement' });
    if (!parties.includes(complaint.accused))
      issues.push({ path: 'accused', reason: 'is not a party to the agreement' });
  }
  if (clauses !== undefined && complaint.what.clause !== null && !clauses.includes(complaint.what.clause))
    issues.push({ path: 'what.clause', reason: 'is not a prohibited conduct of the terms in force' });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, complaint };
}
