/**
 * @module What the rules produce: a potential violation — an event checked against the terms in force
 * at its time, with everything a reader needs to see why. (The verification issue later adds
 * verification findings about these; the two are kept apart.)
 */
import type { Attribution } from '../attribution/attribution.ts';
import type { FusedEvent, GaussianPoint } from '../fusion/event.ts';

/** How sure the observations are that the happening took place as described. */
export type ObservationCertainty = 'high' | 'medium' | 'low';

/** How sure the attribution is of the party responsible. */
export type AttributionCertainty = 'high' | 'medium' | 'low' | 'none';

export interface ViolationGrade {
  readonly observationCertainty: ObservationCertainty;
  readonly attributionCertainty: AttributionCertainty;
  /** Until the verification issue's findings and the Commission's rulings: always "potential". */
  readonly adjudication: 'potential';
  /** Fire whose origin and impact lie on opposite sides of the line is graded higher. */
  readonly severity: 'standard' | 'higher';
}

export interface PotentialViolation {
  /** Stable: the event's id and the clause (and zone) it breaches. */
  readonly id: string;
  /** Revisions follow the event's: every one is kept. */
  readonly revision: number;
  readonly eventId: string;
  readonly eventRevision: number;
  readonly eventType: FusedEvent['type'];
  readonly timeMs: number;
  /** The prohibited-conduct id of the agreement. */
  readonly clause: string;
  /** The zone, for zone clauses. */
  readonly zoneId: string | null;
  /** The agreement version in force at the event's time, `id@n`. */
  readonly agreementVersion: string;
  /** Where: the event's location (the origin for fire when known). */
  readonly location: GaussianPoint | null;
  /** Geodesic distance to the line of the attributed party (or the nearest line), km; null without a position. */
  readonly distanceToLineKm: number | null;
  /** The party it is attributed to, or null (undetermined or not attributable). */
  readonly party: string | null;
  /**
   * Where `party` comes from: the attribution of the event (`attribution`), or for troops and weapons
   * the side they stand on (`side`: under the terms a weapon belongs to the party on whose side it
   * stands); null when there is no party.
   */
  readonly partyBasis: 'attribution' | 'side' | null;
  readonly attribution: Attribution;
  readonly weaponClass: string | null;
  readonly grade: ViolationGrade;
  /** The observations behind the event (sequence numbers). */
  readonly supportingSeqs: readonly number[];
  /** One paragraph in plain words: the clause, the zone and version, distance, attribution and why. */
  readonly explanation: string;
  /**
   * Absent while the potential violation stands; `withdrawn` on the revision that withdraws it (its
   * event was withdrawn or no longer breaches the clause, e.g. once observations signed with a
   * compromised key were set aside), with the reason.
   */
  readonly status?: 'withdrawn';
  readonly withdrawnReason?: string;
}
