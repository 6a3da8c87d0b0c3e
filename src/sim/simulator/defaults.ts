/**
 * @module The simulator's defaults in one place: the figures downstream fusion, attribution and rules
 * must hold at. The propagation model (speed of sound, its spread, the wind, the arrival sigma) is not
 * here: it is `src/core/fusion/propagation.ts`, shared with fusion so the two cannot drift apart.
 */
import type { Intensity, WeaponType } from './truth.ts';

/** Acoustic arrays: one about every this many km along the reference line, on each side. */
export const ACOUSTIC_SPACING_KM = 15;
/** …this far behind the line (uniform). */
export const ACOUSTIC_DEPTH_KM = { min: 5, max: 20 } as const;
/** Circular error (1 σ, metres) of an array's surveyed position, as reported in its observations. */
export const ACOUSTIC_POSITION_CE_M = 5;

/**
 * Detection probability of one arrival against distance: a logistic curve through `p90Km` (0.9) and
 * `p50Km` (0.5), by weapon type. Artillery and rockets: 0.9 at 5 km, 0.5 at 15 km.
 */
export const ACOUSTIC_DETECTION: Readonly<Record<WeaponType, { p90Km: number; p50Km: number }>> = {
  mortar: { p90Km: 3, p50Km: 9 },
  gun: { p90Km: 4, p50Km: 11 },
  'tube-artillery': { p90Km: 5, p50Km: 15 },
  mlrs: { p90Km: 5, p50Km: 15 },
};
/** Beyond this distance no array hears anything (the curves are below 1 % there). */
export const ACOUSTIC_MAX_RANGE_KM = 40;
/**
 * 1 σ error of an array's direction of arrival, degrees: its four microphones measure the wavefront's
 * direction as well as its time (decision 0014). A wind across the ray turns the wavefront by up to
 * w/c (under 1° at 5 m/s) on top of this; a false alarm's direction is uniform.
 */
export const ACOUSTIC_BEARING_SIGMA_DEG = 4;
/** Share of detected arrivals classified as the other signal (launch ↔ impact). */
export const ACOUSTIC_MISCLASSIFICATION = 0.06;
/** Share of detected arrivals classified `unknown`. */
export const ACOUSTIC_UNKNOWN = 0.03;
/** False alarms per acoustic array per hour while it is up (Poisson). */
export const FALSE_ALARMS_PER_SENSOR_HOUR = 2.5;

/** Counter-battery radars: the share of the front (along the line) their coverage spans, at most. */
export const RADAR_FRONT_SHARE = 0.4;
/** Each radar covers this stretch of the line (km along it), and this far either side of the line. */
export const RADAR_STRETCH_KM = 30;
export const RADAR_DEPTH_KM = 40;
/** Radars stand this far behind the line. */
export const RADAR_SETBACK_KM = 10;
/** 1 σ error of a point of origin or impact along the radar's line of sight, as a share of range. */
export const RADAR_RANGE_ERROR = 0.005;
/** 1 σ error across the line of sight, as a share of range. */
export const RADAR_CROSS_ERROR = 0.0025;
/** Share of the rounds launched inside its coverage a radar tracks. */
export const RADAR_DETECTION = 0.85;
/** Share of tracks whose weapon-class guess is right. */
export const RADAR_CLASS_RIGHT = 0.8;

/** Fixed cameras: one about every this many km on each side, this far behind the line. */
export const CAMERA_SPACING_KM = 25;
export const CAMERA_DEPTH_KM = { min: 1, max: 3 } as const;
export const CAMERA_RANGE_KM = 5;
export const CAMERA_FIELD_OF_VIEW_DEG = 120;
/** A camera reports what it sees at most this often. */
export const CAMERA_REPORT_INTERVAL_MS = 3_600_000;

/** Launch distance from the line (km, uniform), by weapon type. */
export const LAUNCH_DISTANCE_KM: Readonly<Record<WeaponType, { min: number; max: number }>> = {
  mortar: { min: 1, max: 5 },
  gun: { min: 1, max: 4 },
  'tube-artillery': { min: 5, max: 20 },
  mlrs: { min: 10, max: 40 },
};
/** Impact distance beyond the line (km, uniform), by weapon type. */
export const IMPACT_DISTANCE_KM: Readonly<Record<WeaponType, { min: number; max: number }>> = {
  mortar: { min: 0.3, max: 2.5 },
  gun: { min: 0.2, max: 2 },
  'tube-artillery': { min: 0.5, max: 8 },
  mlrs: { min: 1, max: 12 },
};
/** Share of fire missions whose rounds fall on the firing party's own side of the line. */
export const OWN_SIDE_IMPACT_SHARE = 0.08;
/** Mean speed over the trajectory (m/s): the time of flight is range ÷ this. */
export const MEAN_FLIGHT_SPEED_MS: Readonly<Record<WeaponType, number>> = {
  mortar: 160,
  gun: 700,
  'tube-artillery': 330,
  mlrs: 500,
};
/** Share of fire missions by weapon type (of missions, not rounds). */
export const MISSION_MIX: Readonly<Record<WeaponType, number>> = {
  mortar: 0.45,
  gun: 0.15,
  'tube-artillery': 0.3,
  mlrs: 0.1,
};
/** Rounds per fire mission (uniform integer) and seconds between rounds. */
export const ROUNDS_PER_MISSION: Readonly<Record<WeaponType, { min: number; max: number }>> = {
  mortar: { min: 3, max: 12 },
  gun: { min: 2, max: 8 },
  'tube-artillery': { min: 3, max: 10 },
  mlrs: { min: 6, max: 20 },
};
export const SECONDS_BETWEEN_ROUNDS: Readonly<Record<WeaponType, { min: number; max: number }>> = {
  mortar: { min: 5, max: 15 },
  gun: { min: 4, max: 10 },
  'tube-artillery': { min: 10, max: 30 },
  mlrs: { min: 0.4, max: 0.8 },
};
/** Tubes of a battery stand within this many metres of its centre; rounds fall around the aim point. */
export const BATTERY_RADIUS_M = 100;
export const IMPACT_DISPERSION_M: Readonly<Record<WeaponType, number>> = {
  mortar: 40,
  gun: 15,
  'tube-artillery': 80,
  mlrs: 250,
};

