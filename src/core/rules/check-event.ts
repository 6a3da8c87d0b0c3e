/**
 * @module The rules: one fused event, with its attribution, checked against the terms in force at the
 * event's time, giving zero or more potential violations that each explain themselves.
 */
import type { Attribution } from '../attribution/attribution.ts';
import { inBbox } from '../agreement/check-geometry.ts';
import { containsPoint } from '../agreement/contains-point.ts';
import type { EventKind } from '../agreement/kinds.ts';
import { polylineDistance } from '../agreement/polyline-distance.ts';
import type { Agreement, ProhibitedConduct, ReferenceLine, Zone } from '../agreement/schema.ts';
import { sideOf } from '../agreement/side-of.ts';
import type { Terms } from '../agreement/terms.ts';
import { termsInForce } from '../agreement/terms-in-force.ts';
import type { FusedEvent, GaussianPoint } from '../fusion/event.ts';
import { FIRE_EVENT_TYPES } from '../observations/kinds.ts';
import { explainViolation, type ExplanationContext } from './explain-violation.ts';
import { gradeAttribution, gradeObservation, positionSigmaKm } from './grade-violation.ts';
import type { PotentialViolation, ViolationGrade } from './potential-violation.ts';
import { potentialViolationId } from './potential-violation-id.ts';

/**
 * A drone flight is "over the line" when its position lies within this distance of a reference line
 * (km), or on a side other than that of the party it is attributed to.
 */
export const OVER_THE_LINE_KM = 1;

/**
 * Under terms whose area of application is a list of admin-1 units, a point on nobody's side is still
 * inside the area when it lies this close to a reference line (km): water the line runs along, such as
 * the Dnipro at Kherson, and the line's ends at the coast.
 */
export const NEAR_THE_LINE_KM = 2;

const FIRE_KINDS: ReadonlySet<EventKind> = new Set<EventKind>(FIRE_EVENT_TYPES);
/** Kinds whose party is the one on whose side they stand: weapons and troops. */
const PRESENCE_KINDS: ReadonlySet<EventKind> = new Set<EventKind>(['weapon-sighting', 'troop-presence']);

interface ConductCheck {
  readonly conduct: ProhibitedConduct;
  /** The zones the conduct is restricted to (those in force), or null: anywhere in the area of application. */
  readonly zones: readonly Zone[] | null;
}

interface PreparedTerms {
  readonly byKind: ReadonlyMap<EventKind, readonly ConductCheck[]>;
  readonly lines: readonly ReferenceLine[];
  readonly lineOf: ReadonlyMap<string, ReferenceLine>;
  readonly parties: readonly string[];
}

const preparedTerms = new WeakMap<Terms, PreparedTerms>();

function prepare(terms: Terms): PreparedTerms {
  let prepared = preparedTerms.get(terms);
  if (prepared !== undefined) return prepared;
  const zoneById = new Map(terms.zones.map((zone) => [zone.id, zone]));
  const byKind = new Map<EventKind, ConductCheck[]>();
  for (const conduct of terms.prohibitedConduct) {
    const zones =
      conduct.zones === undefined
        ? null
        : [...new Set(conduct.zones)].flatMap((id) => {
            const zone = zoneById.get(id);
            return zone === undefined ? [] : [zone];
          });
    for (const kind of new Set(conduct.eventKinds)) {
      const list = byKind.get(kind) ?? [];
      list.push({ conduct, zones });
      byKind.set(kind, list);
    }
  }
  const lineOf = new Map<string, ReferenceLine>();
  for (const line of terms.referenceLines)
    for (const party of line.parties) if (!lineOf.has(party)) lineOf.set(party, line);
  prepared = {
    byKind,
    lines: terms.referenceLines,
    lineOf,
    parties: terms.parties.map((party) => party.id),
  };
  preparedTerms.set(terms, prepared);
  return prepared;
}

/** The geometric questions about one point, each answered at most once. */
class Place {
  readonly #terms: Terms;
  readonly #prepared: PreparedTerms;
  readonly point: GaussianPoint;
  #side: string | null | undefined;
  readonly #distances = new Map<ReferenceLine, number>();

  constructor(terms: Terms, prepared: PreparedTerms, point: GaussianPoint) {
    this.#terms = terms;
    this.#prepared = prepared;
    this.point = point;
  }

  side(): string | null {
    if (this.#side === undefined) this.#side = sideOf(this.#terms, this.point.lat, this.point.lon);
    return this.#side;
  }

  #toLine(line: ReferenceLine): number {
    let km = this.#distances.get(line);
    if (km === undefined) {
      km = polylineDistance(line.geometry.coordinates, this.point.lat, this.point.lon).distanceKm;
      this.#distances.set(line, km);
    }
    return km;
  }

  /** Geodesic km to the party's reference line; undefined when the party has none. */
  fromLineOf(party: string): number | undefined {
    const line = this.#prepared.lineOf.get(party);
    return line === undefined ? undefined : this.#toLine(line);
  }

