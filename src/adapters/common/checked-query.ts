/**
 * @module The checks every store makes on a query before running it, so that every engine refuses the
 * same queries with the same error.
 */
import { validationError, type FieldIssue } from '../../core/errors.ts';
import type { ObservationQuery } from '../../core/ports/observation-store.ts';

/** Stored times and sequences are whole numbers within ±2^53. */
const BOUND = Number.MAX_SAFE_INTEGER;
const clamp = (value: number): number => Math.min(BOUND, Math.max(-BOUND, value));

/**
 * Returns the query when it is well formed, with bounds made whole numbers that select the same rows
 * (`observed_at >= 1.5` is `>= 2`, `< 1.5` is `< 2`, `seq > 1.5` is `> 1`, `seq <= 1.5` is `<= 1`) so every engine can compare
 * them with its integer columns; throws `E_VALIDATION` naming each bad field otherwise.
 */
export function checkedQuery(query: ObservationQuery): ObservationQuery {
  const issues: FieldIssue[] = [];
  const finite = (path: string, value: number | undefined): void => {
    if (value !== undefined && !Number.isFinite(value))
      issues.push({ path, reason: 'must be a finite number' });
  };
  if (!Number.isSafeInteger(query.limit) || query.limit < 0)
    issues.push({ path: 'limit', reason: 'must be a whole number, 0 or more' });
  finite('fromMs', query.fromMs);
  finite('toMs', query.toMs);
  finite('afterSeq', query.afterSeq);
  finite('throughSeq', query.throughSeq);
  const box = query.bbox;
  if (box !== undefined) {
    for (const key of ['west', 'south', 'east', 'north'] as const) finite(`bbox.${key}`, box[key]);
    if (box.south < -90 || box.north > 90)
      issues.push({ path: 'bbox', reason: 'latitudes must be within -90…90' });
    if (box.west < -180 || box.east > 180)
      issues.push({ path: 'bbox', reason: 'longitudes must be within -180…180' });
    if (box.south > box.north) issues.push({ path: 'bbox.north', reason: 'must not be south of bbox.south' });
    if (box.west > box.east)
      issues.push({
        path: 'bbox.east',
        reason: 'must not be west of bbox.west (boxes do not cross the antimeridian)',
      });
  }
  if (issues.length > 0) throw validationError('the observation query is invalid', issues);
  return {
    ...query,
    ...(query.fromMs === undefined ? {} : { fromMs: clamp(Math.ceil(query.fromMs)) }),
    ...(query.toMs === undefined ? {} : { toMs: clamp(Math.ceil(query.toMs)) }),
    ...(query.afterSeq === undefined ? {} : { afterSeq: clamp(Math.floor(query.afterSeq)) }),
    ...(query.throughSeq === undefined ? {} : { throughSeq: clamp(Math.floor(query.throughSeq)) }),
  };
}

/** A revisions read's `throughSeq`, checked and made whole the same way (`seq <= 1.5` is `<= 1`). */
export function checkedThrough(throughSeq: number | undefined): number | undefined {
  if (throughSeq === undefined) return undefined;
  if (!Number.isFinite(throughSeq))
    throw validationError('the revisions request is invalid', [
      { path: 'throughSeq', reason: 'must be a finite number' },
    ]);
  return clamp(Math.floor(throughSeq));
}

/** The arguments of `listAfter` / `listQuarantine`, checked and made whole the same way. */
export function checkedPage(after: number, limit: number): { after: number; limit: number } {
  const issues: FieldIssue[] = [];
  if (!Number.isFinite(after)) issues.push({ path: 'after', reason: 'must be a finite number' });
  if (!Number.isSafeInteger(limit) || limit < 0)
    issues.push({ path: 'limit', reason: 'must be a whole number, 0 or more' });
  if (issues.length > 0) throw validationError('the page request is invalid', issues);
  return { after: clamp(Math.floor(after)), limit };
}
