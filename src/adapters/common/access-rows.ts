/**
 * @module What the access stores share: values as the SQL stores' rows (the same columns on SQLite and
 * PostgreSQL) and back, the errors every engine reports alike, and the checks of a read-log page.
 */
import type { OrgKind, Organisation, Role, Scope } from '../../core/access/organisations.ts';
import { TrucelineError, notFound, validationError, type FieldIssue } from '../../core/errors.ts';
import type { ApiToken, ReadRecord, RecordedPolicy, Session, User } from '../../core/ports/access-store.ts';

export interface OrganisationRow {
  id: string;
  kind: string;
  name: string;
  created_at: number;
}

export interface UserRow {
  id: string;
  name: string;
  org_id: string;
  role: string;
  oidc_identity: string | null;
  created_at: number;
  disabled_at: number | null;
}

/** A user's row joined with its password hash (kept apart, in `user_credentials`: user rows are ledgered). */
export interface UserWithPasswordRow extends UserRow {
  password_hash: string | null;
}

export interface TokenRow {
  id: string;
  user_id: string;
  scopes: string;
  token_sha256: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export interface SessionRow {
  id: string;
  user_id: string;
  secret_sha256: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

export interface ReadRow {
  at: number;
  user_id: string | null;
  org_id: string;
  route: string;
  records: string;
}

export const organisationRow = (org: Organisation): OrganisationRow => ({
  id: org.id,
  kind: org.kind,
  name: org.name,
  created_at: org.createdAtMs,
});

export const toOrganisation = (row: OrganisationRow): Organisation => ({
  id: row.id,
  kind: row.kind as OrgKind,
  name: row.name,
  createdAtMs: row.created_at,
});

/** A version of the access policy as the stores keep it. */
export interface PolicyRow {
  version: number;
  document_json: string;
  content_sha256: string;
  recorded_at: number;
}

export const policyRow = (policy: RecordedPolicy): PolicyRow => ({
  version: policy.version,
  document_json: policy.documentJson,
  content_sha256: policy.contentSha256,
  recorded_at: policy.recordedAtMs,
});

/**
 * Recording `policy` (its text and hash) after the `latest` version: nothing when that version has the
 * same hash, else the row of the next version. Every engine applies this one rule.
 */
export function nextPolicy(
  latest: { readonly version: number; readonly content_sha256: string } | undefined,
  policy: { readonly documentJson: string; readonly contentSha256: string },
  atMs: number,
): { readonly version: number; readonly row?: PolicyRow } {
  if (latest?.content_sha256 === policy.contentSha256) return { version: latest.version };
  const version = (latest?.version ?? 0) + 1;
  return {
    version,
    row: {
      version,
      document_json: policy.documentJson,
      content_sha256: policy.contentSha256,
      recorded_at: atMs,
    },
  };
}

export const toPolicy = (row: PolicyRow): RecordedPolicy => ({
  version: row.version,
  documentJson: row.document_json,
  contentSha256: row.content_sha256,
  recordedAtMs: row.recorded_at,
});

export const userRow = (user: User): UserRow => ({
  id: user.id,
  name: user.name,
  org_id: user.orgId,
  role: user.role,
  oidc_identity: user.oidcIdentity,
  created_at: user.createdAtMs,
  disabled_at: user.disabledAtMs,
});

export const toUser = (row: UserWithPasswordRow): User => ({
  id: row.id,
  name: row.name,
  orgId: row.org_id,
  role: row.role as Role,
  passwordHash: row.password_hash,
  oidcIdentity: row.oidc_identity,
  createdAtMs: row.created_at,
  disabledAtMs: row.disabled_at,
});

export const tokenRow = (token: ApiToken): TokenRow => ({
  id: token.id,
  user_id: token.userId,
  scopes: JSON.stringify(token.scopes),
  token_sha256: token.tokenSha256,
  created_at: token.createdAtMs,
  expires_at: token.expiresAtMs,
  revoked_at: token.revokedAtMs,
});

export const toToken = (row: TokenRow): ApiToken => ({
  id: row.id,
  userId: row.user_id,
  scopes: JSON.parse(row.scopes) as Scope[],
  tokenSha256: row.token_sha256,
  createdAtMs: row.created_at,
  expiresAtMs: row.expires_at,
  revokedAtMs: row.revoked_at,
});

export const sessionRow = (session: Session): SessionRow => ({
  id: session.id,
  user_id: session.userId,
  secret_sha256: session.secretSha256,
  csrf_token: session.csrfToken,
  created_at: session.createdAtMs,
  expires_at: session.expiresAtMs,
});

export const toSession = (row: SessionRow): Session => ({
  id: row.id,
  userId: row.user_id,
  secretSha256: row.secret_sha256,
  csrfToken: row.csrf_token,
  createdAtMs: row.created_at,
  expiresAtMs: row.expires_at,
});

export const readRow = (read: ReadRecord): ReadRow => ({
  at: read.atMs,
  user_id: read.userId,
  org_id: read.orgId,
  route: read.route,
  records: JSON.stringify(read.records),
});

export const toRead = (row: ReadRow): ReadRecord => ({
  atMs: row.at,
  userId: row.user_id,
  orgId: row.org_id,
  route: row.route,
  records: JSON.parse(row.records) as string[],
});

/** The errors of the access stores, worded alike on every engine. */
export const accessErrors = {
  organisationKind: (org: Organisation, storedKind: string): TrucelineError =>
    new TrucelineError(
      'E_CONFLICT',
      `organisation ${JSON.stringify(org.id)} exists with kind ${storedKind}, not ${org.kind}`,
      { details: { what: 'organisation', id: org.id, kind: storedKind } },
    ),
  unknownOrganisation: (id: string): TrucelineError => notFound('organisation', id),
  unknownUser: (id: string): TrucelineError => notFound('user', id),
  unknownToken: (id: string): TrucelineError => notFound('token', id),
  /** `what` exists already with this `field` (a name, an id, an identity, a hash). */
  taken: (what: string, field: string, value: string): TrucelineError =>
    new TrucelineError(
      'E_CONFLICT',
      // Hashes and identities are not repeated in the message: it may reach a log.
      field === 'name' || field === 'id'
        ? `a ${what} with ${field} ${JSON.stringify(value)} already exists`
        : `a ${what} with this ${field} already exists`,
      { details: { what, field } },
    ),
};

/**
 * Checks the arguments of `listReads`; returns the bound as the whole number that selects the same
 * integer times (`> 1.5` is `> 1`). Throws `E_VALIDATION` naming each bad argument.
 */
export function checkedReadsPage(options: { readonly afterMs?: number; readonly limit: number }): {
  readonly afterMs: number | undefined;
  readonly limit: number;
} {
  const issues: FieldIssue[] = [];
  const { afterMs, limit } = options;
  if (afterMs !== undefined && !Number.isFinite(afterMs))
    issues.push({ path: 'afterMs', reason: 'must be a finite number' });
  if (!Number.isSafeInteger(limit) || limit < 0)
    issues.push({ path: 'limit', reason: 'must be a whole number, 0 or more' });
  if (issues.length > 0) throw validationError('the request for the record of reads is invalid', issues);
  const bound = Number.MAX_SAFE_INTEGER;
  return {
    afterMs: afterMs === undefined ? undefined : Math.min(bound, Math.max(-bound, Math.floor(afterMs))),
    limit,
  };
}
