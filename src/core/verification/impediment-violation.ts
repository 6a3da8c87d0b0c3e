/**
 * @module An impediment evaluated as a violation in its own right: which clause of the terms in force
 * it breaches, how serious, and a sentence saying why — shaped like a potential violation from the
 * rules so that the queue, the Commission and the reports treat both alike.
 */
import type { Terms } from '../agreement/terms.ts';
import type { ViolationGrade } from '../rules/potential-violation.ts';
import { potentialViolationId } from '../rules/potential-violation-id.ts';
import type { Impediment, LatLon } from './impediment.ts';
import type { ImpedimentKind } from './kinds.ts';

/** The clause cited when the terms in force list no conduct that applies to impediments. */
export const IMPEDIMENT_CLAUSE = 'impediment';

/** Impediments graded higher: force used against the monitors or their means, not only obstruction. */
const HIGHER: readonly ImpedimentKind[] = ['fire-at-monitors', 'sensor-destroyed'];

const WORDS: Readonly<Record<ImpedimentKind, string>> = {
  denied: 'Access was denied to the monitors',
  delayed: 'The monitors were delayed',
  conditional: 'Access was granted to the monitors only on conditions',
  jamming: 'The monitors’ equipment was jammed',
  'sensor-destroyed': 'A monitoring sensor was destroyed',
  'fire-at-monitors': 'The monitors were fired at',
};

/** An impediment as a violation: like a potential violation from the rules, with the impediment's facts. */
export interface ImpedimentViolation {
  /** `impediment:<impediment id>#<clause>`: stable, and never equal to an event's violation id. */
  readonly id: string;
  readonly impedimentId: string;
  readonly kind: ImpedimentKind;
  readonly timeMs: number;
  /** The prohibited-conduct id of the terms, or {@link IMPEDIMENT_CLAUSE}. */
  readonly clause: string;
  /** Impediments are prohibited anywhere: never a zone clause. */
  readonly zoneId: null;
  /** The version of the terms in force at the impediment's time, `id@n`. */
  readonly agreementVersion: string;
  readonly location: LatLon | null;
  /** The party responsible as recorded, or null when not known. */
  readonly party: string | null;
  readonly delayMinutes: number | null;
  readonly severity: ViolationGrade['severity'];
  /** One paragraph in plain words. */
  readonly explanation: string;
}

/**
 * Evaluates an impediment against the terms in force at its time. The clause is the first prohibited
 * conduct whose event kinds include `impediment` and that applies anywhere (no `zones`: an impediment
 * is not judged by where it happened); when the terms have none, the fixed clause
 * {@link IMPEDIMENT_CLAUSE}, so an impediment is never lost for want of a clause. Fire at the monitors
 * and a destroyed sensor are graded `higher`.
 * @param terms the terms in force at `impediment.at` (the caller picks them, as for events)
 */
export function impedimentViolation(
  impediment: Impediment,
  terms: Pick<Terms, 'version' | 'prohibitedConduct'>,
): ImpedimentViolation {
  const conduct = terms.prohibitedConduct.find(
    (entry) => entry.eventKinds.includes('impediment') && entry.zones === undefined,
  );
  const clause = conduct?.id ?? IMPEDIMENT_CLAUSE;
  const severity = HIGHER.includes(impediment.kind) ? 'higher' : 'standard';
  const delay = impediment.delayMinutes === null ? '' : ` for ${impediment.delayMinutes} minutes`;
  const by = impediment.party === null ? 'by a party not determined' : `by ${impediment.party}`;
  const cited =
    conduct === undefined
      ? `the terms (${terms.version}) name no conduct for impediments, so it is recorded under "${IMPEDIMENT_CLAUSE}"`
      : `a breach of "${conduct.label}" (${conduct.id}, ${terms.version})`;
  const explanation =
    `${WORDS[impediment.kind]}${delay} on ${new Date(impediment.at).toISOString()}, ${by} ` +
    `(recorded from ${impediment.sourceRef}): ${cited}` +
    `${severity === 'higher' ? '; graded higher because force was used against the monitors or their means' : ''}.`;
  return {
    id: potentialViolationId(`impediment:${impediment.id}`, clause, null),
    impedimentId: impediment.id,
    kind: impediment.kind,
    timeMs: impediment.at,
    clause,
    zoneId: null,
    agreementVersion: terms.version,
    location: impediment.location,
    party: impediment.party,
    delayMinutes: impediment.delayMinutes,
    severity,
    explanation,
  };
}
