/**
 * @module `GET /healthz`: is the server up, can it read its store, and — where it runs fusion — does
 * fusion keep up. `status` is `degraded` while fusion runs fail: observations are still accepted,
 * but no event or potential violation comes out.
 */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../application/app-deps.ts';
import type { FusionHealth } from '../../application/fusion-health.ts';

export function healthRoutes(deps: AppDeps, fusion?: FusionHealth) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get(
      '/healthz',
      { config: { action: 'public' }, schema: { summary: 'Health', tags: ['health'] } },
      async () => ({
        // A failed sync of SQLite's log stops ingest and fusion until a restart: the operator must know.
        status: fusion?.failing === true || deps.store.walSync?.() === 'failed' ? 'degraded' : 'ok',
        store: deps.store.engine,
        // The latest a reader may be shown: on SQLite at FULL a commit is visible before it is on disk.
        latestSeq: await deps.store.observations.durableSeq(),
        // SQLite: `inline` where `background` was configured means the checkpoint thread failed;
        // `stopped`, that none run since a sync of the log failed.
        ...(deps.store.walCheckpoints === undefined ? {} : { checkpoints: deps.store.walCheckpoints() }),
        ...(deps.store.walSync === undefined ? {} : { logSync: deps.store.walSync() }),
        ...(fusion === undefined ? {} : { fusion: fusion.view() }),
      }),
    );
  };
}
