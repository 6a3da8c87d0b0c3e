/**
 * @module The ground truth `truceline simulate` writes to truth.ndjson: one JSON object per line, told
 * apart by `type`. An evaluator reads it beside what fusion, attribution and the rules made of the
 * observations. Positions are WGS 84 degrees, times ms since the epoch (UTC), distances km unless a
 * name says otherwise. docs/simulator.md describes every field.
 */

/** How much happens. */
export const INTENSITIES = ['quiet', 'normal', 'worst-day'] as const;
export type Intensity = (typeof INTENSITIES)[number];
export const isIntensity = (value: unknown): value is Intensity =>
  typeof value === 'string' && (INTENSITIES as readonly string[]).includes(value);

/**
 * The kinds of weapon the simulator fires. Each maps to the agreement's weapon class that fits it, or to
 * none (`weaponClass: null`) when the agreement has no such class.
 */
export const WEAPON_TYPES = ['mortar', 'gun', 'tube-artillery', 'mlrs'] as const;
export type WeaponType = (typeof WEAPON_TYPES)[number];

export interface TruthPoint {
  readonly lat: number;
  readonly lon: number;
}

/** The first line: what was simulated. */
export interface RunTruth {
  readonly type: 'run';
  readonly agreementId: string;
  /** The version of the terms in force at the start, which the run uses throughout. */
  readonly version: string;
  readonly seed: number;
  readonly intensity: Intensity;
  readonly startMs: number;
  readonly endMs: number;
  /** The reference line the sensors and fire are laid out along, and its length. */
  readonly referenceLineId: string;
  readonly lineLengthKm: number;
  /** The simulator's weapon types → the agreement's weapon class ids (null: none fits). */
  readonly weaponClasses: Readonly<Record<WeaponType, string | null>>;
  /** Share of the line's length inside some radar's coverage. */
  readonly radarFrontShare: number;
  /** Counts of the other truth records, by type, and of observation lines. */
  readonly counts: Readonly<Record<string, number>>;
  readonly observationLines: number;
}

/** One acoustic detection of a launch or an impact. */
export interface ArrivalTruth {
  readonly sourceId: string;
  /** The observation's `id`. */
  readonly recordId: string;
  /** The arrival time without timing error, ms (fractional). */
  readonly trueArrivalMs: number;
  /** The signal the array reported: `launch`, `impact` or, misclassified, the other or `unknown`. */
  readonly signal: 'launch' | 'impact' | 'unknown';
}

/** Where and when a round left or landed, and who heard it. */
export interface RoundEndTruth extends TruthPoint {
  readonly timeMs: number;
  /** Signed distance from the firing party's reference line: positive on the firing party's side. */
  readonly distanceToLineKm: number;
  /** The party whose side the point lies on (`sideOf`), or null. */
  readonly side: string | null;
  /** Ids of the acoustic arrays that were up and detected it (arrivals gives the detail). */
  readonly detectedBy: readonly string[];
  readonly arrivals: readonly ArrivalTruth[];
}

/** One round fired: a ceasefire violation. */
export interface RoundTruth {
  readonly type: 'round';
  /** `<missionId>/<n>`. */
  readonly id: string;
  readonly missionId: string;
  readonly party: string;
  readonly weaponType: WeaponType;
  /** The agreement's weapon class id, or null when it has none for this weapon type. */
  readonly weaponClass: string | null;
  /** The prohibited-conduct id fire breaks, or null when the agreement prohibits no fire. */
  readonly conduct: string | null;
  /** Whether it was fired during an escalation episode's extra fire. */
  readonly escalationId: string | null;
  readonly launch: RoundEndTruth;
  readonly impact: RoundEndTruth;
  /** The nuisance values of this event, unknown to fusion: the true speed of sound and the wind. */
  readonly soundSpeedMs: number;
  /** Wind vector (where the air moves to), m/s east and north. */
  readonly windEastMs: number;
  readonly windNorthMs: number;
  /** The 1 σ timing error applied to each arrival, ms. */
  readonly timingSigmaMs: number;
  /** The radar that tracked it and its observation id, or null. */
  readonly radar: { readonly sourceId: string; readonly recordId: string } | null;
}

