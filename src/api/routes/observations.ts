/**
 * @module `/api/v1/observations`: ingest (a JSON array or NDJSON) and query. Each handler:
 * validate → (authorise, from the access issue on) → run the use case → present.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../application/app-deps.ts';
import { lodgeComplaints } from '../../application/verification/lodge-complaints.ts';
import { queryObservations } from '../../application/query-observations.ts';
import {
  recordSignedBatch,
  type SignatureWindow,
  type SignedBatchInput,
} from '../../application/record-signed-batch.ts';
import type { IngestReport } from '../../application/record-observations.ts';
import { readKeys, type ReadLog } from '../../application/access/read-log.ts';
import type { RecordBudget } from '../../application/record-budget.ts';
import { DEFAULT_MARKINGS } from '../../core/access/markings.ts';
import { mayRead, readerOrg } from '../../core/access/policy.ts';
import { TrucelineError } from '../../core/errors.ts';
import type { StoredObservation } from '../../core/ports/observation-store.ts';
import { OBSERVATION_KINDS, type ObservationKind } from '../../core/observations/kinds.ts';
import { instant, observationSchema } from '../../core/observations/schema.ts';
import { errorResponseSchema, ingestReportSchema, observationPageSchema } from '../../shared/wire.ts';
import { presentObservation, presentObservationPage } from '../presenters/observation-presenter.ts';
import { viewOf } from '../reader.ts';
import { docOnly } from '../schema-compilers.ts';

export interface ObservationRouteOptions {
  readonly readLog: ReadLog;
  readonly signatureWindow: SignatureWindow;
  readonly bodyLimitBytes: number;
  readonly maxRecordsPerRequest: number;
  readonly maxPageSize: number;
  /** Records a minute per source key, shared by every signed route. */
  readonly recordBudget: RecordBudget;
}

export const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

export const bboxParam = z
  .string()
  .transform((value, ctx) => {
    const parts = value.split(',').map(Number);
    const [west, south, east, north] = parts;
    if (
      parts.length !== 4 ||
      west === undefined ||
      south === undefined ||
      east === undefined ||
      north === undefined ||
      parts.some((n) => !Number.isFinite(n))
    ) {
      ctx.addIssue({ code: 'custom', message: 'must be four numbers: west,south,east,north' });
      return z.NEVER;
    }
    if (west < -180 || east > 180 || south < -90 || north > 90)
      ctx.addIssue({ code: 'custom', message: 'must lie within -180..180 longitude and -90..90 latitude' });
    else if (west > east)
      ctx.addIssue({
        code: 'custom',
        message: 'west must not be greater than east (boxes may not cross the antimeridian)',
      });
    else if (south > north) ctx.addIssue({ code: 'custom', message: 'south must not be greater than north' });
    return { west, south, east, north };
  })
  .describe('west,south,east,north in degrees; edges are inclusive');

const kindParam = z
  .string()
  .transform((value, ctx) => {
    const kinds = list(value);
    const unknown = kinds.filter((k) => !(OBSERVATION_KINDS as readonly string[]).includes(k));
    if (unknown.length > 0)
      ctx.addIssue({
        code: 'custom',
        message: `must be among ${OBSERVATION_KINDS.join(', ')}; not ${unknown.join(', ')}`,
      });
    return kinds as ObservationKind[];
  })
  .describe('one or more kinds, comma-separated');

const querySchema = (maxPageSize: number) =>
  z.strictObject({
    bbox: bboxParam.optional(),
    from: instant.optional().describe('observed at or after (RFC 3339)'),
    to: instant.optional().describe('observed before (RFC 3339)'),
    kind: kindParam.optional(),
    source: z.string().transform(list).optional().describe('one or more source ids, comma-separated'),
    after: z
      .string()
      .regex(/^\d{1,15}$/, { error: 'must be the `next` cursor of a previous page' })
      .optional(),
    limit: z.coerce.number().int().min(1).max(maxPageSize).default(Math.min(1000, maxPageSize)),
  });

/**
 * Why a body cannot be read as sent, if it cannot: only UTF-8 and no content coding are taken, so
 * a body in another charset or compressed is refused (415) before anything of it is stored, rather
 * than read as garbage.
 */
