/**
 * @module Web sign-in: `POST /auth/login` (name and password) opens a session held in a secure,
 * HTTP-only, same-site cookie; its CSRF token comes back in the answer and must accompany every
 * state-changing request of the session (header `x-csrf-token`). `GET /api/v1/me` says who is signed in.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { signIn, SESSION_MS } from '../../application/access/sign-in.ts';
import type { AppDeps } from '../../application/app-deps.ts';
import { scopesForRole } from '../../core/access/policy.ts';
import { TrucelineError } from '../../core/errors.ts';
import type { User } from '../../core/ports/access-store.ts';
import { errorResponseSchema } from '../../shared/wire.ts';
import { SESSION_COOKIE } from '../access.ts';

export const meSchema = z
  .object({
    name: z.string(),
    role: z.string(),
    organisation: z.string(),
    organisationKind: z.string(),
    scopes: z.array(z.string()),
    via: z.enum(['token', 'session']),
  })
  .meta({ id: 'Me' });

/** The session cookie's attributes: never readable by scripts, never sent cross-site, HTTPS only. */
export const SESSION_COOKIE_OPTIONS = {
  path: '/',
  httpOnly: true,
  secure: true,
  sameSite: 'strict',
  maxAge: SESSION_MS / 1000,
} as const;

/** Sets the session cookie and answers who signed in, with the session's CSRF token. */
export async function openedSession(
  deps: AppDeps,
  reply: FastifyReply,
  user: User,
  secret: string,
  csrfToken: string,
) {
  const org = await deps.store.access.findOrganisation(user.orgId);
  reply.setCookie(SESSION_COOKIE, secret, SESSION_COOKIE_OPTIONS);
  return {
    me: {
      name: user.name,
      role: user.role,
      organisation: user.orgId,
      organisationKind: org?.kind ?? 'public',
      scopes: [...scopesForRole(user.role)],
      via: 'session' as const,
    },
    csrfToken,
  };
}

export function authRoutes(deps: AppDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    const route = app.withTypeProvider<ZodTypeProvider>();

    route.post(
      '/auth/login',
      {
        config: { action: 'public' },
        schema: {
          summary: 'Sign in with a name and password (opens a web session)',
          tags: ['auth'],
          body: z.strictObject({ name: z.string().min(1).max(64), password: z.string().min(1).max(1024) }),
          response: {
            200: z.object({ me: meSchema, csrfToken: z.string() }),
            401: errorResponseSchema,
          },
        },
      },
      async (request, reply) => {
        const { secret, session, user } = await signIn(deps, request.body.name, request.body.password);
        return openedSession(deps, reply, user, secret, session.csrfToken);
      },
    );

    route.post(
      '/auth/logout',
      {
        config: { action: 'session' },
        schema: {
          summary: 'Sign out (ends the web session)',
          tags: ['auth'],
          response: { 204: z.null(), 401: errorResponseSchema },
        },
      },
      async (request, reply) => {
        const p = request.principal;
        if (p.type !== 'user' || p.via !== 'session')
          throw new TrucelineError(
            'E_BAD_REQUEST',
            'only a web session can sign out; revoke a token instead',
          );
        await deps.store.access.deleteSession(p.credentialId);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.code(204).send(null);
      },
    );

    route.get(
      '/api/v1/me',
      {
        config: { action: 'session' },
        schema: {
          summary: 'Who is asking',
          tags: ['auth'],
          response: { 200: meSchema, 401: errorResponseSchema },
        },
      },
      async (request) => {
        const p = request.principal;
        if (p.type !== 'user') throw new TrucelineError('E_UNAUTHENTICATED', 'nobody is signed in');
        return {
          name: p.userName,
          role: p.role,
          organisation: p.orgId,
          organisationKind: p.orgKind,
          scopes: [...p.scopes],
          via: p.via,
        };
      },
    );
  };
}
