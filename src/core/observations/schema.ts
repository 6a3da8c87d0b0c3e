/**
 * @module The observation envelope and one payload per kind: the ingest format of every source,
 * validated here and published as JSON Schema (docs/schemas/observation.schema.json) from the same
 * definitions.
 */
import { z } from 'zod';
import {
  ACOUSTIC_SIGNALS,
  DRONE_STATUSES,
  FIRE_DIRECTIONS,
  FIRE_EVENT_TYPES,
  IMPEDIMENTS,
  OSINT_ORIGINS,
  PERCEPTION_MODES,
  RADAR_TRACKS,
  SATELLITE_SENSORS,
  SENSOR_STATES,
  SIGHTED_OBJECTS,
  SOURCE_RELIABILITY,
} from './kinds.ts';

/** Limits on every field; they are part of the published format. */
export const OBSERVATION_LIMITS = {
  idLength: 128,
  textLength: 4000,
  evidenceItems: 32,
  /** 10 years: UCDP rows can span months. */
  maxTimeUncertaintyMs: 10 * 365.25 * 24 * 3600 * 1000,
  maxCircularErrorM: 2_000_000,
  /** Observations may not claim a time more than this far after their receipt. */
  maxFutureSkewMs: 24 * 3600 * 1000,
  earliestObservedAt: '1990-01-01T00:00:00Z',
  latestObservedAt: '2100-01-01T00:00:00Z',
} as const;

/**
 * A strict object whose keys are declared in RFC 8785 order (sorted by UTF-16 code units). zod builds
 * its output in declaration order, so a validated record comes out already in canonical order and its
 * canonical JSON is one native `JSON.stringify` (canonicalJson checks the order; it never relies on it).
 */
function canonicalObject<Shape extends z.ZodRawShape>(shape: Shape): z.ZodObject<Shape, z.core.$strict> {
  const sorted = Object.fromEntries(Object.entries(shape).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return z.strictObject(sorted as Shape);
}

/** Ids of sources, parties, weapon classes: short, printable, no spaces. */
export const identifier = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, { error: 'must be letters, digits, ".", "_", ":" or "-"' });

/**
 * Text a column keeps exactly as validated: no control characters (PostgreSQL refuses NUL), and no
 * unpaired UTF-16 surrogate (UTF-8 cannot carry one: the database would store U+FFFD in its place, and
 * the row would no longer be the one its ledger leaf committed to).
 */
const storableId = (maxLength: number) =>
  z
    .string()
    .min(1)
    .max(maxLength)
    // eslint-disable-next-line no-control-regex
    .regex(/^(?:[^\u0000-\u001f\u007f\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])+$/, {
      error: 'must not contain control characters or unpaired surrogates',
    });

const recordId = storableId(OBSERVATION_LIMITS.idLength);

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const earliest = Date.parse(OBSERVATION_LIMITS.earliestObservedAt);
const latest = Date.parse(OBSERVATION_LIMITS.latestObservedAt);

/**
 * Date.parse rolls 2026-02-30 over to March and reads 24:00 as the next midnight: check that the day
 * exists in its month and that hours, minutes and seconds (and the offset's) are in range.
 */
const twoDigits = (value: string, from: number): number => Number(value.slice(from, from + 2));

function isCalendarDate(value: string): boolean {
  const year = Number(value.slice(0, 4));
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const zone = value.endsWith('Z') ? undefined : value.slice(-6);
  const zoneOk = zone === undefined || (Number(zone.slice(1, 3)) <= 23 && Number(zone.slice(4, 6)) <= 59);
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    twoDigits(value, 11) <= 23 &&
    twoDigits(value, 14) <= 59 &&
    twoDigits(value, 17) <= 59 &&
    zoneOk
  );
}

/** An instant in RFC 3339 form with a zone (`Z` or an offset), between 1990 and 2100. */
export const instant = z.string().superRefine((value, ctx) => {
  if (!ISO_INSTANT.test(value)) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be an RFC 3339 time with a zone, like 2026-03-01T12:00:00Z',
    });
    return;
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || !isCalendarDate(value))
    ctx.addIssue({ code: 'custom', message: 'is not a real date and time' });
  else if (ms < earliest || ms >= latest)
    ctx.addIssue({ code: 'custom', message: 'must be between 1990 and 2100' });
});

