/** @module `GET /healthz`: is the server up, and can it read its store. */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../application/app-deps.ts';

export function healthRoutes(deps: AppDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get(
      '/healthz',
      { config: { action: 'public' }, schema: { summary: 'Health', tags: ['health'] } },
      async () => ({
        status: 'ok',
        store: deps.store.engine,
        latestSeq: await deps.store.observations.latestSeq(),
        // SQLite: `inline` where `background` was configured means the checkpoint thread failed.
        ...(deps.store.walCheckpoints === undefined ? {} : { checkpoints: deps.store.walCheckpoints() }),
      }),
    );
  };
}
