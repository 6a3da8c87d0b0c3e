/**
 * @module The agreement document, field by field, as zod schemas — the one definition behind
 * docs/agreement-format.md, the parser and the `Agreement` type. Checks that span fields (references
 * between sections, geometry, amendments) live in check-agreement.ts.
 */
import { LONE_SURROGATE } from '../validation/text.ts';
import { z } from 'zod';
import { identifier, instant } from '../observations/schema.ts';
import { AGREEMENT_FORMAT, DECISION_RULES, EVENT_KINDS } from './kinds.ts';

/** Limits on every field; they are part of the published format. */
export const AGREEMENT_LIMITS = {
  /** The whole document as text, in characters. */
  maxTextLength: 16 * 1024 * 1024,
  /** Items in any one list (parties, zones, members, …). */
  maxItems: 1000,
  /** Positions in one geometry. */
  maxPositions: 250_000,
  labelLength: 200,
  textLength: 10_000,
  maxDistanceKm: 2000,
  /** One year. */
  maxHours: 8760,
} as const;

/**
 * Control characters but tab and line ends, and unpaired UTF-16 surrogates: text no store keeps alike
 * (PostgreSQL refuses NUL; each store replaces a lone surrogate its own way), which the rules would
 * copy into every potential violation's explanation.
 */
const CONTROL =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Text that is not blank, up to `max` characters. */
const text = (max: number = AGREEMENT_LIMITS.labelLength) =>
  z
    .string()
    .max(max)
    .refine((value) => value.trim() !== '', { error: 'must not be empty' })
    .refine((value) => !CONTROL.test(value) && !LONE_SURROGATE.test(value), {
      error: 'must not contain control characters (but tab and line ends) or unpaired surrogates',
    });

const list = <T extends z.ZodType>(item: T) => z.array(item).max(AGREEMENT_LIMITS.maxItems);

const isTimeZone = (value: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
};

/** An IANA time zone name such as `Europe/Kyiv`. */
export const timeZoneSchema = z
  .string()
  .max(64)
  .refine(isTimeZone, { error: 'must be an IANA time zone such as Europe/Kyiv' });

/** A local time of day, `HH:MM` on a 24-hour clock. */
export const localTimeSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a local time HH:MM such as 19:30' });

/** An RFC 3339 instant whose date is a real calendar date (2026-02-30 is not): the observations' `instant`. */
export const instantSchema = instant;

/** A distance in kilometres: a number greater than 0. Every distance of the format is named `distanceKm`. */
export const distanceKmSchema = z.number().positive().max(AGREEMENT_LIMITS.maxDistanceKm);

/** A duration in hours: a number greater than 0. */
export const hoursSchema = z.number().positive().max(AGREEMENT_LIMITS.maxHours);

// ——— geometry (GeoJSON, RFC 7946: positions are [longitude, latitude] in WGS 84 degrees) ———

/** `[longitude, latitude]`; a latitude beyond ±90 that would fit as a longitude is reported as swapped. */
export const positionSchema = z.tuple([z.number(), z.number()]).superRefine(([lon, lat], ctx) => {
  if (lat < -90 || lat > 90) {
    const swapped = Math.abs(lon) <= 90 && Math.abs(lat) <= 180;
    ctx.addIssue({
      code: 'custom',
      path: [1],
      message: swapped
        ? `latitude ${lat} is beyond ±90: latitude and longitude appear swapped (GeoJSON positions are [longitude, latitude])`
        : 'latitude must be between -90 and 90',
    });
  }
  if (lon < -180 || lon > 180)
    ctx.addIssue({ code: 'custom', path: [0], message: 'longitude must be between -180 and 180' });
});
/** A GeoJSON position: `[longitude, latitude]`. */
export type Position = readonly [lon: number, lat: number];

const positions = (min: number) => z.array(positionSchema).min(min).max(AGREEMENT_LIMITS.maxPositions);
const polygonCoordinates = z.array(positions(4)).min(1).max(AGREEMENT_LIMITS.maxItems);

/** A GeoJSON LineString. */
export const lineStringSchema = z.strictObject({
  type: z.literal('LineString'),
  coordinates: positions(2),
});

/** A GeoJSON Polygon: the exterior ring counter-clockwise, then holes clockwise, every ring closed. */
export const polygonSchema = z.strictObject({
  type: z.literal('Polygon'),
  coordinates: polygonCoordinates,
});

