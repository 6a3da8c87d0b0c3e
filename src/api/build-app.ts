/**
 * @module Builds the HTTP application from its dependencies, without listening: `main.ts` listens,
 * tests call `inject()`.
 */
import { refuseUnkeepableText } from './text-input.ts';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import helmet from 'helmet';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { ReadLog } from '../application/access/read-log.ts';
import type { AppDeps } from '../application/app-deps.ts';
import { RecordBudget } from '../application/record-budget.ts';
import { DEFAULT_SIGNATURE_WINDOW, type SignatureWindow } from '../application/record-signed-batch.ts';
import { TrucelineError } from '../core/errors.ts';
import type { OidcClient } from '../core/ports/oidc-client.ts';
import { DEFAULT_RATE_LIMITS, installAccessControl, type RateLimits } from './access.ts';
import { errorHandler, sendError } from './error-handler.ts';
import { authRoutes } from './routes/auth.ts';
import { streamRoutes, type StreamOptions } from './live/stream.ts';
import { agreementRoutes } from './routes/agreements.ts';
import { fusionRoutes } from './routes/fusion.ts';
import { healthRoutes } from './routes/health.ts';
import type { FusionHealth } from '../application/fusion-health.ts';
import { accessPolicyRoutes } from './routes/access-policy.ts';
import { ledgerRoutes } from './routes/ledger.ts';
import { verificationRoutes } from './routes/verification.ts';
import { caseRoutes } from './routes/cases.ts';
import { attachmentRoutes } from './routes/attachments.ts';
import { oidcRoutes } from './routes/oidc.ts';
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
  /**
   * Requests a minute per token, per source key and address, per address; records a minute per source
   * key (default {@link DEFAULT_RATE_LIMITS}).
   */
  readonly rateLimits?: Partial<RateLimits>;
  /** How far a signature's creation time may lie from the clock (default 5 min back, 1 min ahead). */
  readonly signatureWindow?: Partial<SignatureWindow>;
  /** The mission's OpenID Connect provider: adds `/auth/oidc/login` and `/auth/oidc/callback` (default none). */
  readonly oidc?: OidcClient | undefined;
  /** The server's fusion, when it runs one: `/healthz` reports on it. */
  readonly fusionHealth?: FusionHealth | undefined;
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
  // Errors and the server's own messages, not a line per request: a server taking hundreds of
  // ingest requests a second would spend its time writing them.
  // Path parameters longer than Fastify's default (100) were answered 414 in Fastify's own shape,
  // before the routes' schemas (which allow up to 400) could name the parameter: the schemas decide.
  // Errors the router answers before any route (a parameter past that, a malformed URL) take the one
  // error shape too.
  const routing = {
    routerOptions: { maxParamLength: 2048 },
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) =>
      sendError(
        reply,
        new TrucelineError(
          'E_BAD_REQUEST',
          error.code === 'FST_ERR_MAX_PARAM_LENGTH'
            ? 'a path parameter is longer than 2048 characters'
            : 'the URL is malformed',
        ),
      ),
  };
  const logging = {
    logger: options.logger ?? false,
    logController: new LogController({ disableRequestLogging: true }),
  };
  const app = (
    options.https === undefined
      ? Fastify({ ...routing, ...logging, bodyLimit: bodyLimitBytes })
      : Fastify({ ...routing, ...logging, bodyLimit: bodyLimitBytes, https: options.https })
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

  // Security headers on every answer (helmet's defaults); the API docs' page sets a CSP that allows its
  // own assets. One middleware, made once: @fastify/helmet made a new one for every request, ~40 µs
  // each — ~1.5 % of a live server's main thread, taking hundreds of small batches a second.
  const securityHeaders = helmet();
  app.addHook('onRequest', (request, reply, done) => {
    // A header helmet could not make fails the request rather than leaving it without the others.
    securityHeaders(request.raw, reply.raw, (error?: unknown) => {
      if (error === undefined) done();
      else done(error instanceof Error ? error : new Error('security headers failed', { cause: error }));
    });
  });
  await app.register(fastifyCookie);
  const rateLimits = { ...DEFAULT_RATE_LIMITS, ...options.rateLimits };
  await installAccessControl(app, deps, rateLimits);
  app.addHook('preValidation', refuseUnkeepableText);

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
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { config: { action: 'public' }, schema: { hide: true } }, () => app.swagger());

  await app.register(healthRoutes(deps, options.fusionHealth));
  await app.register(authRoutes(deps));
  if (options.oidc !== undefined) await app.register(oidcRoutes(deps, options.oidc));
  const readLog = new ReadLog(deps, (error) => app.log.error({ err: error }, 'record of reads failed'));
  app.addHook('onClose', () => readLog.flush());
  await app.register(
    observationRoutes(deps, {
      readLog,
      signatureWindow: { ...DEFAULT_SIGNATURE_WINDOW, ...options.signatureWindow },
      bodyLimitBytes,
      maxRecordsPerRequest: options.maxRecordsPerRequest ?? DEFAULT_APP_OPTIONS.maxRecordsPerRequest,
      recordBudget: new RecordBudget(rateLimits.recordsPerSourceKey, () => deps.clock.now()),
      maxPageSize: options.maxPageSize ?? DEFAULT_APP_OPTIONS.maxPageSize,
    }),
  );
  await app.register(sourceRoutes(deps, readLog));
  await app.register(
    fusionRoutes(deps, { maxPageSize: options.maxPageSize ?? DEFAULT_APP_OPTIONS.maxPageSize }),
  );
  await app.register(agreementRoutes(deps));
  await app.register(ledgerRoutes(deps));
  await app.register(accessPolicyRoutes(deps));
  await app.register(verificationRoutes(deps));
  await app.register(caseRoutes(deps));
  await app.register(attachmentRoutes(deps));
  await app.register(streamRoutes(deps, { ...DEFAULT_APP_OPTIONS.stream, ...options.stream }));
  await app.ready();
  return app;
}
