/**
 * @module The one paragraph that explains a potential violation to a reader who is not an engineer: the
 * clause, the zone and the version of the terms, where and how far from the line, who it is attributed
 * to and how surely, and what was seen by what.
 */
import type { EventKind } from '../agreement/kinds.ts';
import type { ProhibitedConduct, Zone } from '../agreement/schema.ts';
import type { Terms } from '../agreement/terms.ts';
import type { FusedEvent } from '../fusion/event.ts';
import { OBSERVATION_KINDS, type ObservationKind } from '../observations/kinds.ts';
import type { PotentialViolation } from './potential-violation.ts';

/** What the paragraph is written from, beside the potential violation itself. */
export interface ExplanationContext {
  readonly terms: Pick<Terms, 'version' | 'effectiveAt' | 'parties'>;
  readonly conduct: ProhibitedConduct;
  readonly zone: Zone | null;
  readonly event: Pick<FusedEvent, 'count' | 'phase' | 'provenance'>;
  /** True when the position is the fire's point of origin (rather than where it was seen or heard). */
  readonly positionIsOrigin: boolean;
  /** The party whose reference line the distance is measured from; null for the nearest line. */
  readonly measuredFrom: string | null;
  /** For fire: the sides of the origin and the impact, where both are known. */
  readonly sides: { readonly origin: string | null; readonly impact: string | null } | null;
}

const EVENT_WORDS: Readonly<Record<EventKind, string>> = {
  explosion: 'an explosion',
  'projectile-in-flight': 'a projectile in flight',
  'muzzle-flash': 'a muzzle flash',
  'illumination-flare': 'an illumination flare',
  'bursts-and-shots': 'bursts and shots',
  'weapon-sighting': 'a weapon sighting',
  'drone-flight': 'a drone flight',
  'troop-presence': 'troops present',
  impediment: 'an impediment to the monitors',
};

const percent = (p: number): string => `${Math.round(p * 100)} %`;
const km = (value: number): string => `${value.toFixed(1)} km`;
const degrees = (lat: number, lon: number): string =>
  `${Math.abs(lat).toFixed(4)}° ${lat < 0 ? 'S' : 'N'}, ${Math.abs(lon).toFixed(4)}° ${lon < 0 ? 'W' : 'E'}`;
const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** The list "a, b and c". */
const listed = (items: readonly string[]): string =>
  items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;

/** Names parties in English: the first time with the id in brackets, after that the name alone. */
function partyNamer(terms: ExplanationContext['terms']): (id: string) => string {
  const named = new Set<string>();
  return (id) => {
    const party = terms.parties.find((p) => p.id === id);
    if (party === undefined) return id;
    if (named.has(id)) return party.names.en;
    named.add(id);
    return `${party.names.en} (${id})`;
  };
}

/** `1 March 2017 at 09:00:00 UTC`. */
function when(timeMs: number): string {
  const date = new Date(timeMs);
  if (Number.isNaN(date.getTime())) return 'an unknown time';
  const iso = date.toISOString();
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()] ?? ''} ${date.getUTCFullYear()} at ${iso.slice(11, 19)} UTC`;
}
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

function zoneWords(zone: Zone): string {
  switch (zone.kind) {
    case 'buffer':
      return `the buffer zone “${zone.label}” (${zone.id}: within ${zone.distanceKm} km of a party's reference line)`;
    case 'limitation':
      return `the zone “${zone.label}” (${zone.id}), from which ${listed(zone.weaponClasses)} must be kept ${zone.distanceKm} km back from each party's own reference line`;
    case 'disengagement-area':
      return `the disengagement area “${zone.label}” (${zone.id})`;
  }
}