/** A GeoJSON MultiPolygon. */
export const multiPolygonSchema = z.strictObject({
  type: z.literal('MultiPolygon'),
  coordinates: z.array(polygonCoordinates).min(1).max(AGREEMENT_LIMITS.maxItems),
});

/** An area: a Polygon or a MultiPolygon. */
export const areaGeometrySchema = z.discriminatedUnion('type', [polygonSchema, multiPolygonSchema]);

// ——— the sections ———

/** A party to the agreement. */
export const partySchema = z.strictObject({
  id: identifier,
  /** The party's name in English, Ukrainian and Russian. */
  names: z.strictObject({ en: text(), uk: text(), ru: text() }),
});

/** `[west, south, east, north]` in degrees, as a GeoJSON bbox. */
export const bboxSchema = z
  .tuple([z.number(), z.number(), z.number(), z.number()])
  .superRefine(([west, south, east, north], ctx) => {
    if (west < -180 || west > 180)
      ctx.addIssue({ code: 'custom', path: [0], message: 'west must be a longitude between -180 and 180' });
    if (east < -180 || east > 180)
      ctx.addIssue({ code: 'custom', path: [2], message: 'east must be a longitude between -180 and 180' });
    if (south < -90 || south > 90)
      ctx.addIssue({ code: 'custom', path: [1], message: 'south must be a latitude between -90 and 90' });
    if (north < -90 || north > 90)
      ctx.addIssue({ code: 'custom', path: [3], message: 'north must be a latitude between -90 and 90' });
    if (west >= east)
      ctx.addIssue({
        code: 'custom',
        message: 'west (first) must be less than east (third): [west, south, east, north]',
      });
    if (south >= north)
      ctx.addIssue({
        code: 'custom',
        message: 'south (second) must be less than north (fourth): [west, south, east, north]',
      });
  });

/** Where the terms apply: admin-1 codes, a bounding box, or both. */
export const areaOfApplicationSchema = z
  .strictObject({
    description: text(AGREEMENT_LIMITS.textLength).optional(),
    /** ISO 3166-2 codes of the admin-1 units the terms apply to; the sides are built from them. */
    admin1: list(
      z.string().regex(/^[A-Z]{2}-[A-Z0-9]{1,3}$/, { error: 'must be an ISO 3166-2 code such as UA-14' }),
    )
      .min(1)
      .optional(),
    bbox: bboxSchema.optional(),
  })
  .refine((area) => area.admin1 !== undefined || area.bbox !== undefined, {
    error: 'must give admin1 codes, a bbox, or both',
  });

/** A line distances are measured from, for the parties it names. */
export const referenceLineSchema = z.strictObject({
  id: identifier,
  /** The parties whose distances are measured from this line; every party has exactly one line. */
  parties: list(identifier).min(1),
  description: text(AGREEMENT_LIMITS.textLength).optional(),
  /** True when the line is drawn approximately (demonstration data). */
  approximate: z.boolean().default(false),
  geometry: lineStringSchema,
});

/** A party's side: the territory an origin of fire is that party's from. */
export const sideSchema = z.strictObject({
  party: identifier,
  description: text(AGREEMENT_LIMITS.textLength).optional(),
  geometry: areaGeometrySchema,
});

const calibre = z.number().positive().max(2000);
/** Calibre bounds in mm: `atLeast`/`atMost` inclusive, `above`/`below` exclusive. */
export const calibreRangeSchema = z
  .strictObject({
    atLeast: calibre.optional(),
    above: calibre.optional(),
    atMost: calibre.optional(),
    below: calibre.optional(),
  })
  .superRefine((range, ctx) => {
    const { atLeast, above, atMost, below } = range;
    if (atLeast === undefined && above === undefined && atMost === undefined && below === undefined)
      ctx.addIssue({
        code: 'custom',
        message: 'must give at least one bound: atLeast, above, atMost or below',
      });
    if (atLeast !== undefined && above !== undefined)
      ctx.addIssue({ code: 'custom', path: ['above'], message: 'give atLeast or above, not both' });
    if (atMost !== undefined && below !== undefined)
      ctx.addIssue({ code: 'custom', path: ['below'], message: 'give atMost or below, not both' });
    const low = atLeast ?? above;
    const high = atMost ?? below;
    if (low !== undefined && high !== undefined) {
      const bothInclusive = atLeast !== undefined && atMost !== undefined;
      if (bothInclusive ? low > high : low >= high)
        ctx.addIssue({
          code: 'custom',
          message: `the range is empty: the lower bound (${low} mm) must be ${bothInclusive ? 'at most' : 'below'} the upper bound (${high} mm)`,
        });
    }
  });