export const latitude = z.number().min(-90).max(90);
export const longitude = z.number().min(-180).max(180);
const degrees = z.number().min(0).lt(360);
const sha256Hex = z
  .string()
  .regex(/^[0-9a-f]{64}$/, { error: 'must be a SHA-256 as 64 lowercase hex digits' });
const shortText = (max: number) => z.string().max(max);
const count = z.number().int().min(1).max(100_000);

/** A point with its circular error (metres, 1 σ radius). */
export const position = canonicalObject({
  lat: latitude,
  lon: longitude,
  ceM: z.number().gt(0).max(OBSERVATION_LIMITS.maxCircularErrorM),
});
export type Position = z.infer<typeof position>;

const ellipse = canonicalObject({
  semiMajorM: z.number().gt(0).max(OBSERVATION_LIMITS.maxCircularErrorM),
  semiMinorM: z.number().gt(0).max(OBSERVATION_LIMITS.maxCircularErrorM),
  /** Orientation of the major axis, degrees clockwise from north. */
  orientationDeg: z.number().min(0).lt(180),
});

const pointEstimate = canonicalObject({ lat: latitude, lon: longitude, ellipse });

const distanceBand = canonicalObject({
  minKm: z.number().min(0).max(200),
  maxKm: z.number().gt(0).max(200),
}).refine((band) => band.maxKm > band.minKm, { error: 'maxKm must be greater than minKm', path: ['maxKm'] });

/** Fields every observation has, whatever its kind. */
const common = {
  /** The source's own id for this record: with `sourceId`, the idempotency key. */
  id: recordId,
  sourceId: identifier,
  observedAt: instant,
  /** 1 σ uncertainty of `observedAt`, milliseconds. */
  timeUncertaintyMs: z.number().min(0).max(OBSERVATION_LIMITS.maxTimeUncertaintyMs),
  /** The weapon class id of the agreement, where the source can tell it. */
  weaponClass: identifier.optional(),
  /** Admiralty grading: source reliability A–F, information credibility 1–6. */
  grading: canonicalObject({
    reliability: z.enum(SOURCE_RELIABILITY),
    credibility: z.number().int().min(1).max(6),
  }).optional(),
  /** SHA-256 of attachments that back this record. */
  evidence: z.array(sha256Hex).max(OBSERVATION_LIMITS.evidenceItems).optional(),
  text: shortText(OBSERVATION_LIMITS.textLength).optional(),
  /** Transport: the batch this record came in. Not part of the record's content. */
  batchId: storableId(128).optional(),
  /** Transport: set by the server; a value sent by a client is ignored. */
  receivedAt: z.string().max(64).optional(),
};

const acoustic = canonicalObject({
  ...common,
  kind: z.literal('acoustic'),
  location: position,
  payload: canonicalObject({
    signal: z.enum(ACOUSTIC_SIGNALS),
    bearingDeg: degrees.optional(),
    bearingSigmaDeg: z.number().gt(0).max(180).optional(),
    peakPa: z.number().min(0).optional(),
    snrDb: z.number().min(-50).max(200).optional(),
  }),
});

const seismic = canonicalObject({
  ...common,
  kind: z.literal('seismic'),
  location: position,
  payload: canonicalObject({
    peakVelocityMmS: z.number().min(0).optional(),
    magnitude: z.number().min(-3).max(10).optional(),
    snrDb: z.number().min(-50).max(200).optional(),
  }),
});

const radar = canonicalObject({
  ...common,
  kind: z.literal('radar'),
  location: position,
  payload: canonicalObject({
    track: z.enum(RADAR_TRACKS),
    trackId: shortText(128).optional(),
    origin: pointEstimate.optional(),
    impact: pointEstimate.optional(),
    weaponClassGuess: identifier.optional(),
  }).superRefine((p, ctx) => {
    if (p.track !== 'impact' && p.origin === undefined)
      ctx.addIssue({ code: 'custom', path: ['origin'], message: `is required when track is "${p.track}"` });
    if (p.track !== 'origin' && p.impact === undefined)
      ctx.addIssue({ code: 'custom', path: ['impact'], message: `is required when track is "${p.track}"` });
  }),
});

