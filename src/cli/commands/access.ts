/**
 * @module `truceline orgs …`, `truceline users …` and `truceline tokens …`: organisations, accounts
 * and API tokens. Only `tokens create` writes to stdout (the token, once); the others report on stderr.
 * Nothing prompts: a password comes on stdin with `--password-stdin`.
 */
import { createOrganisation } from '../../application/access/create-organisation.ts';
import { createToken, revokeToken } from '../../application/access/create-token.ts';
import { createUser } from '../../application/access/create-user.ts';
import { ensureBuiltinOrganisations } from '../../application/access/create-organisation.ts';
import type { AppDeps } from '../../application/app-deps.ts';
import { isTrucelineError } from '../../core/errors.ts';
import type { CliRuntime, StoreOptions } from '../cli-runtime.ts';

/** Runs `work` on an opened store; typed errors are reported on stderr (with every field) as exit 1. */
async function withDeps(
  runtime: CliRuntime,
  command: string,
  options: StoreOptions,
  work: (deps: AppDeps) => Promise<void>,
): Promise<number> {
  const deps = await runtime.openDeps(options);
  try {
    await ensureBuiltinOrganisations(deps);
    await work(deps);
    return 0;
  } catch (error) {
    if (!isTrucelineError(error)) throw error;
    runtime.stderr(`truceline ${command}: ${error.message}\n`);
    for (const issue of error.issues) runtime.stderr(`  ${issue.path}: ${issue.reason}\n`);
    return 1;
  } finally {
    await deps.store.close();
  }
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export const orgsCreate = (
  runtime: CliRuntime,
  options: StoreOptions & { id: string; kind: string; name?: string },
): Promise<number> =>
  withDeps(runtime, 'orgs create', options, async (deps) => {
    const { outcome, organisation } = await createOrganisation(deps, options);
    runtime.stderr(`organisation ${organisation.id} (${organisation.kind}): ${outcome}\n`);
  });

export const orgsList = (runtime: CliRuntime, options: StoreOptions): Promise<number> =>
  withDeps(runtime, 'orgs list', options, async (deps) => {
    const orgs = await deps.store.access.listOrganisations();
    runtime.stdout(
      `${JSON.stringify(
        orgs.map((o) => ({ id: o.id, kind: o.kind, name: o.name, createdAt: iso(o.createdAtMs) })),
        null,
        2,
      )}\n`,
    );
  });

export const usersCreate = (
  runtime: CliRuntime,
  options: StoreOptions & {
    org: string;
    role: string;
    name: string;
    passwordStdin: boolean;
    oidcIdentity?: string;
  },
): Promise<number> =>
  withDeps(runtime, 'users create', options, async (deps) => {
    // The first line of stdin, without its line end: `printf '%s\n' "$PW" | truceline users create …`.
    const password = options.passwordStdin ? (await runtime.readStdin()).split(/\r?\n/)[0] : undefined;
    const user = await createUser(deps, {
      orgId: options.org,
      role: options.role,
      name: options.name,
      ...(password === undefined ? {} : { password }),
      ...(options.oidcIdentity === undefined ? {} : { oidcIdentity: options.oidcIdentity }),
    });
    runtime.stderr(
      `user ${user.name}: ${user.role} of ${user.orgId}${password === undefined ? ' (no password: tokens or OpenID Connect only)' : ''}\n`,
    );
  });

export const usersList = (runtime: CliRuntime, options: StoreOptions): Promise<number> =>
  withDeps(runtime, 'users list', options, async (deps) => {
    const users = await deps.store.access.listUsers();
    runtime.stdout(
      `${JSON.stringify(
        users.map((u) => ({
          name: u.name,
          organisation: u.orgId,
          role: u.role,
          password: u.passwordHash !== null,
          oidc: u.oidcIdentity,
          createdAt: iso(u.createdAtMs),
          disabledAt: iso(u.disabledAtMs),
        })),
        null,
        2,
      )}\n`,
    );
  });

export const tokensCreate = (
  runtime: CliRuntime,
  options: StoreOptions & { user: string; scope: string; expires: string },
): Promise<number> =>
  withDeps(runtime, 'tokens create', options, async (deps) => {
    const { text, token } = await createToken(deps, {
      userName: options.user,
      scopes: options.scope,
      expiresIn: options.expires,
    });
    runtime.stdout(`${text}\n`);
    runtime.stderr(
      `token ${token.id} for ${options.user}: scopes ${token.scopes.join(',')}, expires ${iso(token.expiresAtMs) ?? ''}\n`,
    );
  });

export const tokensRevoke = (
  runtime: CliRuntime,
  options: StoreOptions & { token: string },
): Promise<number> =>
  withDeps(runtime, 'tokens revoke', options, async (deps) => {
    await revokeToken(deps, options.token);
    runtime.stderr('token revoked\n');
  });

export const tokensList = (runtime: CliRuntime, options: StoreOptions & { user: string }): Promise<number> =>
  withDeps(runtime, 'tokens list', options, async (deps) => {
    const user = await deps.store.access.findUserByName(options.user);
    const tokens = user === undefined ? [] : await deps.store.access.listTokens(user.id);
    runtime.stdout(
      `${JSON.stringify(
        tokens.map((t) => ({
          id: t.id,
          scopes: t.scopes,
          createdAt: iso(t.createdAtMs),
          expiresAt: iso(t.expiresAtMs),
          revokedAt: iso(t.revokedAtMs),
        })),
        null,
        2,
      )}\n`,
    );
  });
