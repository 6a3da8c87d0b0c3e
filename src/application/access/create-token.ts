/** @module Use case: create an API token for a user (shown once; only its hash is stored). */
import { parseDuration } from '../../core/access/duration.ts';
import { SCOPES, type Scope } from '../../core/access/organisations.ts';
import { scopesForRole } from '../../core/access/policy.ts';
import { notFound, validationError } from '../../core/errors.ts';
import type { ApiToken } from '../../core/ports/access-store.ts';
import type { AppDeps } from '../app-deps.ts';

export interface CreateTokenInput {
  readonly userName: string;
  /** Comma- or space-separated: `read`, `ingest`, `admin`. */
  readonly scopes: string;
  /** How long it lives: `90m`, `1h`, `30d`. */
  readonly expiresIn: string;
}

/** Every token starts with this, so a leaked one is recognisable (secret scanners, logs). */
export const TOKEN_PREFIX = 'tl_';

/** Creates a token; returns its text (the only time it exists outside the caller) and its stored form. */
export async function createToken(
  deps: Pick<AppDeps, 'store' | 'clock' | 'secrets' | 'sha256'>,
  input: CreateTokenInput,
): Promise<{ text: string; token: ApiToken }> {
  const invalid = (path: string, reason: string) =>
    validationError('the token request is invalid', [{ path, reason }]);
  const user = await deps.store.access.findUserByName(input.userName);
  if (user === undefined) throw notFound('user', input.userName);
  if (user.disabledAtMs !== null) throw invalid('user', 'is disabled');
  const scopes = [...new Set(input.scopes.split(/[\s,]+/).filter((s) => s !== ''))];
  if (scopes.length === 0) throw invalid('scope', `must name at least one of ${SCOPES.join(', ')}`);
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw invalid('scope', `must be among ${SCOPES.join(', ')}; not ${unknown.join(', ')}`);
  const allowed = scopesForRole(user.role);
  const beyond = scopes.filter((s) => !allowed.includes(s as Scope));
  if (beyond.length > 0) throw invalid('scope', `role ${user.role} may not hold scope ${beyond.join(', ')}`);
  const duration = parseDuration(input.expiresIn);
  if ('error' in duration) throw invalid('expires', duration.error);
  const now = deps.clock.now();
  const text = `${TOKEN_PREFIX}${deps.secrets.randomToken(32)}`;
  const token: ApiToken = {
    id: deps.secrets.randomId(),
    userId: user.id,
    scopes: scopes as Scope[],
    tokenSha256: deps.sha256(text),
    createdAtMs: now,
    expiresAtMs: now + duration.ms,
    revokedAtMs: null,
  };
  await deps.store.access.createToken(token);
  return { text, token };
}

/** Revokes a token, named by its id or by its text; `E_NOT_FOUND` if there is none. */
export async function revokeToken(
  deps: Pick<AppDeps, 'store' | 'clock' | 'sha256'>,
  idOrText: string,
): Promise<void> {
  const byText = idOrText.startsWith(TOKEN_PREFIX)
    ? await deps.store.access.findTokenBySha256(deps.sha256(idOrText))
    : undefined;
  await deps.store.access.revokeToken(byText?.id ?? idOrText, deps.clock.now());
}