/**
 * Rounds per hour by intensity. The rate at local hour h is `base × (1 + bump(h))`, bump peaking at
 * `PEAK_LOCAL_HOUR` (0 twelve hours away); so the quietest hour carries `base` and the day ~1.5 × 24 ×
 * base. At `worst-day`, even the quietest hour runs above the 7,000-a-day pace of the OSCE mission's
 * worst 24 hours.
 */
export const BASE_ROUNDS_PER_HOUR: Readonly<Record<Intensity, number>> = {
  quiet: 1,
  normal: 20,
  'worst-day': 400,
};
export const PEAK_LOCAL_HOUR = 21;
/** Escalation episodes: how many a day (Poisson), how long, how wide, and how much fire they add. */
export const ESCALATIONS_PER_DAY: Readonly<Record<Intensity, number>> = {
  quiet: 0.5,
  normal: 1,
  'worst-day': 3,
};
export const ESCALATION_MINUTES = { min: 30, max: 180 } as const;
export const ESCALATION_WIDTH_KM = 30;
/** During an episode, its stretch gets this many times the hour's base rate on top. */
export const ESCALATION_EXTRA_RATE = 2;

/** Heavy weapons placed at the start of the run, by intensity: inside their zones, and legally outside. */
export const PLACEMENTS: Readonly<Record<Intensity, { inZone: number; legal: number }>> = {
  quiet: { inZone: 4, legal: 12 },
  normal: { inZone: 20, legal: 30 },
  'worst-day': { inZone: 80, legal: 40 },
};
/** Party drone flights over the line and troop presences, per day. */
export const PARTY_DRONE_FLIGHTS_PER_DAY: Readonly<Record<Intensity, number>> = {
  quiet: 4,
  normal: 30,
  'worst-day': 120,
};
export const TROOP_PRESENCES_PER_DAY: Readonly<Record<Intensity, number>> = {
  quiet: 2,
  normal: 10,
  'worst-day': 40,
};
/** Complaints by each party per day, and the share of them that are false. */
export const COMPLAINTS_PER_PARTY_DAY: Readonly<Record<Intensity, number>> = {
  quiet: 3,
  normal: 12,
  'worst-day': 40,
};
export const FALSE_COMPLAINT_SHARE = 0.3;

/** Fixed sensors are down this share of the time, in outages of 5 minutes to 4 hours (log-uniform). */
export const SENSOR_DOWN_SHARE = 0.05;
export const OUTAGE_MINUTES = { min: 5, max: 240 } as const;
/** A sensor that is up sends a heartbeat this often; every change of state sends one too. */
export const HEARTBEAT_INTERVAL_MS = 3_600_000;

/** Patrols: one team per this many km of line on each side, out between these local hours. */
export const PATROL_SPACING_KM = 60;
export const PATROL_HOURS = { from: 8, to: 16 } as const;
/** Patrols hear fire within this distance, see it within the second, and err this much in bearing. */
export const PATROL_HEARING_KM = 10;
export const PATROL_SEEING_KM = 2;
export const PATROL_BEARING_SIGMA_DEG = 10;
/** Patrols see weapons and troops within this distance (drones within twice it), with this chance a day. */
export const PATROL_SIGHT_KM = 3;
export const PATROL_SIGHTING = 0.7;
/** Chance that a patrol is impeded (denied, delayed, conditional access) on a given day. */
export const PATROL_IMPEDIMENT_PER_DAY = 0.25;

/** Monitoring drones: how many, flights a day each, flight length, and the chance a flight is jammed. */
export const MONITOR_DRONES = 4;
export const MONITOR_FLIGHTS_PER_DAY = 3;
export const MONITOR_FLIGHT_MINUTES = { min: 60, max: 180 } as const;
export const MONITOR_JAMMED_SHARE = 0.2;
export const MONITOR_SIGHT_KM = 3;
export const MONITOR_TRACK_INTERVAL_MS = 600_000;

/** Satellites: revisit interval, the first pass after the start, and resolution (metres). */
export const SATELLITES = [
  { id: 'sat-optical-1', sensor: 'optical', revisitHours: 12, firstPassHours: 3.5, resolutionM: 0.5 },
  { id: 'sat-sar-1', sensor: 'sar', revisitHours: 8, firstPassHours: 6.25, resolutionM: 1 },
] as const;
/** Share of the weapons present that a pass sees (optical only when the cloud cover is below 70 %). */
export const SATELLITE_DETECTION = 0.8;

/** Observations reach the server this long after `observedAt` (uniform, ms), by kind. */
export const DELIVERY_DELAY_MS = {
  acoustic: { min: 200, max: 3_000 },
  radar: { min: 2_000, max: 20_000 },
  camera: { min: 1_000, max: 10_000 },
  drone: { min: 1_000, max: 10_000 },
  satellite: { min: 1_800_000, max: 7_200_000 },
  patrol: { min: 600_000, max: 3_600_000 },
  complaint: { min: 300_000, max: 5_400_000 },
  heartbeat: { min: 0, max: 2_000 },
} as const;