/** A class of weapon that zones and sightings refer to. */
export const weaponClassSchema = z.strictObject({
  id: identifier,
  description: text(AGREEMENT_LIMITS.textLength),
  /** Calibre bounds in millimetres; absent when the class is not defined by calibre (tanks). */
  calibreMm: calibreRangeSchema.optional(),
  examples: list(text()).default([]),
});

const zoneCommon = {
  id: identifier,
  label: text(),
  description: text(AGREEMENT_LIMITS.textLength).optional(),
};

/** A buffer (security) zone `distanceKm` wide on each side. */
export const bufferZoneSchema = z.strictObject({
  ...zoneCommon,
  kind: z.literal('buffer'),
  /** Width on each side, measured for each party from that party's reference line. */
  distanceKm: distanceKmSchema,
  /** The parties the zone binds; absent means every party. */
  parties: list(identifier).min(1).optional(),
});

/** Weapon classes kept `distanceKm` back from each party's own reference line. */
export const limitationZoneSchema = z.strictObject({
  ...zoneCommon,
  kind: z.literal('limitation'),
  weaponClasses: list(identifier).min(1),
  /** How far back from its own reference line each party keeps these classes. */
  distanceKm: distanceKmSchema,
  parties: list(identifier).min(1).optional(),
});

/** An area all forces leave, drawn as a polygon. */
export const disengagementAreaSchema = z.strictObject({
  ...zoneCommon,
  kind: z.literal('disengagement-area'),
  geometry: areaGeometrySchema,
});

/** A zone, by `kind`. */
export const zoneSchema = z.discriminatedUnion('kind', [
  bufferZoneSchema,
  limitationZoneSchema,
  disengagementAreaSchema,
]);

/** One entry of the taxonomy of prohibited conduct. */
export const prohibitedConductSchema = z.strictObject({
  id: identifier,
  label: text(),
  description: text(AGREEMENT_LIMITS.textLength).optional(),
  /** The event kinds this conduct is found in. */
  eventKinds: list(z.enum(EVENT_KINDS)).min(1),
  /** Where it is prohibited; absent means anywhere in the area of application. */
  zones: list(identifier).min(1).optional(),
});

/** A member organisation of the Special Commission. */
export const commissionMemberSchema = z.strictObject({
  id: identifier,
  name: text(),
  /** The party this member represents, if any; it is recused from cases that party is a party to. */
  party: identifier.optional(),
});

/** The Special Commission's settings. */
export const commissionSchema = z.strictObject({
  members: list(commissionMemberSchema).min(1),
  /** The member id of the chair. */
  chair: identifier,
  decisionRule: z.enum(DECISION_RULES),
  /** The least number of members entitled to vote on a case who must take part (for, against or abstaining). */
  quorum: z.number().int().min(1).max(AGREEMENT_LIMITS.maxItems),
  /** On a tie under the majority rule, the chair's vote decides. */
  chairCastingVote: z.boolean().default(true),
  /** Members representing a party to a case do not vote on it. */
  recuseParties: z.boolean().default(true),
  /** Abstentions are always recorded; when false they do not count toward a majority. */
  countAbstentions: z.boolean().default(false),
  /** How long the accused party has to reply, from the recorded notification. */
  replyWindowHours: hoursSchema.default(72),
});

/** One step of the escalation ladder. */
export const escalationStepSchema = z.strictObject({
  id: identifier,
  label: text(),
  description: text(AGREEMENT_LIMITS.textLength).optional(),
  /** How long this step runs, by default, before the next one is due. */
  deadlineHours: hoursSchema,
});

/** The escalation ladder, first step first. */
export const escalationLadderSchema = list(escalationStepSchema).min(1);

/** A text the terms come from. */
export const citationSchema = z.strictObject({
  title: text(AGREEMENT_LIMITS.textLength),
  url: z
    .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
    .max(2000)
    .optional(),
});