/** A false alarm of an acoustic array: an observation no event caused. */
export interface FalseAlarmTruth {
  readonly type: 'false-alarm';
  readonly sourceId: string;
  readonly recordId: string;
  readonly timeMs: number;
}

/** A period a fixed sensor was down (it heard and saw nothing). `toMs` may be past the run's end. */
export interface SensorOutageTruth {
  readonly type: 'sensor-outage';
  readonly sourceId: string;
  readonly fromMs: number;
  readonly toMs: number;
}

/** An escalation episode: extra fire in a stretch of the line. */
export interface EscalationTruth {
  readonly type: 'escalation';
  readonly id: string;
  readonly fromMs: number;
  readonly toMs: number;
  /** The stretch, km along the reference line, and its middle. */
  readonly fromKm: number;
  readonly toKm: number;
  readonly center: TruthPoint;
}

/** Fields of every truth record of something on the ground for a while. */
interface PresenceTruth extends TruthPoint {
  readonly id: string;
  readonly party: string;
  readonly fromMs: number;
  readonly toMs: number;
  /** Distance from the party's own reference line (km, unsigned). */
  readonly distanceToLineKm: number;
  /** The zone it violates, or null when it is legal. */
  readonly zone: string | null;
  /** The prohibited-conduct id it breaks, or null. */
  readonly conduct: string | null;
  /** Observation ids that saw it. */
  readonly observedBy: readonly string[];
}

/** Heavy weapons parked somewhere for the whole run (in their limitation zone, or legally outside). */
export interface WeaponPlacementTruth extends PresenceTruth {
  readonly type: 'weapon-placement';
  readonly weaponClass: string;
  readonly count: number;
}

/** Troops where they may not be (a buffer zone, a disengagement area), or legally near one. */
export interface TroopPresenceTruth extends PresenceTruth {
  readonly type: 'troop-presence';
  readonly count: number;
}

/** A party's drone flying over the line and back. The point is where it turned back. */
export interface DroneFlightTruth extends PresenceTruth {
  readonly type: 'drone-flight';
  readonly takeoff: TruthPoint;
}

/** A party impeding the monitors. */
export interface ImpedimentTruth extends TruthPoint {
  readonly type: 'impediment';
  readonly id: string;
  /** The party responsible. */
  readonly party: string;
  readonly impediment: 'denied' | 'delayed' | 'conditional' | 'jamming';
  /** The impeded source (a patrol team, a monitoring drone) and its report. */
  readonly sourceId: string;
  readonly recordId: string;
  readonly timeMs: number;
  readonly conduct: string | null;
}

/** A complaint by a party, true (it refers to a truth record) or false. */
export interface ComplaintTruth {
  readonly type: 'complaint';
  readonly sourceId: string;
  readonly recordId: string;
  readonly complainant: string;
  readonly accused: string;
  readonly allegation: string;
  readonly true: boolean;
  /** For a true complaint, the mission id or placement id it is about; null for a false one. */
  readonly refersTo: string | null;
}

/** A flight of a monitoring drone, and whether (and by whom) it was jammed. */
export interface MonitorFlightTruth {
  readonly type: 'monitor-flight';
  readonly sourceId: string;
  readonly flightId: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly jammedBy: string | null;
}

/** Any truth record. */
export type TruthRecord =
  | RunTruth
  | RoundTruth
  | FalseAlarmTruth
  | SensorOutageTruth
  | EscalationTruth
  | WeaponPlacementTruth
  | TroopPresenceTruth
  | DroneFlightTruth
  | ImpedimentTruth
  | ComplaintTruth
  | MonitorFlightTruth;

export type TruthType = TruthRecord['type'];
