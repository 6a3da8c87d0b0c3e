/**
 * @module Port: organisations, user accounts, API tokens, web sessions, and the record of who read
 * sensitive records. Secrets are never stored: tokens and session cookies as SHA-256 hex, passwords
 * as the password hasher's encoded hash.
 */
import type { Organisation, Role, Scope } from '../access/organisations.ts';

export interface User {
  /** Server-assigned, opaque. */
  readonly id: string;
  /** Unique; how operators name the user (`truceline tokens create --user NAME`). */
  readonly name: string;
  readonly orgId: string;
  readonly role: Role;
  /** The password hasher's encoded hash, or null for an account without a password (OIDC only). */
  readonly passwordHash: string | null;
  /** `issuer|subject` of the OpenID Connect identity linked to this account, or null. */
  readonly oidcIdentity: string | null;
  readonly createdAtMs: number;
  readonly disabledAtMs: number | null;
}

export interface ApiToken {
  /** Server-assigned, opaque; shown in listings, used to revoke. */
  readonly id: string;
  readonly userId: string;
  readonly scopes: readonly Scope[];
  /** SHA-256 hex of the whole token text. */
  readonly tokenSha256: string;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
  readonly revokedAtMs: number | null;
}

export interface Session {
  readonly id: string;
  readonly userId: string;
  /** SHA-256 hex of the cookie's secret. */
  readonly secretSha256: string;
  /** The CSRF token the session's forms and state-changing requests must carry. */
  readonly csrfToken: string;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
}

/** One read of sensitive records: who, when, through which route, and which records. */
export interface ReadRecord {
  readonly atMs: number;
  /** The user, or null for the public. */
  readonly userId: string | null;
  readonly orgId: string;
  /** Method and URL with its query, e.g. `GET /api/v1/observations?bbox=…` (at most 512 characters). */
  readonly route: string;
  /** The records' keys (`observation:123`, `source:radar-1`); past 100, the last item counts the rest (`+900 more`). */
  readonly records: readonly string[];
}

/** A version of the access policy as recorded: its canonical JSON and that text's SHA-256. */
export interface RecordedPolicy {
  readonly version: number;
  readonly documentJson: string;
  readonly contentSha256: string;
  readonly recordedAtMs: number;
}

export interface AccessStore {
  /**
   * Records the access policy in force (canonical JSON and its SHA-256) as a new version, ledgered,
   * unless the latest version recorded has the same hash. Returns the latest version after the call.
   */
  recordPolicy(
    policy: { readonly documentJson: string; readonly contentSha256: string },
    atMs: number,
  ): Promise<{ readonly version: number; readonly recorded: boolean }>;
  /** The latest version of the access policy recorded, if any. */
  latestPolicy(): Promise<RecordedPolicy | undefined>;

  /** Creates an organisation; `E_CONFLICT` if the id exists with another kind, a no-op if it exists with the same. */
  ensureOrganisation(org: Organisation): Promise<'created' | 'exists'>;
  findOrganisation(id: string): Promise<Organisation | undefined>;
  /** Every organisation, ordered by id. */
  listOrganisations(): Promise<readonly Organisation[]>;

  /** Creates a user; `E_CONFLICT` if the name is taken, `E_NOT_FOUND` if the organisation does not exist. */
  createUser(user: User): Promise<void>;
  findUserById(id: string): Promise<User | undefined>;
  findUserByName(name: string): Promise<User | undefined>;
  findUserByOidcIdentity(identity: string): Promise<User | undefined>;
  /** Links an OpenID Connect identity to a user; `E_CONFLICT` if another user holds it. */
  linkOidcIdentity(userId: string, identity: string): Promise<void>;
  /** Every user, ordered by name. */
  listUsers(): Promise<readonly User[]>;
  /** How many enabled users hold the role. */
  countUsersWithRole(role: Role): Promise<number>;

  createToken(token: ApiToken): Promise<void>;
  findTokenBySha256(sha256: string): Promise<ApiToken | undefined>;
  /** The user's tokens, newest first. */
  listTokens(userId: string): Promise<readonly ApiToken[]>;
  /** Revokes a token at `atMs`; `E_NOT_FOUND` if there is none with this id. Revoking twice keeps the first time. */
  revokeToken(id: string, atMs: number): Promise<void>;

  createSession(session: Session): Promise<void>;
  findSessionBySecret(secretSha256: string): Promise<Session | undefined>;
  deleteSession(id: string): Promise<void>;

  /** Appends to the record of reads (never changed or deleted). */
  recordReads(entries: readonly ReadRecord[]): Promise<void>;
  /** The record of reads, oldest first. */
  listReads(options: { readonly afterMs?: number; readonly limit: number }): Promise<readonly ReadRecord[]>;
}
