/** @module The enumerations of observations, as const tuples with derived unions. */

export const OBSERVATION_KINDS = [
  'acoustic',
  'seismic',
  'radar',
  'camera',
  'drone',
  'satellite',
  'patrol',
  'complaint',
  'osint',
  'heartbeat',
] as const;
export type ObservationKind = (typeof OBSERVATION_KINDS)[number];
export const isObservationKind = (value: unknown): value is ObservationKind =>
  typeof value === 'string' && (OBSERVATION_KINDS as readonly string[]).includes(value);

/** What an observer can tell of fire, in the OSCE mission's words. */
export const FIRE_EVENT_TYPES = [
  'explosion',
  'projectile-in-flight',
  'muzzle-flash',
  'illumination-flare',
  'bursts-and-shots',
] as const;
export type FireEventType = (typeof FIRE_EVENT_TYPES)[number];

export const FIRE_DIRECTIONS = ['incoming', 'outgoing', 'undetermined'] as const;
export type FireDirection = (typeof FIRE_DIRECTIONS)[number];

export const PERCEPTION_MODES = ['heard', 'seen', 'heard-and-seen'] as const;
export type PerceptionMode = (typeof PERCEPTION_MODES)[number];

export const ACOUSTIC_SIGNALS = ['launch', 'impact', 'impulse', 'unknown'] as const;
export const RADAR_TRACKS = ['origin', 'impact', 'origin-and-impact'] as const;
export const SIGHTED_OBJECTS = [
  'weapon',
  'vehicle',
  'troops',
  'fortification',
  'fire',
  'explosion',
  'flare',
  'drone',
  'other',
] as const;
export const DRONE_STATUSES = ['detection', 'track', 'lost', 'jammed'] as const;
export const SATELLITE_SENSORS = ['optical', 'sar'] as const;
export const PATROL_REPORTS = ['fire', 'sighting', 'impediment'] as const;
export const IMPEDIMENTS = [
  'denied',
  'delayed',
  'conditional',
  'jamming',
  'fire-at-monitors',
  'sensor-destroyed',
] as const;
export const OSINT_ORIGINS = ['ucdp-ged', 'acled', 'media', 'social', 'other'] as const;
export const SENSOR_STATES = ['up', 'down', 'degraded'] as const;
export type SensorState = (typeof SENSOR_STATES)[number];

/** Admiralty grading: source reliability A (completely reliable) … F (cannot be judged). */
export const SOURCE_RELIABILITY = ['A', 'B', 'C', 'D', 'E', 'F'] as const;