  /** Geodesic km to the nearest of the given parties' lines (all lines when not given). */
  nearestLine(parties?: readonly string[]): number {
    let best = Infinity;
    if (parties === undefined)
      for (const line of this.#prepared.lines) best = Math.min(best, this.#toLine(line));
    else for (const party of parties) best = Math.min(best, this.fromLineOf(party) ?? Infinity);
    return best;
  }
}

/** Whether a zone covers the point, and the distance that decided it. */
interface ZoneHit {
  /** The distance to report, and from whose line (null: the nearest). */
  readonly distanceKm: number | null;
  readonly measuredFrom: string | null;
  /** How far the point lies from the zone's boundary, for zones drawn at a distance from the line. */
  readonly boundaryMarginKm: number | null;
}

/**
 * Checks one event against the terms of `agreement` in force at the event's time (`event.timeMs`), never
 * the newest: a sighting before an amendment is judged by the terms before it. An event from before the
 * agreement took effect breaches nothing and gives `[]`.
 *
 * @example
 * for (const violation of checkEvent(event, attribution, agreement)) console.log(violation.explanation);
 */
export function checkEvent(
  event: FusedEvent,
  attribution: Attribution,
  agreement: Agreement,
): PotentialViolation[] {
  const terms = termsInForce(agreement, event.timeMs);
  return terms === undefined ? [] : checkEventAgainstTerms(event, attribution, terms);
}

/**
 * Checks one event against the given terms (the caller has picked the version in force at its time).
 *
 * For each prohibited conduct whose `eventKinds` include the event's type:
 *
 * - without `zones`: the conduct is prohibited anywhere in the area of application (fire, impediments,
 *   troops or sightings where the terms ban them outright) — except drone flights, which breach it only
 *   over the line: within `OVER_THE_LINE_KM` of a reference line, or on a side other than that of the
 *   party the flight is attributed to;
 * - with `zones`, one potential violation per zone the event lies in: a buffer zone when the point lies
 *   less than `distanceKm` from the reference line of the party on whose side it stands; a limitation
 *   zone when, in addition, the event's weapon class is one of the zone's; a disengagement area when
 *   the point lies inside its polygon. A zone's `parties` restricts whom it binds.
 *
 * A weapon or troops belong to the party on whose side they stand (`partyBasis: 'side'`); where that is
 * nobody's side, to the attributed party; with neither, distances are taken from the nearest of the
 * bound parties' lines and `party` is null. Any other event's party is the attributed one, or null.
 * Results are in the order of the terms' prohibited conduct, then of each conduct's zones. A withdrawn
 * event breaches nothing: `[]` (whoever stored its earlier potential violations withdraws them).
 */
export function checkEventAgainstTerms(
  event: FusedEvent,
  attribution: Attribution,
  terms: Terms,
): PotentialViolation[] {
  if (event.status === 'withdrawn') return [];
  const prepared = prepare(terms);
  const checks = prepared.byKind.get(event.type);
  if (checks === undefined) return [];
  const check = new EventCheck(event, attribution, terms, prepared);
  for (const { conduct, zones } of checks) {
    if (zones === null) {
      const applies = event.type === 'drone-flight' ? check.overTheLine() : check.inAreaOfApplication();
      if (applies) check.emit(conduct, null, check.ownDistance());
      continue;
    }
    for (const zone of zones) {
      const hit = check.zoneHit(zone);
      if (hit !== null) check.emit(conduct, zone, hit);
    }
  }
  return check.violations;
}

/** One event under check: what it knows of the event, worked out once and only when asked. */
class EventCheck {
  readonly violations: PotentialViolation[] = [];
  readonly #event: FusedEvent;
  readonly #attribution: Attribution;
  readonly #terms: Terms;
  readonly #prepared: PreparedTerms;
  readonly #positionIsOrigin: boolean;
  /** The position the rules are checked at: the origin of fire when known, else the event's location. */
  readonly #point: GaussianPoint | null;
  readonly #place: Place | null;
  readonly #attributedParty: string | null;
  readonly #party: string | null;
  readonly #partyBasis: PotentialViolation['partyBasis'];
  /** Whose line a zone's distance is measured from. */
  readonly #measureParty: string | null;
  #common: Common | undefined;