function attributionWords(
  violation: Omit<PotentialViolation, 'explanation'>,
  partyName: (id: string) => string,
): string {
  const { attribution } = violation;
  const ownNote =
    violation.party !== null && violation.partyBasis === 'side'
      ? `It is counted against ${partyName(violation.party)}, on whose side it stands.`
      : '';
  switch (attribution.decision) {
    case 'attributed':
      return `${ownNote ? `${ownNote} ` : ''}The event is attributed to ${partyName(attribution.party ?? '')} with confidence ${percent(attribution.confidence)} (threshold ${percent(attribution.threshold)}).`;
    case 'undetermined': {
      const best = attribution.confidence > 0 ? `, the highest being ${percent(attribution.confidence)}` : '';
      return `${ownNote ? `${ownNote} ` : ''}Attribution undetermined: no party reaches the ${percent(attribution.threshold)} threshold${best}.`;
    }
    case 'not-attributable':
      return ownNote || 'Attribution: undetermined (the event has no point of origin to attribute).';
  }
}

function supportWords(provenance: ExplanationContext['event']['provenance']): string {
  const counts = new Map<ObservationKind, number>();
  for (const contribution of provenance)
    counts.set(contribution.kind, (counts.get(contribution.kind) ?? 0) + 1);
  const byKind = OBSERVATION_KINDS.filter((kind) => counts.has(kind)).map(
    (kind) => `${counts.get(kind) ?? 0} ${kind}`,
  );
  return `Supported by ${plural(provenance.length, 'observation', 'observations')}${byKind.length > 0 ? `: ${listed(byKind)}` : ''}.`;
}

/**
 * One plain-English paragraph: the clause (label and id), the zone, the version of the terms in force
 * and since when, what happened where and when, the distance to the reference line in km to one
 * decimal, the attributed party and its confidence (or "undetermined"), the grades, and how many
 * observations of which kinds support it. Deterministic: the same input gives the same words.
 */
export function explainViolation(
  violation: Omit<PotentialViolation, 'explanation'>,
  context: ExplanationContext,
): string {
  const { terms, conduct, zone } = context;
  const partyName = partyNamer(terms);
  const sentences: string[] = [];
  sentences.push(
    `Potential violation of “${conduct.label}” (clause ${conduct.id})${zone === null ? '' : ` in ${zoneWords(zone)}`}, under ${terms.version}, the version of the terms in force at the time (since ${terms.effectiveAt}).`,
  );

  let what = EVENT_WORDS[violation.eventType];
  const details: string[] = [];
  if (violation.weaponClass !== null) details.push(`weapon class ${violation.weaponClass}`);
  if (context.event.count !== null) details.push(`count ${context.event.count}`);
  if (details.length > 0) what += ` (${details.join(', ')})`;
  let where = '';
  if (violation.location !== null) {
    const preposition = context.positionIsOrigin
      ? 'fired from'
      : context.event.phase === 'impact'
        ? 'landing at'
        : 'at';
    where = `, ${preposition} ${degrees(violation.location.lat, violation.location.lon)}`;
    if (violation.distanceToLineKm !== null)
      where += `, ${km(violation.distanceToLineKm)} from ${context.measuredFrom === null ? 'the nearest reference line' : `the reference line of ${partyName(context.measuredFrom)}`}`;
  } else where = ', with no position known';
  sentences.push(
    `${what[0]?.toUpperCase() ?? ''}${what.slice(1)} was observed on ${when(violation.timeMs)}${where}.`,
  );

  if (context.sides !== null && context.sides.origin !== null && context.sides.impact !== null) {
    sentences.push(
      context.sides.origin === context.sides.impact
        ? `Its origin and its impact both lie on the side of ${partyName(context.sides.origin)}.`
        : `It was fired across the line: from the side of ${partyName(context.sides.origin)} onto the side of ${partyName(context.sides.impact)}, which is graded higher.`,
    );
  }
  sentences.push(attributionWords(violation, partyName));
  sentences.push(
    `Observation certainty ${violation.grade.observationCertainty}, attribution certainty ${violation.grade.attributionCertainty}; not yet verified or ruled on.`,
  );
  sentences.push(supportWords(context.event.provenance));
  return sentences.join(' ');
}
