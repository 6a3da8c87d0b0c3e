/**
 * @module Remedy tracking: does a later violation breach a remedy the Commission ordered? A ruling
 * whose remedy can be ignored without consequence is the South Sudan failure product.md names; a match
 * is what lets the caller reopen the case (a `reopen` action) instead of starting over.
 */
import type { CaseViolation, CommissionCase, Remedy } from './commission-case.ts';

/**
 * The remedies of the ruling in force that `later` breaches: it is substantiated, not already before
 * the case, of the remedy's clause, by the remedy's party, of the same weapon class and in the same
 * zone (both null counts as the same: a remedy with no zone matches violations with no zone), and it
 * happened after the remedy's deadline (extensions included). Whether the remedy was met does not
 * matter: a party that withdrew and came back has breached it.
 */
export function matchingRemedies(commissionCase: CommissionCase, later: CaseViolation): readonly Remedy[] {
  const ruling = commissionCase.rulings.at(-1);
  if (ruling === undefined || later.outcome !== 'substantiated') return [];
  if (commissionCase.violations.some((violation) => violation.id === later.id)) return [];
  return ruling.remedies.filter(
    (remedy) =>
      remedy.clause !== null &&
      remedy.clause === later.clause &&
      remedy.party === later.party &&
      remedy.weaponClass === later.weaponClass &&
      remedy.zoneId === later.zoneId &&
      later.timeMs > remedy.deadlineMs,
  );
}

/** True when `later` breaches a remedy of the case's ruling in force (see {@link matchingRemedies}). */
export const matchesRemedy = (commissionCase: CommissionCase, later: CaseViolation): boolean =>
  matchingRemedies(commissionCase, later).length > 0;
