/**
 * @module Recusal: which members of the Commission may not take part in deciding a case because they
 * represent a party to it. Both adversaries will contest every ruling; one decided with a party's own
 * vote would not survive the contest.
 */
import type { CommissionSettings } from '../agreement/schema.ts';
import type { CommissionCase } from './commission-case.ts';

/**
 * The member ids recused from a case between `parties` (the accused and the complainant): those whose
 * `party` is one of them, when the settings recuse parties (`recuseParties`, on by default). With it
 * off, every member takes part.
 */
export function recusedMembers(settings: CommissionSettings, parties: readonly string[]): readonly string[] {
  if (!settings.recuseParties) return [];
  return settings.members
    .filter((member) => member.party !== undefined && parties.includes(member.party))
    .map((member) => member.id);
}

/** The parties to a case: the accused, and the complainant if any. Members representing them are recused. */
export const caseParties = (commissionCase: CommissionCase): readonly string[] =>
  commissionCase.complainant === null
    ? commissionCase.accused
    : [...commissionCase.accused, commissionCase.complainant];
