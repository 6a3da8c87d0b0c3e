/** @module `/api/v1/sources`: the registry of sources and sensors, with each sensor's state. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../application/app-deps.ts';
import { registerSource } from '../../application/register-source.ts';
import { sourceRegistrationSchema } from '../../core/sources/source-schema.ts';
import { errorResponseSchema, sourceWireSchema } from '../../shared/wire.ts';
import { presentSource } from '../presenters/source-presenter.ts';

export function sourceRoutes(deps: AppDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    const route = app.withTypeProvider<ZodTypeProvider>();

    route.get(
      '/api/v1/sources',
      { schema: { summary: 'Every source, with its sensor state', tags: ['sources'] } },
      async () => {
        const [sources, statuses] = await Promise.all([
          deps.store.sources.list(),
          deps.store.sources.listStatus(),
        ]);
        const byId = new Map(statuses.map((s) => [s.sourceId, s]));
        return { items: sources.map((s) => presentSource(s, byId.get(s.id))) };
      },
    );

    route.get(
      '/api/v1/sources/:id',
      {
        schema: {
          summary: 'One source',
          tags: ['sources'],
          params: z.strictObject({ id: z.string().min(1).max(64) }),
          response: { 200: sourceWireSchema, 404: errorResponseSchema },
        },
      },
      async (request) => {
        const source = await deps.store.sources.get(request.params.id);
        const status = (await deps.store.sources.listStatus()).find((s) => s.sourceId === source.id);
        return presentSource(source, status);
      },
    );

    route.post(
      '/api/v1/sources',
      {
        schema: {
          summary: 'Register a source (or update its description)',
          tags: ['sources'],
          body: sourceRegistrationSchema,
          response: { 201: sourceWireSchema, 400: errorResponseSchema },
        },
      },
      async (request, reply) => {
        const source = await registerSource(deps, request.body);
        return reply.code(201).send(presentSource(source, undefined));
      },
    );
  };
}
