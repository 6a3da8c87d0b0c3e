/**
 * @module Web sign-in through the mission's OpenID Connect provider (authorization code, PKCE,
 * `state`, `nonce`). `GET /auth/oidc/login` sends the browser to the provider; the provider sends
 * it back to `GET /auth/oidc/callback`, which maps the verified ID token's `issuer|subject` to the
 * account an operator linked beforehand (no account is ever created here) and opens the same web
 * session as `POST /auth/login`: the session cookie, and `{ me, csrfToken }` in the answer.
 *
 * Between the two requests the sign-in's `state`, `nonce` and PKCE verifier stay on the server, in
 * memory, under a random 256-bit id; the browser holds only that id, in a short-lived HttpOnly,
 * Secure, SameSite=Lax cookie. The secrets never leave the server, need no signing key, and are
 * used once: the callback removes them whatever its outcome, so a callback URL cannot be replayed.
 * The price: a sign-in must come back to the process that started it within
 * {@link OIDC_LOGIN_MS} (one server; behind a load balancer, sticky sessions).
 *
 * The callback answers JSON rather than redirecting to `/`: the session's CSRF token is handed out
 * only in a sign-in's answer, so a redirect would leave the browser with a session it cannot send a
 * state-changing request with. (The session cookie, SameSite=Strict, is stored even though the
 * navigation started at the provider: browsers store such cookies from top-level navigations.)
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { startSession } from '../../application/access/sign-in.ts';
import type { AppDeps } from '../../application/app-deps.ts';
import { TrucelineError } from '../../core/errors.ts';
import type { User } from '../../core/ports/access-store.ts';
import type { Clock } from '../../core/ports/clock.ts';
import {
  oidcIdentityKey,
  type OidcChecks,
  type OidcClient,
  type OidcIdentity,
} from '../../core/ports/oidc-client.ts';
import { errorResponseSchema } from '../../shared/wire.ts';
import { meSchema, openedSession } from './auth.ts';

/** The cookie that ties a sign-in in progress to the browser that started it. */
export const OIDC_LOGIN_COOKIE = 'tl_oidc_login';
/** How long a sign-in at the provider may take. */
export const OIDC_LOGIN_MS = 10 * 60_000;
/** Sign-ins in progress kept at most; past it, the oldest is forgotten (anyone may start one). */
const MAX_PENDING_LOGINS = 10_000;

/**
 * SameSite=Lax, not Strict: the callback is a top-level navigation that starts at the provider's
 * site, and a Strict cookie would not be sent with it.
 */
const LOGIN_COOKIE_OPTIONS = {
  path: '/',
  httpOnly: true,
  secure: true,
  sameSite: 'lax',
  maxAge: OIDC_LOGIN_MS / 1000,
} as const;

/** The sign-ins in progress, by the random id in the browser's cookie; each is taken once. */
class PendingLogins {
  readonly #byId = new Map<string, { readonly checks: OidcChecks; readonly expiresAtMs: number }>();

  constructor(private readonly clock: Clock) {}

  add(id: string, checks: OidcChecks): void {
    const now = this.clock.now();
    // Entries are in insertion order, which is expiry order: drop the expired from the front.
    for (const [key, entry] of this.#byId) {
      if (entry.expiresAtMs > now && this.#byId.size < MAX_PENDING_LOGINS) break;
      this.#byId.delete(key);
    }
    this.#byId.set(id, { checks, expiresAtMs: now + OIDC_LOGIN_MS });
  }

  /** The checks of the sign-in `id`, removed; `undefined` if there is none or it expired. */
  take(id: string): OidcChecks | undefined {
    const entry = this.#byId.get(id);
    this.#byId.delete(id);
    return entry === undefined || entry.expiresAtMs <= this.clock.now() ? undefined : entry.checks;
  }
}

/** The enabled account linked to `identity`, if any (a disabled one reads as none). */
async function linkedAccount(deps: AppDeps, identity: OidcIdentity): Promise<User | undefined> {
  const user = await deps.store.access.findUserByOidcIdentity(oidcIdentityKey(identity));
  return user?.disabledAtMs === null ? user : undefined;
}

const callbackQuerySchema = z.looseObject({
  code: z.string().max(4096).optional(),
  state: z.string().max(1024).optional(),
  iss: z.string().max(2048).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(2048).optional(),
});

/** The query string of a request's URL, exactly as sent. */
function rawQuery(url: string): URLSearchParams {
  const start = url.indexOf('?');
  return new URLSearchParams(start < 0 ? '' : url.slice(start + 1));
}

/** The routes; registered by `buildApp` only when the mission has an identity provider. */
export function oidcRoutes(deps: AppDeps, client: OidcClient) {
  const pending = new PendingLogins(deps.clock);
  return async (app: FastifyInstance): Promise<void> => {
    const route = app.withTypeProvider<ZodTypeProvider>();

    route.get(
      '/auth/oidc/login',
      {
        config: { action: 'public' },
        schema: {
          summary: "Sign in at the mission's identity provider (redirects there)",
          description:
            'Answers 302 to the provider, with a short-lived cookie that ties the sign-in to this browser; the provider sends the browser back to /auth/oidc/callback.',
          tags: ['auth'],
        },
      },
      async (_request, reply) => {
        const { url, ...checks } = await client.start();
        const id = deps.secrets.randomToken(32);
        pending.add(id, checks);
        return reply
          .setCookie(OIDC_LOGIN_COOKIE, id, LOGIN_COOKIE_OPTIONS)
          .header('cache-control', 'no-store')
          .redirect(url, 302);
      },
    );

    route.get(
      '/auth/oidc/callback',
      {
        config: { action: 'public' },
        schema: {
          summary: 'Where the identity provider sends the browser back (opens a web session)',
          description:
            'Verifies the answer (state, PKCE, ID token and its nonce) and signs in the account linked to the ID token’s issuer|subject. 401 E_UNAUTHENTICATED if no sign-in is in progress in this browser, if anything fails to verify, or if no enabled account is linked.',
          tags: ['auth'],
          querystring: callbackQuerySchema,
          response: {
            200: z.object({ me: meSchema, csrfToken: z.string() }),
            401: errorResponseSchema,
          },
        },
      },
      async (request, reply) => {
        const id = request.cookies[OIDC_LOGIN_COOKIE];
        // Whatever happens next, this sign-in is over.
        reply.clearCookie(OIDC_LOGIN_COOKIE, { path: LOGIN_COOKIE_OPTIONS.path });
        reply.header('cache-control', 'no-store');
        const checks = id === undefined || id === '' ? undefined : pending.take(id);
        if (checks === undefined)
          throw new TrucelineError(
            'E_UNAUTHENTICATED',
            `no sign-in through the identity provider is in progress in this browser, or it took more than ${OIDC_LOGIN_MS / 60_000} minutes; start again at /auth/oidc/login`,
          );
        const identity = await client.finish(rawQuery(request.url), checks);
        const user = await linkedAccount(deps, identity);
        if (user === undefined) {
          const key = oidcIdentityKey(identity);
          request.log.warn(
            { identity: key },
            'OpenID Connect sign-in of an identity with no enabled account',
          );
          throw new TrucelineError(
            'E_UNAUTHENTICATED',
            `no enabled account is linked to the identity ${key}; an administrator must link it to an account first`,
            { details: { identity: key } },
          );
        }
        const { secret, session } = await startSession(deps, user);
        return openedSession(deps, reply, user, secret, session.csrfToken);
      },
    );
  };
}