  constructor(event: FusedEvent, attribution: Attribution, terms: Terms, prepared: PreparedTerms) {
    this.#event = event;
    this.#attribution = attribution;
    this.#terms = terms;
    this.#prepared = prepared;
    this.#positionIsOrigin = FIRE_KINDS.has(event.type) && event.origin !== null;
    this.#point = this.#positionIsOrigin ? event.origin : event.location;
    this.#place = this.#point === null ? null : new Place(terms, prepared, this.#point);
    this.#attributedParty =
      attribution.decision === 'attributed' && attribution.party !== null ? attribution.party : null;
    const side = PRESENCE_KINDS.has(event.type) ? (this.#place?.side() ?? null) : null;
    this.#party = side ?? this.#attributedParty;
    this.#partyBasis = side !== null ? 'side' : this.#attributedParty !== null ? 'attribution' : null;
    // The owner of a weapon or troops, else the attributed party, else the party of the point's side.
    this.#measureParty = this.#party ?? this.#place?.side() ?? null;
  }

  /** The distance a potential violation reports: from the party's line, else from the nearest. */
  ownDistance(): ZoneHit {
    const place = this.#place;
    if (place === null) return { distanceKm: null, measuredFrom: null, boundaryMarginKm: null };
    const fromParty = this.#party === null ? undefined : place.fromLineOf(this.#party);
    return fromParty === undefined
      ? { distanceKm: place.nearestLine(), measuredFrom: null, boundaryMarginKm: null }
      : { distanceKm: fromParty, measuredFrom: this.#party, boundaryMarginKm: null };
  }

  inAreaOfApplication(): boolean {
    const place = this.#place;
    if (place === null) return true; // nothing says it was outside; the grade says how little is known
    if (!inBbox(this.#terms.extent, place.point.lon, place.point.lat)) return false;
    if (this.#terms.areaOfApplication.admin1 === undefined) return true;
    return place.side() !== null || place.nearestLine() <= NEAR_THE_LINE_KM;
  }

  overTheLine(): boolean {
    const place = this.#place;
    if (place === null) return false;
    if (place.nearestLine() < OVER_THE_LINE_KM) return true;
    const side = place.side();
    return this.#attributedParty !== null && side !== null && side !== this.#attributedParty;
  }

  zoneHit(zone: Zone): ZoneHit | null {
    const place = this.#place;
    if (place === null) return null;
    if (zone.kind === 'disengagement-area')
      return containsPoint(zone.geometry, place.point.lat, place.point.lon) ? this.ownDistance() : null;
    const weaponClass = this.#event.weaponClass;
    if (zone.kind === 'limitation' && (weaponClass === null || !zone.weaponClasses.includes(weaponClass)))
      return null;
    const bound = zone.parties ?? this.#prepared.parties;
    const measureParty = this.#measureParty;
    let distanceKm: number;
    if (measureParty !== null) {
      const fromParty = bound.includes(measureParty) ? place.fromLineOf(measureParty) : undefined;
      if (fromParty === undefined) return null;
      distanceKm = fromParty;
    } else distanceKm = place.nearestLine(bound);
    if (!(distanceKm < zone.distanceKm)) return null;
    return { distanceKm, measuredFrom: measureParty, boundaryMarginKm: zone.distanceKm - distanceKm };
  }

  /** What every potential violation of the event shares. */
  #shared(): Common {
    if (this.#common !== undefined) return this.#common;
    const event = this.#event;
    const sides =
      FIRE_KINDS.has(event.type) && event.origin !== null && event.impact !== null
        ? {
            origin: sideOf(this.#terms, event.origin.lat, event.origin.lon),
            impact: sideOf(this.#terms, event.impact.lat, event.impact.lon),
          }
        : null;
    const place = this.#place;
    this.#common = {
      sides,
      severity:
        sides !== null && sides.origin !== null && sides.impact !== null && sides.origin !== sides.impact
          ? 'higher'
          : 'standard',
      attributionCertainty: gradeAttribution(
        this.#partyBasis,
        this.#attribution,
        this.#partyBasis === 'side' && place !== null
          ? { distanceKm: place.nearestLine(), sigmaKm: positionSigmaKm(place.point) }
          : null,
      ),
      supportingSeqs: [...new Set(event.provenance.map((c) => c.seq))].sort((a, b) => a - b),
    };
    return this.#common;
  }

  emit(conduct: ProhibitedConduct, zone: Zone | null, hit: ZoneHit): void {
    const event = this.#event;
    const common = this.#shared();
    const violation: Omit<PotentialViolation, 'explanation'> = {
      id: potentialViolationId(event.id, conduct.id, zone?.id ?? null),
      revision: event.revision,
      eventId: event.id,
      eventRevision: event.revision,
      eventType: event.type,
      timeMs: event.timeMs,
      clause: conduct.id,
      zoneId: zone?.id ?? null,
      agreementVersion: this.#terms.version,
      location: this.#point,
      distanceToLineKm: hit.distanceKm,
      party: this.#party,
      partyBasis: this.#partyBasis,
      attribution: this.#attribution,
      weaponClass: event.weaponClass,
      grade: {
        observationCertainty: gradeObservation({
          provenance: event.provenance,
          point: this.#point,
          boundaryMarginKm: hit.boundaryMarginKm,
        }),
        attributionCertainty: common.attributionCertainty,
        adjudication: 'potential',
        severity: common.severity,
      },
      supportingSeqs: common.supportingSeqs,
    };
    const explanation = explainViolation(violation, {
      terms: this.#terms,
      conduct,
      zone,
      event,
      positionIsOrigin: this.#positionIsOrigin,
      measuredFrom: hit.measuredFrom,
      sides: common.sides,
    });
    this.violations.push({ ...violation, explanation });
  }
}

interface Common {
  readonly sides: ExplanationContext['sides'];
  readonly severity: ViolationGrade['severity'];
  readonly attributionCertainty: ViolationGrade['attributionCertainty'];
  readonly supportingSeqs: readonly number[];
}
