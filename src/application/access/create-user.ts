/** @module Use case: create a user account in an organisation, with a role. */
import { roleProblem, ROLES, USER_NAME_PATTERN, type Role } from '../../core/access/organisations.ts';
import { notFound, validationError } from '../../core/errors.ts';
import type { User } from '../../core/ports/access-store.ts';
import type { AppDeps } from '../app-deps.ts';

export interface CreateUserInput {
  readonly orgId: string;
  readonly role: string;
  readonly name: string;
  /** A password for the web sign-in; none: the account signs in only through OpenID Connect or tokens. */
  readonly password?: string;
  /** Link this OpenID Connect identity (`issuer|subject`). */
  readonly oidcIdentity?: string;
}

/** Passwords: at least this long (NIST SP 800-63B's minimum for user-chosen secrets is 8; we ask 12). */
export const MIN_PASSWORD_LENGTH = 12;

/** Creates the user; `E_VALIDATION` naming the field, `E_NOT_FOUND` for the organisation, `E_CONFLICT` for a taken name. */
export async function createUser(
  deps: Pick<AppDeps, 'store' | 'clock' | 'passwords' | 'secrets'>,
  input: CreateUserInput,
): Promise<User> {
  const invalid = (path: string, reason: string) =>
    validationError('the user is invalid', [{ path, reason }]);
  if (!USER_NAME_PATTERN.test(input.name))
    throw invalid(
      'name',
      'must be 1–64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit',
    );
  if (!(ROLES as readonly string[]).includes(input.role))
    throw invalid('role', `must be one of ${ROLES.join(', ')}`);
  const role = input.role as Role;
  const org = await deps.store.access.findOrganisation(input.orgId);
  if (org === undefined) throw notFound('organisation', input.orgId);
  const problem = roleProblem(role, org.kind);
  if (problem !== undefined) throw invalid('role', problem);
  if (input.password !== undefined && input.password.length < MIN_PASSWORD_LENGTH)
    throw invalid('password', `must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (input.oidcIdentity !== undefined) {
    const bar = input.oidcIdentity.indexOf('|');
    if (bar <= 0 || bar === input.oidcIdentity.length - 1 || input.oidcIdentity.length > 1024)
      throw invalid(
        'oidcIdentity',
        'must be the ID token’s issuer, "|", and its subject (e.g. https://id.example.org|248289761001)',
      );
  }
  if (input.password !== undefined && input.password.length > 1024)
    throw invalid('password', 'must be at most 1024 characters');
  const user: User = {
    id: deps.secrets.randomId(),
    name: input.name,
    orgId: org.id,
    role,
    passwordHash: input.password === undefined ? null : await deps.passwords.hash(input.password),
    oidcIdentity: input.oidcIdentity ?? null,
    createdAtMs: deps.clock.now(),
    disabledAtMs: null,
  };
  await deps.store.access.createUser(user);
  return user;
}
