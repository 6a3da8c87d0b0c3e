/** @module The stable id of a potential violation, so that a revised event revises the same violation. */

/**
 * The id of the potential violation of `clause` (a prohibited-conduct id), in `zoneId` if the clause is
 * a zone's, by the event `eventId`: `<event id>#<clause>` or `<event id>#<clause>@<zone>`. It depends on
 * nothing else — not the event's revision, nor the version of the terms — so every revision of an event
 * that still breaches the clause there gives a revision of the same potential violation. Agreement ids
 * never contain `#` or `@`, so the id reads back unambiguously from its right.
 *
 * @example
 * potentialViolationId('ev-7', 'weapons-in-withdrawal-zone', 'withdrawal-15km');
 * // "ev-7#weapons-in-withdrawal-zone@withdrawal-15km"
 */
export function potentialViolationId(eventId: string, clause: string, zoneId: string | null): string {
  return zoneId === null ? `${eventId}#${clause}` : `${eventId}#${clause}@${zoneId}`;
}
