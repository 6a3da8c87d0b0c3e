/** @module The enumerations of the agreement format, as const tuples with derived unions and validators. */

/**
 * What fusion can tell happened, and what prohibited conduct refers to: the OSCE mission's five kinds of
 * fire, then sightings, flights, presence and impediments to the monitors.
 */
export const EVENT_KINDS = [
  'explosion',
  'projectile-in-flight',
  'muzzle-flash',
  'illumination-flare',
  'bursts-and-shots',
  'weapon-sighting',
  'drone-flight',
  'troop-presence',
  'impediment',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
export const isEventKind = (value: unknown): value is EventKind =>
  typeof value === 'string' && (EVENT_KINDS as readonly string[]).includes(value);

/**
 * The kinds of zone: a buffer (security) zone of `distanceKm` each side of the line; a limitation zone
 * that keeps weapon classes `distanceKm` back from each party's own reference line; a disengagement area
 * drawn as a polygon.
 */
export const ZONE_KINDS = ['buffer', 'limitation', 'disengagement-area'] as const;
export type ZoneKind = (typeof ZONE_KINDS)[number];
export const isZoneKind = (value: unknown): value is ZoneKind =>
  typeof value === 'string' && (ZONE_KINDS as readonly string[]).includes(value);

/** How the Special Commission decides: the chair alone, a majority of the votes counted, or no vote against. */
export const DECISION_RULES = ['chair-decides', 'majority', 'consensus'] as const;
export type DecisionRule = (typeof DECISION_RULES)[number];
export const isDecisionRule = (value: unknown): value is DecisionRule =>
  typeof value === 'string' && (DECISION_RULES as readonly string[]).includes(value);

/** The sections of the terms that an amendment changes item by item (add, replace, remove by key). */
export const KEYED_SECTIONS = [
  'parties',
  'referenceLines',
  'sides',
  'weaponClasses',
  'zones',
  'prohibitedConduct',
] as const;
export type KeyedSection = (typeof KEYED_SECTIONS)[number];

/** The sections of the terms that an amendment replaces whole. */
export const WHOLE_SECTIONS = [
  'areaOfApplication',
  'reportingDayCutoff',
  'commission',
  'escalationLadder',
] as const;
export type WholeSection = (typeof WHOLE_SECTIONS)[number];

/** The format tag every agreement document starts with. */
export const AGREEMENT_FORMAT = 'truceline-agreement/1';
