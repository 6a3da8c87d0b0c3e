/**
 * @module Who is asking, and may they: every request is resolved to a principal (a bearer token, a
 * web session cookie, or the public) and checked against the access policy before its handler runs.
 * Every route declares its action in `config.action`; a route without one fails the server's start,
 * so nothing is ever served unchecked. Sources' signed submissions are authenticated by their
 * signature in the ingest handler (the body is needed to check it).
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ACTIONS, decide, PUBLIC_PRINCIPAL, type Action, type Principal } from '../core/access/policy.ts';
import { TrucelineError } from '../core/errors.ts';
import { principalFromSession, principalFromToken } from '../application/access/authenticate.ts';
import type { AppDeps } from '../application/app-deps.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route does, as the access policy sees it. */
    action?: Action;
  }
  interface FastifyRequest {
    /** Who is asking (set before any handler runs). */
    principal: Principal;
  }
}

/** The web session's cookie. */
export const SESSION_COOKIE = 'tl_session';
/** The header a web session's state-changing requests carry its CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';

/**
 * Limits a minute before `429 E_RATE_LIMITED`: requests per token, per source key and address, and
 * per address for the rest; and records per source key.
 */
export interface RateLimits {
  readonly perToken: number;
  /**
   * Requests a minute naming one source key, from one address. The key id is read before the
   * signature is checked, so the count is per address too: a stranger naming a sensor's key id spends
   * its own budget, not the sensor's.
   */
  readonly perSourceKey: number;
  readonly perAddress: number;
  /** Records a minute per source key, counted once the batch's signature is checked. */
  readonly recordsPerSourceKey: number;
  /**
   * Answers of 401 a minute to one address for a credential it offered (a token, a session, a
   * password or a signature that failed); past them, for the rest of the minute, that address may not
   * sign in with a password, and a credential of its that fails is answered 429. A credential that
   * holds still works: guessing tokens or passwords, or spending the server's CPU on password
   * hashes, stops there, without shutting out others behind the same address.
   */
  readonly failedAuthPerAddress: number;
}

/**
 * Defaults: high enough that a sensor gateway sending 1,000-record batches as fast as the server
 * takes them (about 25 a second here) and a busy analyst's screen are never throttled. 60,000
 * records a minute is 300 times what an acoustic array sends on a worst day (at most ~200 arrivals a
 * minute) and caps a stolen or runaway key at 1,000 records a second.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  perToken: 1_200,
  perSourceKey: 6_000,
  perAddress: 600,
  recordsPerSourceKey: 60_000,
  failedAuthPerAddress: 60,
};

/** Counts events per address in fixed one-minute windows; forgets windows that have passed. */
class PerAddressWindow {
  readonly #counts = new Map<string, { startMs: number; count: number }>();

  count(address: string, nowMs: number): number {
    const entry = this.#counts.get(address);
    return entry === undefined || nowMs - entry.startMs >= 60_000 ? 0 : entry.count;
  }

  /** Seconds until the address's window ends. */
  retryAfterSeconds(address: string, nowMs: number): number {
    const entry = this.#counts.get(address);
    return entry === undefined ? 0 : Math.max(1, Math.ceil((entry.startMs + 60_000 - nowMs) / 1000));
  }

  add(address: string, nowMs: number): void {
    const entry = this.#counts.get(address);
    if (entry !== undefined && nowMs - entry.startMs < 60_000) {
      entry.count += 1;
      return;
    }
    // Bounded: past windows go before a new address is added to a large map.
    if (this.#counts.size >= 10_000)
      for (const [key, old] of this.#counts) if (nowMs - old.startMs >= 60_000) this.#counts.delete(key);
    this.#counts.set(address, { startMs: nowMs, count: 1 });
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Routes some plugin registers (the API docs) are public; every other route must declare its action. */
const PLUGIN_ROUTE_PREFIXES = ['/docs'];

/** The key id a signed request names, read without checking it (the handler checks it). */
function signingKeyId(request: FastifyRequest): string | undefined {
  const input = request.headers['signature-input'];
  if (typeof input !== 'string') return undefined;
  return /;\s*keyid="([^"]{1,200})"/.exec(input)?.[1];
}

/** Whether the request signs in with a password. */
const isSignIn = (request: FastifyRequest): boolean =>
  request.method === 'POST' && request.routeOptions.url === '/auth/login';

/** Whether the request offers a credential: a token, a session, a signature or a password. */
const presentsCredential = (request: FastifyRequest): boolean =>
  request.headers.authorization !== undefined ||
  (request.cookies[SESSION_COOKIE] ?? '') !== '' ||
  request.headers['signature-input'] !== undefined ||
  isSignIn(request);

async function resolvePrincipal(deps: AppDeps, request: FastifyRequest): Promise<Principal> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(authorization);
    if (match?.[1] === undefined)
      throw new TrucelineError('E_UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"');
    return principalFromToken(deps, match[1]);
  }
  const secret = request.cookies[SESSION_COOKIE];
  if (secret !== undefined && secret !== '') {
    const session = await principalFromSession(deps, secret);
    if (session === undefined) return PUBLIC_PRINCIPAL;
    if (!SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] !== session.csrfToken)
      throw new TrucelineError(
        'E_CSRF',
        `a web session's ${request.method} request must carry its CSRF token in ${CSRF_HEADER}`,
      );
    return session.principal;
  }
  return PUBLIC_PRINCIPAL;
}

