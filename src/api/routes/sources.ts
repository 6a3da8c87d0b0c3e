/** @module `/api/v1/sources`: the registry of sources and sensors, with each sensor's state. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../application/app-deps.ts';
import { readKeys, type ReadLog } from '../../application/access/read-log.ts';
import { registerSource } from '../../application/register-source.ts';
import { mayRead, readerOrg } from '../../core/access/policy.ts';
import { notFound } from '../../core/errors.ts';
import type { Source } from '../../core/sources/source.ts';
import { sourceRegistrationSchema } from '../../core/sources/source-schema.ts';
import { errorResponseSchema, sourceWireSchema } from '../../shared/wire.ts';
import { presentSource } from '../presenters/source-presenter.ts';
import { releasable, viewOf } from '../reader.ts';

export function sourceRoutes(deps: AppDeps, readLog: ReadLog) {
  /** Reads of sensor details are recorded; the parties' id-kind-organisation view is not sensitive. */
  const noteReads = (request: FastifyRequest, sources: readonly Source[]): void => {
    const p = request.principal;
    if (!viewOf(request).sensorDetails) return;
    readLog.record({
      atMs: deps.clock.now(),
      userId: p.type === 'user' ? p.userId : null,
      orgId: readerOrg(p).id,
      route: `${request.method} ${request.url.slice(0, 512)}`,
      records: readKeys('source', sources, (s) => s.id),
    });
  };
  return async (app: FastifyInstance): Promise<void> => {
    const route = app.withTypeProvider<ZodTypeProvider>();

    route.get(
      '/api/v1/sources',
      {
        config: { action: 'sources:read' },
        schema: {
          summary: 'Every source, with its sensor state and what fusion set aside of its reports',
          tags: ['sources'],
        },
      },
      async (request) => {
        const view = viewOf(request);
        const [stored, statuses, setAside] = await Promise.all([
          deps.store.sources.list(),
          deps.store.sources.listStatus(),
          view.sensorDetails ? deps.store.fusion.setAside() : [],
        ]);
        const sources = releasable(request, stored, (s) => s.marking);
        const byId = new Map(statuses.map((s) => [s.sourceId, s]));
        noteReads(request, sources);
        return { items: sources.map((s) => presentSource(s, byId.get(s.id), view, setAside)) };
      },
    );

    route.get(
      '/api/v1/sources/:id',
      {
        config: { action: 'sources:read' },
        schema: {
          summary: 'One source',
          tags: ['sources'],
          params: z.strictObject({ id: z.string().min(1).max(64) }),
          response: { 200: sourceWireSchema, 404: errorResponseSchema },
        },
      },
      async (request) => {
        const source = await deps.store.sources.find(request.params.id);
        if (source === undefined || !mayRead(request.principal, source.marking))
          throw notFound('source', request.params.id);
        const view = viewOf(request);
        const [statuses, setAside] = await Promise.all([
          deps.store.sources.listStatus(),
          view.sensorDetails ? deps.store.fusion.setAside([source.id]) : [],
        ]);
        const status = statuses.find((s) => s.sourceId === source.id);
        noteReads(request, [source]);
        return presentSource(source, status, view, setAside);
      },
    );

    route.post(
      '/api/v1/sources',
      {
        config: { action: 'sources:register' },
        schema: {
          summary: 'Register a source (or update its description)',
          tags: ['sources'],
          body: sourceRegistrationSchema,
          response: { 201: sourceWireSchema, 400: errorResponseSchema },
        },
      },
      async (request, reply) => {
        const source = await registerSource(deps, request.body);
        return reply.code(201).send(presentSource(source, undefined, viewOf(request)));
      },
    );
  };
}
