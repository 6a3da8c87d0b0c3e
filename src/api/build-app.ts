/**
 * @module Builds the HTTP application from its dependencies, without listening: `main.ts` listens,
 * tests call `inject()`.
 */
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { AppDeps } from '../application/app-deps.ts';
import { TrucelineError } from '../core/errors.ts';
import { errorHandler, sendError } from './error-handler.ts';
import { streamRoutes, type StreamOptions } from './live/stream.ts';
import { agreementRoutes } from './routes/agreements.ts';
import { fusionRoutes } from './routes/fusion.ts';
import { healthRoutes } from './routes/health.ts';
import { observationRoutes } from './routes/observations.ts';
import { sourceRoutes } from './routes/sources.ts';
import { serializerCompiler, validatorCompiler } from './schema-compilers.ts';

export interface AppOptions {
  /** Largest request body accepted, bytes (default 16 MiB). */
  readonly bodyLimitBytes?: number;
  /** Most records in one ingest request (default 10,000). */
  readonly maxRecordsPerRequest?: number;
  /** Largest page of a query (default 5,000). */
  readonly maxPageSize?: number;
  readonly stream?: Partial<StreamOptions>;
  /** Serve HTTPS with this certificate and key (PEM). */
  readonly https?: { readonly cert: Buffer; readonly key: Buffer } | undefined;
  /** Fastify's logger setting (default off). */
  readonly logger?: FastifyServerOptions['logger'];
}

export const DEFAULT_APP_OPTIONS = {
  bodyLimitBytes: 16 * 1024 * 1024,
  maxRecordsPerRequest: 10_000,
  maxPageSize: 5_000,
  stream: { heartbeatMs: 15_000, pollMs: 1_000, batch: 500 },
} as const;

export async function buildApp(deps: AppDeps, options: AppOptions = {}): Promise<FastifyInstance> {
  const bodyLimitBytes = options.bodyLimitBytes ?? DEFAULT_APP_OPTIONS.bodyLimitBytes;
  const app = (
    options.https === undefined
      ? Fastify({ logger: options.logger ?? false, bodyLimit: bodyLimitBytes })
      : Fastify({ logger: options.logger ?? false, bodyLimit: bodyLimitBytes, https: options.https })
  ) as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler(bodyLimitBytes));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      new TrucelineError('E_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`),
    ),
  );

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Truceline API',
        description:
          'Ceasefire monitoring and verification. Errors: see docs/errors.md; every error has the `Error` shape.',
        version: '1',
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());

  await app.register(healthRoutes(deps));
  await app.register(
    observationRoutes(deps, {
      bodyLimitBytes,
      maxRecordsPerRequest: options.maxRecordsPerRequest ?? DEFAULT_APP_OPTIONS.maxRecordsPerRequest,
      maxPageSize: options.maxPageSize ?? DEFAULT_APP_OPTIONS.maxPageSize,
    }),
  );
  await app.register(sourceRoutes(deps));
  await app.register(
    fusionRoutes(deps, { maxPageSize: options.maxPageSize ?? DEFAULT_APP_OPTIONS.maxPageSize }),
  );
  await app.register(agreementRoutes(deps));
  await app.register(streamRoutes(deps, { ...DEFAULT_APP_OPTIONS.stream, ...options.stream }));
  await app.ready();
  return app;
}