const sighting = {
  objectType: z.enum(SIGHTED_OBJECTS),
  count: count.optional(),
};

const camera = canonicalObject({
  ...common,
  kind: z.literal('camera'),
  location: position,
  payload: canonicalObject({
    ...sighting,
    count,
    bearingDeg: degrees.optional(),
    rangeM: z.number().gt(0).optional(),
  }),
});

const drone = canonicalObject({
  ...common,
  kind: z.literal('drone'),
  location: position,
  payload: canonicalObject({
    flightId: shortText(128).min(1),
    status: z.enum(DRONE_STATUSES),
    altitudeM: z.number().min(-500).max(30_000).optional(),
    objectType: z.enum(SIGHTED_OBJECTS).optional(),
    count: count.optional(),
  }),
});

const satellite = canonicalObject({
  ...common,
  kind: z.literal('satellite'),
  location: position,
  payload: canonicalObject({
    passId: shortText(128).min(1),
    sensor: z.enum(SATELLITE_SENSORS),
    resolutionM: z.number().gt(0).max(1000),
    objectType: z.enum(SIGHTED_OBJECTS).optional(),
    count: count.optional(),
    cloudCoverPct: z.number().min(0).max(100).optional(),
  }),
});

const patrolCommon = {
  /** Where the monitors stood. */
  observer: position,
  patrolId: shortText(128).optional(),
  place: shortText(200).optional(),
};

const patrolPayload = z.discriminatedUnion('report', [
  canonicalObject({
    ...patrolCommon,
    report: z.literal('fire'),
    mode: z.enum(PERCEPTION_MODES),
    eventType: z.enum(FIRE_EVENT_TYPES),
    direction: z.enum(FIRE_DIRECTIONS),
    distanceBand: distanceBand.optional(),
    bearingDeg: degrees.optional(),
    count,
  }),
  canonicalObject({
    ...patrolCommon,
    report: z.literal('sighting'),
    ...sighting,
    distanceBand: distanceBand.optional(),
    bearingDeg: degrees.optional(),
  }),
  canonicalObject({
    ...patrolCommon,
    report: z.literal('impediment'),
    impediment: z.enum(IMPEDIMENTS),
    delayMinutes: z.number().int().min(0).max(100_000).optional(),
  }),
]);

const patrol = canonicalObject({
  ...common,
  kind: z.literal('patrol'),
  /** Where what was reported happened, when the monitors could tell. */
  location: position.optional(),
  payload: patrolPayload,
});

const complaint = canonicalObject({
  ...common,
  kind: z.literal('complaint'),
  location: position,
  payload: canonicalObject({
    complainant: identifier,
    accused: identifier.optional(),
    /** A prohibited-conduct id of the agreement. */
    allegation: identifier,
    summary: shortText(2000).optional(),
    /** SHA-256 (hex) of attachments uploaded first with PUT /api/v1/attachments/{sha256}. */
    evidence: z
      .array(z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be a SHA-256 in lower-case hex' }))
      .max(50)
      .optional(),
  }),
});

const osint = canonicalObject({
  ...common,
  kind: z.literal('osint'),
  location: position,
  payload: canonicalObject({
    origin: z.enum(OSINT_ORIGINS),
    externalId: shortText(128).optional(),
    url: shortText(2048).optional(),
    headline: shortText(1000).optional(),
    adm1: shortText(200).optional(),
    parties: shortText(500).optional(),
    deaths: canonicalObject({
      best: z.number().int().min(0).optional(),
      low: z.number().int().min(0).optional(),
      high: z.number().int().min(0).optional(),
    }).optional(),
  }),
});

const heartbeat = canonicalObject({
  ...common,
  kind: z.literal('heartbeat'),
  location: position.optional(),
  payload: canonicalObject({
    state: z.enum(SENSOR_STATES),
    batteryPct: z.number().min(0).max(100).optional(),
    note: shortText(500).optional(),
  }),
});

/** Any observation, told apart by `kind`. */
export const observationSchema = z.discriminatedUnion('kind', [
  acoustic,
  seismic,
  radar,
  camera,
  drone,
  satellite,
  patrol,
  complaint,
  osint,
  heartbeat,
]);

/** A validated observation as its source sent it (transport fields included). */
export type ObservationInput = z.infer<typeof observationSchema>;
