/**
 * @module Wire types and schemas shared by the API and the web client: what goes over HTTP.
 */
import { z } from 'zod';

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
  index: z.number().int().describe('0-based index of the record in the request'),
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
export const storedObservationSchema = z
  .object({
    seq: z.number().int().describe('Commit sequence'),
    receivedAt: z.string(),
    contentSha256: z.string(),
    record: z
      .record(z.string(), z.unknown())
      .describe('The observation as its source sent it (canonical form)'),
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
export const STREAM_EVENTS = ['observation', 'event', 'violation', 'case', 'deadline'] as const;
export type StreamEventName = (typeof STREAM_EVENTS)[number];

export const sourceWireSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    organisation: z.string(),
    name: z.string(),
    position: z.object({ lat: z.number(), lon: z.number(), altitudeM: z.number().optional() }).nullable(),
    orientationDeg: z.number().nullable(),
    capabilities: z.record(z.string(), z.unknown()),
    keys: z.array(
      z.object({
        keyId: z.string(),
        algorithm: z.string(),
        createdAt: z.string(),
        revokedAt: z.string().nullable(),
      }),
    ),
    registeredAt: z.string(),
    status: z
      .object({ state: z.enum(['up', 'down', 'degraded']), since: z.string(), lastHeartbeat: z.string() })
      .nullable()
      .describe('From the last heartbeats; null if it never sent one'),
  })
  .meta({ id: 'Source' });
export type SourceWire = z.infer<typeof sourceWireSchema>;
