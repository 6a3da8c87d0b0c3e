/** @module Use case: web sign-in — a password (or an OpenID Connect identity) opens a session. */
import { TrucelineError } from '../../core/errors.ts';
import type { Session, User } from '../../core/ports/access-store.ts';
import type { AppDeps } from '../app-deps.ts';

/** How long a web session lasts. */
export const SESSION_MS = 8 * 3_600_000;

type Deps = Pick<AppDeps, 'store' | 'clock' | 'secrets' | 'sha256' | 'passwords'>;

/** Opens a session for `user`; returns the cookie's secret (never stored) and the session. */
export async function startSession(
  deps: Omit<Deps, 'passwords'>,
  user: User,
): Promise<{ secret: string; session: Session }> {
  const secret = deps.secrets.randomToken(32);
  const now = deps.clock.now();
  const session: Session = {
    id: deps.secrets.randomId(),
    userId: user.id,
    secretSha256: deps.sha256(secret),
    csrfToken: deps.secrets.randomToken(24),
    createdAtMs: now,
    expiresAtMs: now + SESSION_MS,
  };
  await deps.store.access.createSession(session);
  return { secret, session };
}

/**
 * Checks a name and password and opens a session. Every failure is the same `E_UNAUTHENTICATED`, so
 * the answer does not say which names exist.
 */
/** A hash made once per hasher, of a random password no one knows: what a name without one is checked against. */
const noPassword = new WeakMap<object, Promise<string>>();
function noPasswordHash(deps: Deps): Promise<string> {
  let made = noPassword.get(deps.passwords);
  if (made === undefined) {
    made = deps.passwords.hash(deps.secrets.randomToken(32));
    noPassword.set(deps.passwords, made);
  }
  return made;
}

export async function signIn(
  deps: Deps,
  name: string,
  password: string,
): Promise<{ secret: string; session: Session; user: User }> {
  const user = await deps.store.access.findUserByName(name);
  const hash = user?.disabledAtMs === null ? user.passwordHash : null;
  // A password is always checked, against a hash of nothing when there is none: answering at once for
  // a name that does not exist (or has no password) told which names do (~9 against ~70 ms).
  const matches = await deps.passwords.verify(hash ?? (await noPasswordHash(deps)), password);
  if (!(matches && hash !== null && user !== undefined))
    throw new TrucelineError('E_UNAUTHENTICATED', 'the name or password is wrong');
  return { ...(await startSession(deps, user)), user };
}