/** Changes to one keyed section: remove by key, replace by key, add new keys (applied in that order). */
const keyedChanges = <T extends z.ZodType>(item: T) =>
  z
    .strictObject({
      remove: list(identifier).min(1).optional(),
      replace: list(item).min(1).optional(),
      add: list(item).min(1).optional(),
    })
    .refine(
      (changes) => changes.remove !== undefined || changes.replace !== undefined || changes.add !== undefined,
      {
        error: 'must have remove, replace or add',
      },
    );

/** What an amendment changes: keyed sections item by item, the others whole. */
export const amendmentChangesSchema = z
  .strictObject({
    parties: keyedChanges(partySchema).optional(),
    referenceLines: keyedChanges(referenceLineSchema).optional(),
    sides: keyedChanges(sideSchema).optional(),
    weaponClasses: keyedChanges(weaponClassSchema).optional(),
    zones: keyedChanges(zoneSchema).optional(),
    prohibitedConduct: keyedChanges(prohibitedConductSchema).optional(),
    areaOfApplication: areaOfApplicationSchema.optional(),
    reportingDayCutoff: localTimeSchema.optional(),
    commission: commissionSchema.optional(),
    escalationLadder: escalationLadderSchema.optional(),
  })
  .refine((changes) => Object.keys(changes).length > 0, {
    error: 'must change at least one section',
  });

/** An amendment: from `effectiveAt` on, the terms with `changes` applied. */
export const amendmentSchema = z.strictObject({
  id: identifier,
  title: text(),
  description: text(AGREEMENT_LIMITS.textLength).optional(),
  /** From this instant the amended terms are in force. */
  effectiveAt: instantSchema,
  changes: amendmentChangesSchema,
});

/** The fields of the document, each with its schema (the lenient checker parses them one by one). */
export const agreementShape = {
  format: z.literal(AGREEMENT_FORMAT),
  id: identifier,
  title: text(),
  description: text(AGREEMENT_LIMITS.textLength).optional(),
  citations: list(citationSchema).optional(),
  effectiveAt: instantSchema,
  timeZone: timeZoneSchema,
  reportingDayCutoff: localTimeSchema.default('19:30'),
  parties: list(partySchema).min(2),
  areaOfApplication: areaOfApplicationSchema,
  referenceLines: list(referenceLineSchema).min(1),
  sides: list(sideSchema).min(1),
  weaponClasses: list(weaponClassSchema).default([]),
  zones: list(zoneSchema).default([]),
  prohibitedConduct: list(prohibitedConductSchema).min(1),
  commission: commissionSchema,
  escalationLadder: escalationLadderSchema,
  amendments: list(amendmentSchema).default([]),
};

/** The whole agreement document. */
export const agreementSchema = z.strictObject(agreementShape);

/** Makes a parsed value read-only all the way down: agreements are immutable values. */
export type Immutable<T> = T extends object ? { readonly [K in keyof T]: Immutable<T[K]> } : T;

type Out<S extends z.ZodType> = Immutable<z.output<S>>;

/** A validated agreement document, with defaults filled in. Get one from `parseAgreement`. */
export type Agreement = Out<typeof agreementSchema>;
export type Party = Out<typeof partySchema>;
export type AreaOfApplication = Out<typeof areaOfApplicationSchema>;
export type LineStringGeometry = Out<typeof lineStringSchema>;
export type PolygonGeometry = Out<typeof polygonSchema>;
export type MultiPolygonGeometry = Out<typeof multiPolygonSchema>;
export type AreaGeometry = Out<typeof areaGeometrySchema>;
export type ReferenceLine = Out<typeof referenceLineSchema>;
export type Side = Out<typeof sideSchema>;
export type CalibreRange = Out<typeof calibreRangeSchema>;
export type WeaponClass = Out<typeof weaponClassSchema>;
export type BufferZone = Out<typeof bufferZoneSchema>;
export type LimitationZone = Out<typeof limitationZoneSchema>;
export type DisengagementArea = Out<typeof disengagementAreaSchema>;
export type Zone = Out<typeof zoneSchema>;
export type ProhibitedConduct = Out<typeof prohibitedConductSchema>;
export type CommissionMember = Out<typeof commissionMemberSchema>;
export type CommissionSettings = Out<typeof commissionSchema>;
export type EscalationStep = Out<typeof escalationStepSchema>;
export type Amendment = Out<typeof amendmentSchema>;
export type AmendmentChanges = Out<typeof amendmentChangesSchema>;
/** `[west, south, east, north]` in degrees. */
export type Bbox = readonly [west: number, south: number, east: number, north: number];
