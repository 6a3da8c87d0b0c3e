/** @module Use case: who is asking — a bearer token or a web session, resolved to a principal. */
import type { Principal } from '../../core/access/policy.ts';
import { scopesForRole } from '../../core/access/policy.ts';
import type { Scope } from '../../core/access/organisations.ts';
import { TrucelineError } from '../../core/errors.ts';
import type { User } from '../../core/ports/access-store.ts';
import type { AppDeps } from '../app-deps.ts';

type Deps = Pick<AppDeps, 'store' | 'clock' | 'sha256'>;

async function userPrincipal(
  deps: Deps,
  user: User,
  via: 'token' | 'session',
  credentialId: string,
  scopes: readonly Scope[],
): Promise<Principal> {
  const org = await deps.store.access.findOrganisation(user.orgId);
  if (org === undefined)
    throw new TrucelineError('E_UNAUTHENTICATED', 'the account’s organisation no longer exists');
  return {
    type: 'user',
    userId: user.id,
    userName: user.name,
    role: user.role,
    orgId: org.id,
    orgKind: org.kind,
    scopes,
    via,
    credentialId,
  };
}

/**
 * The principal a bearer token stands for. `E_TOKEN_EXPIRED` for an expired or revoked token,
 * `E_UNAUTHENTICATED` for one that does not exist or whose user is disabled.
 */
export async function principalFromToken(deps: Deps, text: string): Promise<Principal> {
  const token = await deps.store.access.findTokenBySha256(deps.sha256(text));
  if (token === undefined) throw new TrucelineError('E_UNAUTHENTICATED', 'the bearer token is not known');
  const now = deps.clock.now();
  if (token.revokedAtMs !== null)
    throw new TrucelineError('E_TOKEN_EXPIRED', 'the bearer token was revoked', {
      details: { revokedAt: new Date(token.revokedAtMs).toISOString() },
    });
  if (token.expiresAtMs <= now)
    throw new TrucelineError('E_TOKEN_EXPIRED', 'the bearer token has expired', {
      details: { expiredAt: new Date(token.expiresAtMs).toISOString() },
    });
  const user = await deps.store.access.findUserById(token.userId);
  if (user === undefined || user.disabledAtMs !== null)
    throw new TrucelineError('E_UNAUTHENTICATED', 'the bearer token’s account is disabled');
  return userPrincipal(deps, user, 'token', token.id, token.scopes);
}

/** The principal of a web session cookie's secret, or `undefined` if the session is unknown or over. */
export async function principalFromSession(
  deps: Deps,
  secret: string,
): Promise<{ principal: Principal; csrfToken: string } | undefined> {
  const session = await deps.store.access.findSessionBySecret(deps.sha256(secret));
  if (session === undefined || session.expiresAtMs <= deps.clock.now()) return undefined;
  const user = await deps.store.access.findUserById(session.userId);
  if (user === undefined || user.disabledAtMs !== null) return undefined;
  return {
    principal: await userPrincipal(deps, user, 'session', session.id, scopesForRole(user.role)),
    csrfToken: session.csrfToken,
  };
}
