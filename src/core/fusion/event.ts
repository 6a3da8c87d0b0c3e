/**
 * @module What fusion emits: events — one happening on the ground, told from one or more
 * observations — with a position estimate and its uncertainty, and where they came from. Attribution
 * and the rules read these; the store keeps every revision.
 */
import type { EventKind } from '../agreement/kinds.ts';
import type { ObservationKind } from '../observations/kinds.ts';

/**
 * A position estimate: a 2-D Gaussian. The covariance is in square metres in the local east/north
 * plane at (lat, lon): `[σ²east, cov(east, north), σ²north]`.
 */
export interface GaussianPoint {
  readonly lat: number;
  readonly lon: number;
  readonly covariance: readonly [ee: number, en: number, nn: number];
}

/** One observation behind an event, and what it contributed. */
export interface Contribution {
  /** The observation's commit sequence. */
  readonly seq: number;
  readonly sourceId: string;
  readonly recordId: string;
  readonly kind: ObservationKind;
  readonly observedAtMs: number;
  /**
   * What it told: an acoustic arrival (`arrival`), a radar point of origin or impact (`radar`), a patrol
   * bearing or report (`bearing`, `report`), a sighting (`sighting`), or a report that adds nothing to
   * the position (`corroboration`).
   */
  readonly role: 'arrival' | 'radar' | 'bearing' | 'report' | 'sighting' | 'corroboration';
  /** For an arrival: its residual against the fit, seconds; null when not part of the fit (an outlier). */
  readonly residualS?: number | null;
}

/** How an event's position was found. */
export type LocalisationMethod =
  'acoustic-tdoa' | 'radar' | 'acoustic-tdoa+radar' | 'bearings' | 'single-report' | 'sighting';

export interface FusedEvent {
  /** Stable over revisions: fusion derives it from the event's first contributing observation. */
  readonly id: string;
  /** 1 for the first version; each revision adds one. Every revision is kept. */
  readonly revision: number;
  readonly type: EventKind;
  /**
   * For fire told apart by sound or radar: `launch` (outgoing — heard or tracked at the firing
   * position) or `impact` (incoming — the explosion where the round landed); null otherwise. The OSCE
   * mission recorded both as explosions, with a direction.
   */
  readonly phase: 'launch' | 'impact' | null;
  /**
   * `active`, or `withdrawn` when later observations showed the earlier grouping was wrong (its
   * observations now belong to other events, or to none). A withdrawn event is kept, as a revision.
   */
  readonly status: 'active' | 'withdrawn';
  /** When it happened (for fire: the emission time at the point of origin), ms since the epoch. */
  readonly timeMs: number;
  /** 1 σ, ms. */
  readonly timeSigmaMs: number;
  /** Where it happened (the explosion's point for an impact, the firing position for a launch). */
  readonly location: GaussianPoint | null;
  /** For fire: the point of origin, when known (a launch's location, a radar origin). */
  readonly origin: GaussianPoint | null;
  /** For fire: the point of impact, when known. */
  readonly impact: GaussianPoint | null;
  readonly method: LocalisationMethod;
  /** The agreement's weapon class id, where known. */
  readonly weaponClass: string | null;
  /** Sightings and reports: how many (weapons, drones, troops). */
  readonly count: number | null;
  /** Every contributing observation, in commit order. */
  readonly provenance: readonly Contribution[];
  /** The highest commit sequence among the contributions: the revision is as of this observation. */
  readonly asOfSeq: number;
}
