/**
 * @module `/api/v1/attachments/{sha256}`: evidence. `PUT` streams the body to disk (never whole in
 * memory), checks that it hashes to the SHA-256 in the URL, enforces the size limit, and keeps it at
 * that content address, never changed; `GET` returns it to readers its marking releases it to.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../application/app-deps.ts';
import { storeAttachment } from '../../application/evidence/store-attachment.ts';
import { markingFrom } from '../../core/access/markings.ts';
import { mayRead } from '../../core/access/policy.ts';
import { TrucelineError, notFound } from '../../core/errors.ts';
import { errorResponseSchema } from '../../shared/wire.ts';

const params = z.strictObject({
  sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be a SHA-256 in lower-case hex' }),
});

export function attachmentRoutes(deps: AppDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    // The body is not parsed: the handler streams it from the request.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_request, _payload, done) => {
      done(null);
    });
    const route = app.withTypeProvider<ZodTypeProvider>();

    route.put(
      '/api/v1/attachments/:sha256',
      {
        config: { action: 'attachments:write' },
        schema: {
          summary: 'Uploads evidence under its SHA-256 (streamed; checked; never changed afterwards)',
          description: `Any content type; at most ${deps.maxAttachmentBytes} bytes. 201 when stored, 200 when these bytes were stored before. Cite it by its SHA-256 in findings, complaints and replies.`,
          tags: ['evidence'],
          params,
          response: {
            200: z.object({ sha256: z.string(), sizeBytes: z.number(), created: z.boolean() }),
            201: z.object({ sha256: z.string(), sizeBytes: z.number(), created: z.boolean() }),
            400: errorResponseSchema,
            413: errorResponseSchema,
            422: errorResponseSchema,
          },
        },
      },
      async (request, reply) => {
        const principal = request.principal;
        if (principal.type !== 'user')
          throw new TrucelineError('E_UNAUTHENTICATED', 'uploading evidence needs a user');
        const result = await storeAttachment(deps, {
          sha256: request.params.sha256,
          mediaType: (request.headers['content-type'] ?? 'application/octet-stream').slice(0, 200),
          body: request.raw,
          by: { userId: principal.userId, orgId: principal.orgId, orgKind: principal.orgKind },
        });
        return reply.code(result.created ? 201 : 200).send({ sha256: request.params.sha256, ...result });
      },
    );

    route.get(
      '/api/v1/attachments/:sha256',
      {
        config: { action: 'attachments:read' },
        schema: {
          summary: 'Downloads evidence (if its marking releases it to the reader; else 404)',
          tags: ['evidence'],
          params,
        },
      },
      async (request, reply) => {
        const record = await deps.store.attachments.find(request.params.sha256);
        if (record === undefined || !mayRead(request.principal, markingFrom(record.tlp, record.releasableTo)))
          throw notFound('attachment', request.params.sha256);
        const bytes = deps.blobs.read(record.sha256);
        if (bytes === undefined)
          throw new TrucelineError('E_STORE', `the bytes of attachment ${record.sha256} are missing`);
        return reply
          .header('content-type', record.mediaType)
          .header('content-length', record.sizeBytes)
          .header('x-content-type-options', 'nosniff')
          .header('content-disposition', `attachment; filename="${record.sha256}"`)
          .send(bytes);
      },
    );
  };
}