function unreadableBody(request: FastifyRequest): TrucelineError | undefined {
  const encoding = request.headers['content-encoding']?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity')
    return new TrucelineError(
      'E_UNSUPPORTED_MEDIA_TYPE',
      `content encoding ${encoding} is not accepted: send the body uncompressed; nothing from it was stored`,
    );
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(String(request.headers['content-type']))?.[1];
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8' && charset.toLowerCase() !== 'utf8')
    return new TrucelineError(
      'E_UNSUPPORTED_MEDIA_TYPE',
      `charset ${charset} is not accepted: observations are UTF-8; nothing from the body was stored`,
    );
  return undefined;
}

/** A signed batch as the use cases take it: the request as it came, its body as bytes. */
function signedInput(
  request: FastifyRequest,
  body: Buffer,
  options: Pick<ObservationRouteOptions, 'maxRecordsPerRequest' | 'recordBudget'>,
): SignedBatchInput {
  const ndjson = String(request.headers['content-type']).toLowerCase().startsWith('application/x-ndjson');
  return {
    method: request.method,
    target: request.url,
    headers: request.headers as Record<string, string | undefined>,
    body,
    format: ndjson ? 'ndjson' : 'json',
    maxRecords: options.maxRecordsPerRequest,
    recordBudget: options.recordBudget,
  };
}

/** An ingest report as the API presents it: each rejection by its index in the batch. */
const presentReport = (report: IngestReport) => ({
  ...report,
  rejections: report.rejections.map(({ position, issues, ...rest }) => ({
    index: position,
    ...rest,
    issues: [...issues],
  })),
});

