/**
 * @module Use case: the accounts a fresh server needs. The first `truceline serve` on a store without
 * an administrator creates one (`admin`) with a random password, printed once on stderr.
 */
import type { AppDeps } from '../app-deps.ts';
import { createToken } from './create-token.ts';
import { createUser } from './create-user.ts';
import { ensureBuiltinOrganisations } from './create-organisation.ts';

type Deps = Pick<AppDeps, 'store' | 'clock' | 'passwords' | 'secrets' | 'sha256'>;

/** Creates the built-in organisations, and an administrator if there is none; returns its password then. */
export async function bootstrapAdmin(deps: Deps): Promise<{ name: string; password: string } | undefined> {
  await ensureBuiltinOrganisations(deps);
  if ((await deps.store.access.countUsersWithRole('admin')) > 0) return undefined;
  let name = 'admin';
  for (let i = 2; (await deps.store.access.findUserByName(name)) !== undefined; i += 1) name = `admin${i}`;
  const password = deps.secrets.randomToken(18);
  await createUser(deps, { orgId: 'mission', role: 'admin', name, password });
  return { name, password };
}

/**
 * The demonstration's read token: a mission analyst (`demo-analyst`, created if missing) and a fresh
 * token with scope `read` for `expiresIn`.
 */
export async function demoReadToken(deps: Deps, expiresIn = '7d'): Promise<string> {
  await ensureBuiltinOrganisations(deps);
  const name = 'demo-analyst';
  if ((await deps.store.access.findUserByName(name)) === undefined)
    await createUser(deps, { orgId: 'mission', role: 'analyst', name });
  return (await createToken(deps, { userName: name, scopes: 'read', expiresIn })).text;
}
