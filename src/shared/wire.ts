/**
 * @module Wire types and schemas shared by the API and the web client: what goes over HTTP.
 */
import { z } from 'zod';
import type { SetAsideSummary } from '../core/ports/fusion-store.ts';

/** Every error response has this shape. */
export const errorResponseSchema = z
  .object({
    code: z.string().describe('A stable code from docs/errors.md'),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), reason: z.string() })).optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'Error' });
export type ErrorResponse = z.infer<typeof errorResponseSchema>;

export const rejectionSchema = z.object({
  index: z
    .number()
    .int()
    .describe(
      'Where the record is in the request, from 0: its index in a JSON array, or its line in NDJSON (blank lines counted)',
    ),
  field: z.string(),
  reason: z.string(),
  sourceId: z.string().optional(),
  recordId: z.string().optional(),
  issues: z.array(z.object({ path: z.string(), reason: z.string() })),
});

export const ingestReportSchema = z
  .object({
    accepted: z.number().int(),
    duplicates: z.number().int(),
    conflicts: z.number().int(),
    rejected: z.number().int(),
    rejections: z.array(rejectionSchema).describe('Every rejected or conflicting record'),
    lastSeq: z.number().int().nullable().describe('The highest commit sequence this request wrote'),
  })
  .meta({ id: 'IngestReport' });
export type IngestReportWire = z.infer<typeof ingestReportSchema>;

/** A stored observation as the API presents it: the record as sent, plus what the server added. */
const markingWireSchema = z
  .object({
    tlp: z.enum(['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED']),
    releasableTo: z.array(z.string()).describe('Organisation ids, or @kind for every organisation of a kind'),
  })
  .meta({ id: 'Marking', description: 'TLP 2.0 level and releasability' });

export const storedObservationSchema = z
  .object({
    seq: z.number().int().describe('Commit sequence'),
    receivedAt: z.string(),
    contentSha256: z.string(),
    record: z
      .record(z.string(), z.unknown())
      .describe(
        'The observation as its source sent it (canonical form); outside the mission, patrol reports lose who observed (`sourceId`, `id`, `payload.observer`, `payload.patrolId`)',
      ),
    marking: markingWireSchema,
  })
  .meta({ id: 'StoredObservation' });
export type StoredObservationWire = z.infer<typeof storedObservationSchema>;

export const observationPageSchema = z
  .object({
    items: z.array(storedObservationSchema),
    next: z.string().nullable().describe('Pass as `after` to get the next page; null on the last page'),
  })
  .meta({ id: 'ObservationPage' });

/** Names of the live stream's events. */
export const STREAM_EVENTS = [
  'observation',
  'event',
  'violation',
  'case',
  'deadline',
  'sensor',
  'closed',
] as const;
export type StreamEventName = (typeof STREAM_EVENTS)[number];

/** What fusion set aside of a sensor's reports: on the sources route, and in the stream's `sensor` messages. */
const setAsideWireSchema = z.object({
  reason: z
    .enum(['crowded'])
    .describe(
      'crowded: the sensor reported more arrivals within 10 s than an array tells apart (docs/decisions/0016)',
    ),
  arrivals: z.number().int(),
  first: z.string().describe('Observed time of the earliest of them'),
  last: z.string().describe('Observed time of the latest of them'),
});
export type SetAsideWire = z.infer<typeof setAsideWireSchema>;

/** A summary as it leaves the server. */
export const toSetAsideWire = (s: SetAsideSummary): SetAsideWire => ({
  reason: s.reason,
  arrivals: s.arrivals,
  first: new Date(s.firstMs).toISOString(),
  last: new Date(s.lastMs).toISOString(),
});

/** A source as the API presents it; the parties see only `id`, `kind` and `organisation`. */
export const sourceWireSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    organisation: z.string(),
    name: z.string().optional(),
    position: z
      .object({ lat: z.number(), lon: z.number(), altitudeM: z.number().optional() })
      .nullable()
      .optional(),
    orientationDeg: z.number().nullable().optional(),
    capabilities: z.record(z.string(), z.unknown()).optional(),
    keys: z
      .array(
        z.object({
          keyId: z.string(),
          algorithm: z.string(),
          createdAt: z.string(),
          revokedAt: z.string().nullable(),
          compromisedAt: z.string().nullable(),
        }),
      )
      .optional(),
    registeredAt: z.string().optional(),
    marking: markingWireSchema.optional(),
    status: z
      .object({ state: z.enum(['up', 'down', 'degraded']), since: z.string(), lastHeartbeat: z.string() })
      .nullable()
      .optional()
      .describe('From the last heartbeats; null if it never sent one'),
    setAside: z
      .array(setAsideWireSchema)
      .optional()
      .describe('Its reports fusion set aside unused, and why: they are stored, but in no event'),
  })
  .meta({ id: 'Source' });
export type SourceWire = z.infer<typeof sourceWireSchema>;

const gaussianPointSchema = z
  .object({
    lat: z.number(),
    lon: z.number(),
    covariance: z
      .tuple([z.number(), z.number(), z.number()])
      .nullable()
      .describe(
        '[σ²east, cov(east, north), σ²north] in m², in the local east/north plane; null where the location is coarsened (the public)',
      ),
  })
  .meta({ id: 'GaussianPoint' });

/** An event as the API presents it: one revision, with when it was committed. */
export const eventWireSchema = z
  .object({
    seq: z.number().int().describe('Commit sequence of this revision'),
    committedAt: z.string(),
    id: z.string(),
    revision: z.number().int(),
    type: z.string().describe('OSCE taxonomy: explosion, projectile-in-flight, …; weapon-sighting, …'),
    phase: z.enum(['launch', 'impact']).nullable(),
    status: z.enum(['active', 'withdrawn']),
    time: z.string(),
    timeSigmaMs: z.number(),
    location: gaussianPointSchema.nullable(),
    origin: gaussianPointSchema.nullable(),
    impact: gaussianPointSchema.nullable(),
    method: z.string(),
    weaponClass: z.string().nullable(),
    count: z.number().nullable(),
    provenance: z
      .array(z.record(z.string(), z.unknown()))
      .describe(
        'Every contributing observation (seq, source, record id, kind, role); for the parties and the public only counts by source kind ({kind, count})',
      ),
    marking: markingWireSchema,
    asOfSeq: z.number().int(),
  })
  .meta({ id: 'Event' });
export type EventWire = z.infer<typeof eventWireSchema>;

/** A potential violation as the API presents it: one revision, with its explanation. */
export const violationWireSchema = z
  .object({
    seq: z.number().int().describe('Commit sequence of this revision'),
    committedAt: z.string(),
    id: z.string(),
    revision: z.number().int(),
    eventId: z.string(),
    eventRevision: z.number().int(),
    clause: z.string(),
    zoneId: z.string().nullable(),
    agreementVersion: z.string().describe('The version in force at the event’s time, `id@n`'),
    time: z.string(),
    party: z.string().nullable(),
    distanceToLineKm: z.number().nullable(),
    explanation: z.string(),
    marking: markingWireSchema,
  })
  .loose()
  .meta({ id: 'PotentialViolation' });
export type ViolationWire = z.infer<typeof violationWireSchema>;

export const eventPageSchema = z
  .object({ items: z.array(eventWireSchema), next: z.string().nullable() })
  .meta({ id: 'EventPage' });
export const violationPageSchema = z
  .object({ items: z.array(violationWireSchema), next: z.string().nullable() })
  .meta({ id: 'ViolationPage' });
