/** @module `/api/v1/agreements`: registered agreements and the terms in force at a time. */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../application/app-deps.ts';

export function agreementRoutes(deps: AppDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get(
      '/api/v1/agreements',
      { schema: { summary: 'Registered agreements', tags: ['agreements'] } },
      async () => ({
        items: (await deps.store.agreements.list()).map((a) => ({ id: a.id, revision: a.revision })),
      }),
    );
  };
}