export function observationRoutes(deps: AppDeps, options: ObservationRouteOptions) {
  return async (app: FastifyInstance): Promise<void> => {
    // Bodies are taken as bytes and parsed record by record where they are validated (a worker thread
    // decodes them), so one bad record rejects only itself. Only JSON and NDJSON are accepted:
    // anything else is a 415.
    app.removeAllContentTypeParsers();
    for (const type of ['application/json', 'application/x-ndjson']) {
      app.addContentTypeParser(
        type,
        { parseAs: 'buffer', bodyLimit: options.bodyLimitBytes },
        (request, body, done) => {
          const refused = unreadableBody(request);
          if (refused === undefined) done(null, body);
          else done(refused, undefined);
        },
      );
    }
    const route = app.withTypeProvider<ZodTypeProvider>();

    route.post(
      '/api/v1/observations',
      {
        config: { action: 'observations:submit' },
        bodyLimit: options.bodyLimitBytes,
        schema: {
          summary: "Ingest a source's signed batch of observations",
          description: `A JSON array of observations (application/json) or one observation per line (application/x-ndjson), at most ${options.maxRecordsPerRequest} records and ${options.bodyLimitBytes} bytes, every record of the signing source, and at most ${options.recordBudget.perMinute} records a minute per source key (429 E_RATE_LIMITED beyond, nothing stored). The request must carry an HTTP Message Signature (RFC 9421, Ed25519, label sig1) covering @method, @path, content-type and content-digest (RFC 9530, sha-256), with the parameters created, keyid, nonce (the batch id) and alg="ed25519"; no token is needed. Each record is accepted, a duplicate, a conflict or rejected on its own; the answer comes after the commit. A resend with the same batch id and body reports its records as duplicates; the same batch id with another body is refused (E_NONCE_REUSED).`,
          tags: ['observations'],
          body: docOnly(z.array(observationSchema)),
          response: {
            200: ingestReportSchema,
            400: errorResponseSchema,
            401: errorResponseSchema,
            409: errorResponseSchema,
            413: errorResponseSchema,
            415: errorResponseSchema,
            429: errorResponseSchema,
          },
        },
      },
      async (request) => {
        const report = await recordSignedBatch(
          deps,
          signedInput(request, request.body as unknown as Buffer, options),
          options.signatureWindow,
        );
        return presentReport(report);
      },
    );

    route.post(
      '/api/v1/complaints',
      {
        config: { action: 'complaints:submit' },
        bodyLimit: options.bodyLimitBytes,
        schema: {
          summary: "A party's complaints: its liaison's token, and signed with the party's complaint key",
          description:
            "Records of kind `complaint` (what: `payload.allegation`, a prohibited-conduct id; where: `location`; when: `observedAt`; evidence: `payload.evidence`, SHA-256s of attachments uploaded first), sourceId = the party, signed exactly like a source's batch (RFC 9421) with the key of the source under the party's id (`truceline sources keygen --source <party id>`). Each stored complaint gets a verification item, linked to the events near it.",
          tags: ['verification'],
          body: docOnly(z.array(observationSchema)),
          response: {
            200: ingestReportSchema
              .extend({ items: z.array(z.string()).describe('The verification items of the complaints') })
              .meta({ id: 'ComplaintReport' }),
            400: errorResponseSchema,
            401: errorResponseSchema,
            403: errorResponseSchema,
            429: errorResponseSchema,
          },
        },
      },
      async (request) => {
        const principal = request.principal;
        if (principal.type !== 'user')
          throw new TrucelineError('E_UNAUTHENTICATED', 'a party liaison’s token is needed');
        const body: unknown = request.body;
        if (!Buffer.isBuffer(body))
          throw new TrucelineError(
            'E_BAD_REQUEST',
            'the body must hold the complaints (JSON or NDJSON), signed',
          );
        const report = await lodgeComplaints(
          deps,
          { ...signedInput(request, body, options), party: principal.orgId },
          options.signatureWindow,
        );
        return { ...presentReport(report), items: [...report.items] };
      },
    );

    route.get(
      '/api/v1/observations',
      {
        config: { action: 'observations:read' },
        schema: {
          summary: 'Find observations',
          description:
            'By box (the reported point; the observer for patrol reports), time window, kind and source, ordered by commit sequence.',
          tags: ['observations'],
          querystring: querySchema(options.maxPageSize),
          response: { 200: observationPageSchema, 400: errorResponseSchema },
        },
      },
      async (request, reply) => {
        const q = request.query;
        const page = await queryObservations(
          deps,
          {
            bbox: q.bbox,
            fromMs: q.from === undefined ? undefined : Date.parse(q.from),
            toMs: q.to === undefined ? undefined : Date.parse(q.to),
            kinds: q.kind,
            sourceIds: q.source,
            afterSeq: q.after === undefined ? undefined : Number(q.after),
            limit: q.limit,
            ...(mayRead(request.principal, DEFAULT_MARKINGS.observation)
              ? {}
              : { ownSourcesOf: readerOrg(request.principal).id }),
          },
          (row) => mayRead(request.principal, row.marking),
        );
        // Written as bytes: stored records are canonical JSON already, so none is parsed to be re-serialised.
        const view = viewOf(request);
        noteReads(deps, options.readLog, request, page.items);
        const next = page.nextAfterSeq === null ? null : String(page.nextAfterSeq);
        return sendJsonBytes(reply, presentObservationPage(page.items, view, next));
      },
    );

    route.get(
      '/api/v1/observations/:seq',
      {
        config: { action: 'observations:read' },
        schema: {
          summary: 'One observation by commit sequence',
          tags: ['observations'],
          params: z.strictObject({ seq: z.coerce.number().int().min(1) }),
        },
      },
      async (request) => {
        const row = await deps.store.observations.findBySeq(request.params.seq);
        // What the reader may not have does not exist for it, nor what is not on disk yet.
        if (
          row === undefined ||
          !mayRead(request.principal, row.marking) ||
          row.seq > (await deps.store.observations.durableSeq())
        )
          throw new TrucelineError('E_NOT_FOUND', `observation ${request.params.seq} does not exist`);
        noteReads(deps, options.readLog, request, [row]);
        return presentObservation(row, viewOf(request));
      },
    );
  };
}

/** Notes in the record of reads who read these observations. */
function noteReads(
  deps: Pick<AppDeps, 'clock'>,
  log: ReadLog,
  request: FastifyRequest,
  rows: readonly StoredObservation[],
): void {
  const p = request.principal;
  log.record({
    atMs: deps.clock.now(),
    userId: p.type === 'user' ? p.userId : null,
    orgId: readerOrg(p).id,
    route: `${request.method} ${request.url.slice(0, 512)}`,
    records: readKeys('observation', rows, (row) => row.seq),
  });
}

/** Sends bytes that are already JSON (of the route's documented shape) as they are. */
function sendJsonBytes(reply: FastifyReply, json: Buffer): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(json);
}
