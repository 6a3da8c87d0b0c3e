/** @module `/api/v1/agreements`: registered agreements and the terms in force at a time. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../application/app-deps.ts';
import { agreementOf, getAgreement, getTermsAt, versionsOf } from '../../application/get-agreement.ts';
import { instant } from '../../core/observations/schema.ts';
import { errorResponseSchema } from '../../shared/wire.ts';

const idParams = z.strictObject({ id: z.string().min(1).max(64) });

const versionSchema = z.object({
  version: z.string().describe('`<agreement id>@<n>`: what a potential violation cites'),
  amendmentId: z.string().nullable(),
  effectiveAt: z.string(),
  effectiveUntil: z.string().nullable(),
});

const agreementDocumentSchema = z
  .object({
    revision: z.number().int(),
    contentSha256: z.string(),
    versions: z.array(versionSchema),
    document: z
      .looseObject({ id: z.string() })
      .describe('The agreement as registered: see docs/agreement-format.md'),
  })
  .meta({ id: 'Agreement' });

const termsSchema = z
  .looseObject({
    agreementId: z.string(),
    version: z.string(),
    effectiveAt: z.string(),
    timeZone: z.string(),
  })
  .describe(
    'The terms in force: parties, referenceLines, sides, zones, weaponClasses, prohibitedConduct, commission, escalationLadder…',
  )
  .meta({ id: 'Terms' });

export function agreementRoutes(deps: AppDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    const route = app.withTypeProvider<ZodTypeProvider>();

    route.get(
      '/api/v1/agreements',
      {
        config: { action: 'agreements:read' },
        schema: { summary: 'Registered agreements and their versions', tags: ['agreements'] },
      },
      async () => ({
        items: (await deps.store.agreements.list()).map((record) => {
          const agreement = agreementOf(record);
          return {
            id: record.id,
            revision: record.revision,
            title: agreement.title,
            parties: agreement.parties,
            effectiveAt: agreement.effectiveAt,
            timeZone: agreement.timeZone,
            registeredAt: new Date(record.registeredAtMs).toISOString(),
            contentSha256: record.contentSha256,
            versions: versionsOf(agreement),
          };
        }),
      }),
    );

    route.get(
      '/api/v1/agreements/:id',
      {
        config: { action: 'agreements:read' },
        schema: {
          summary: 'One agreement: the whole document as registered (latest revision)',
          tags: ['agreements'],
          params: idParams,
          response: { 200: agreementDocumentSchema, 404: errorResponseSchema },
        },
      },
      async (request) => {
        const { record, agreement } = await getAgreement(deps, request.params.id);
        return {
          revision: record.revision,
          contentSha256: record.contentSha256,
          versions: versionsOf(agreement),
          document: agreement,
        };
      },
    );

    route.get(
      '/api/v1/agreements/:id/terms',
      {
        config: { action: 'agreements:read' },
        schema: {
          summary: 'The terms in force at a time',
          description:
            'The base terms with every amendment in effect at `at` applied (default: now). `version` is what a potential violation cites.',
          tags: ['agreements'],
          params: idParams,
          querystring: z.strictObject({ at: instant.optional() }),
          response: { 200: termsSchema, 404: errorResponseSchema },
        },
      },
      async (request) => {
        const at = request.query.at === undefined ? deps.clock.now() : Date.parse(request.query.at);
        return getTermsAt(deps, request.params.id, at);
      },
    );
  };
}