/**
 * Whether the request's credentials still stand for `principal`: false once its token was revoked or
 * expired, its session ended, its account was disabled, or its role, organisation or scopes changed.
 * For what runs long on one request (the live stream), which checks it again as it goes.
 */
export async function credentialsStillHold(
  deps: AppDeps,
  request: FastifyRequest,
  principal: Principal,
): Promise<boolean> {
  if (principal.type === 'public') return true;
  try {
    return JSON.stringify(await resolvePrincipal(deps, request)) === JSON.stringify(principal);
  } catch (error) {
    // A store that failed for a moment says nothing of the credentials: the caller hears of it.
    if (error instanceof TrucelineError && ['E_UNAUTHENTICATED', 'E_TOKEN_EXPIRED'].includes(error.code))
      return false;
    throw error;
  }
}

/**
 * Installs principal resolution, the policy check and rate limits on the whole application; call it
 * before any route is added.
 */
export async function installAccessControl(
  app: FastifyInstance,
  deps: AppDeps,
  limits: RateLimits,
): Promise<void> {
  // Declared up front (null, then set by the first hook) so every request object has the same shape.
  app.decorateRequest('principal', null as never);
  app.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as { action?: Action };
    if (config.action === undefined && PLUGIN_ROUTE_PREFIXES.some((p) => route.url.startsWith(p))) {
      route.config = { ...config, action: 'public' };
      return;
    }
    if (config.action === undefined || !(ACTIONS as readonly string[]).includes(config.action))
      throw new Error(`route ${String(route.method)} ${route.url} declares no access action (config.action)`);
  });
  const failures = new PerAddressWindow();
  const tooManyFailures = (request: FastifyRequest): TrucelineError => {
    const retryAfterSeconds = failures.retryAfterSeconds(request.ip, Date.now());
    return new TrucelineError(
      'E_RATE_LIMITED',
      `more than ${limits.failedAuthPerAddress} failed authentications a minute from this address; retry in ${retryAfterSeconds} s`,
      { details: { limit: limits.failedAuthPerAddress, retryAfterSeconds } },
    );
  };
  app.addHook('onRequest', async (request) => {
    // Past its failed authentications, an address may not try a password, and a credential that
    // fails is answered 429: a credential that holds still works (others may share the address).
    const over = failures.count(request.ip, Date.now()) >= limits.failedAuthPerAddress;
    if (over && isSignIn(request)) throw tooManyFailures(request);
    try {
      request.principal = await resolvePrincipal(deps, request);
    } catch (error) {
      if (over && error instanceof TrucelineError && error.code !== 'E_CSRF') throw tooManyFailures(request);
      throw error;
    }
    const action = request.routeOptions.config.action;
    // No action: no route matched; the not-found handler answers.
    if (action === undefined) return;
    const decision = decide(request.principal, action);
    if (decision === 'unauthenticated')
      throw new TrucelineError(
        'E_UNAUTHENTICATED',
        'this route needs a bearer token (Authorization: Bearer …) or a signed-in session',
      );
    if (decision === 'forbidden') {
      const p = request.principal;
      throw new TrucelineError(
        'E_FORBIDDEN',
        p.type === 'user'
          ? `role ${p.role} of ${p.orgId} with scope ${p.scopes.join(',') || '(none)'} may not do this (${action})`
          : `this principal may not do this (${action})`,
      );
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    // A credential offered that failed; not a request that offered none.
    if (reply.statusCode === 401 && presentsCredential(request)) failures.add(request.ip, Date.now());
  });
  await app.register(rateLimit, {
    global: true,
    // After the principal is known, so the limit is per token or source key.
    hook: 'preValidation',
    timeWindow: 60_000,
    keyGenerator: async (request) => {
      const p = request.principal;
      if (p.type === 'user') return `token:${p.credentialId}`;
      // A key's own budget only for a key that exists: a made-up key id each time would otherwise
      // open a fresh budget each time.
      const keyId = signingKeyId(request);
      if (keyId !== undefined && (await deps.store.sources.findKey(keyId)) !== undefined)
        return `key:${keyId}@${request.ip}`;
      return `ip:${request.ip}`;
    },
    max: (_request, key) =>
      key.startsWith('token:')
        ? limits.perToken
        : key.startsWith('key:')
          ? limits.perSourceKey
          : limits.perAddress,
    errorResponseBuilder: (_request, context) => {
      const error = new TrucelineError(
        'E_RATE_LIMITED',
        `more than ${context.max} requests a minute; retry in ${Math.ceil(context.ttl / 1000)} s`,
        { details: { limit: context.max, retryAfterSeconds: Math.ceil(context.ttl / 1000) } },
      );
      return Object.assign(error, { statusCode: 429 });
    },
  });
}
