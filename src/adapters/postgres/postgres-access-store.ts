/**
 * @module Organisations, accounts, API tokens, web sessions and the record of reads in PostgreSQL.
 * Writes check first (for errors worded as on every engine); the constraints decide races: a unique
 * violation is `E_CONFLICT`, a missing referenced row `E_NOT_FOUND`.
 */
import { sql, type Kysely } from 'kysely';
import type { Organisation, Role } from '../../core/access/organisations.ts';
import type { TrucelineError } from '../../core/errors.ts';
import type {
  AccessStore,
  ApiToken,
  ReadRecord,
  RecordedPolicy,
  Session,
  User,
} from '../../core/ports/access-store.ts';
import {
  accessErrors,
  checkedReadsPage,
  organisationRow,
  readRow,
  sessionRow,
  nextPolicy,
  toOrganisation,
  toPolicy,
  toRead,
  toSession,
  toToken,
  toUser,
  tokenRow,
  userRow,
} from '../common/access-rows.ts';
import { onKysely, type PostgresLedgerWriter } from './postgres-ledger.ts';
import type { PostgresSchema } from './postgres-schema.ts';

/** The store's Kysely or a transaction of it. */
type Db = Kysely<PostgresSchema>;

/** Entries per INSERT of the record of reads: five parameters each, well under PostgreSQL's 65,535. */
const READS_CHUNK = 1_000;

/** PostgreSQL's error codes (SQLSTATE) the stores turn into typed errors. */
const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

interface DriverError {
  readonly code?: unknown;
  readonly constraint?: unknown;
}

/**
 * Runs `write`; a unique violation becomes `conflict(constraint)` (the violated constraint's name), a
 * foreign-key violation `missing()`. The checks before each write make these the losers of races only.
 */
async function constrained<T>(
  write: () => Promise<T>,
  conflict: (constraint: string) => TrucelineError,
  missing: () => TrucelineError,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const { code, constraint } = (error ?? {}) as DriverError;
    if (code === UNIQUE_VIOLATION) throw conflict(typeof constraint === 'string' ? constraint : '');
    if (code === FOREIGN_KEY_VIOLATION) throw missing();
    throw error;
  }
}

const exists = async (
  db: Db,
  table: 'organisations' | 'users' | 'api_tokens' | 'sessions',
  column: 'id' | 'name' | 'oidc_identity' | 'token_sha256' | 'secret_sha256',
  value: string,
): Promise<boolean> =>
  (await db
    .selectFrom(table)
    .select((eb) => eb.lit(1).as('one'))
    .where(sql.ref(column), '=', value)
    .executeTakeFirst()) !== undefined;

export class PostgresAccessStore implements AccessStore {
  readonly #kysely: Db;
  readonly #ledger: PostgresLedgerWriter;

  /** @param ledger appends organisations and users (and their changes) to the ledger, in their transactions */
  constructor(kysely: Db, ledger: PostgresLedgerWriter) {
    this.#kysely = kysely;
    this.#ledger = ledger;
  }

  /** Users joined with their password hashes (kept apart: user rows are ledgered, hashes are not). */
  #users() {
    return this.#kysely
      .selectFrom('users')
      .leftJoin('user_credentials', 'user_credentials.user_id', 'users.id')
      .selectAll('users')
      .select('user_credentials.password_hash');
  }

  async recordPolicy(
    policy: { readonly documentJson: string; readonly contentSha256: string },
    atMs: number,
  ): Promise<{ readonly version: number; readonly recorded: boolean }> {
    return this.#kysely.transaction().execute(async (trx) => {
      // Two servers starting at once must not both take the next version.
      await sql`LOCK TABLE access_policies IN EXCLUSIVE MODE`.execute(trx);
      const latest = await trx
        .selectFrom('access_policies')
        .select(['version', 'content_sha256'])
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      const { version, row } = nextPolicy(latest, policy, atMs);
      if (row === undefined) return { version, recorded: false };
      await trx.insertInto('access_policies').values(row).execute();
      await this.#ledger.recordRows(onKysely(trx), 'access-policy', [version]);
      return { version, recorded: true };
    });
  }

  async latestPolicy(): Promise<RecordedPolicy | undefined> {
    const row = await this.#kysely
      .selectFrom('access_policies')
      .selectAll()
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toPolicy(row);
  }

  async ensureOrganisation(org: Organisation): Promise<'created' | 'exists'> {
    const inserted = await this.#kysely.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('organisations')
        .values(organisationRow(org))
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (row !== undefined) await this.#ledger.recordRows(onKysely(trx), 'organisation', [org.id]);
      return row;
    });
    if (inserted !== undefined) return 'created';
    // An organisation is never deleted nor its kind changed: the row that won is still there.
    const stored = await this.#kysely
      .selectFrom('organisations')
      .select('kind')
      .where('id', '=', org.id)
      .executeTakeFirstOrThrow();
    if (stored.kind !== org.kind) throw accessErrors.organisationKind(org, stored.kind);
    return 'exists';
  }

  async findOrganisation(id: string): Promise<Organisation | undefined> {
    const row = await this.#kysely
      .selectFrom('organisations')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toOrganisation(row);
  }

  async listOrganisations(): Promise<readonly Organisation[]> {
    const rows = await this.#kysely.selectFrom('organisations').selectAll().orderBy('id').execute();
    return rows.map(toOrganisation);
  }

  async createUser(user: User): Promise<void> {
    await this.#kysely.transaction().execute(async (db) => {
      if (!(await exists(db, 'organisations', 'id', user.orgId)))
        throw accessErrors.unknownOrganisation(user.orgId);
      if (await exists(db, 'users', 'name', user.name)) throw accessErrors.taken('user', 'name', user.name);
      if (await exists(db, 'users', 'id', user.id)) throw accessErrors.taken('user', 'id', user.id);
      if (user.oidcIdentity !== null && (await exists(db, 'users', 'oidc_identity', user.oidcIdentity)))
        throw accessErrors.taken('user', 'OpenID Connect identity', user.oidcIdentity);
      await constrained(
        () => db.insertInto('users').values(userRow(user)).execute(),
        (constraint) =>
          constraint === 'users_name'
            ? accessErrors.taken('user', 'name', user.name)
            : constraint === 'users_oidc_identity'
              ? accessErrors.taken('user', 'OpenID Connect identity', user.oidcIdentity ?? '')
              : accessErrors.taken('user', 'id', user.id),
        () => accessErrors.unknownOrganisation(user.orgId),
      );
      if (user.passwordHash !== null)
        await db
          .insertInto('user_credentials')
          .values({ user_id: user.id, password_hash: user.passwordHash })
          .execute();
      await this.#ledger.recordRows(onKysely(db), 'user', [user.id]);
    });
  }

  async findUserById(id: string): Promise<User | undefined> {
    const row = await this.#users().where('users.id', '=', id).executeTakeFirst();
    return row && toUser(row);
  }

  async findUserByName(name: string): Promise<User | undefined> {
    const row = await this.#users().where('users.name', '=', name).executeTakeFirst();
    return row && toUser(row);
  }

  async findUserByOidcIdentity(identity: string): Promise<User | undefined> {
    const row = await this.#users().where('users.oidc_identity', '=', identity).executeTakeFirst();
    return row && toUser(row);
  }

  async linkOidcIdentity(userId: string, identity: string): Promise<void> {
    await this.#kysely.transaction().execute(async (trx) => {
      // The user's row locked first: links of one user are serialized.
      const user = await trx
        .selectFrom('users')
        .select('id')
        .where('id', '=', userId)
        .forUpdate()
        .executeTakeFirst();
      if (user === undefined) throw accessErrors.unknownUser(userId);
      const holder = await trx
        .selectFrom('users')
        .select('id')
        .where('oidc_identity', '=', identity)
        .executeTakeFirst();
      if (holder !== undefined && holder.id !== userId)
        throw accessErrors.taken('user', 'OpenID Connect identity', identity);
      // The change is a new leaf of the user's row (none if the identity was linked already).
      await constrained(
        () =>
          this.#ledger.changeRow(onKysely(trx), 'user', userId, () =>
            trx.updateTable('users').set({ oidc_identity: identity }).where('id', '=', userId).execute(),
          ),
        () => accessErrors.taken('user', 'OpenID Connect identity', identity),
        () => accessErrors.unknownUser(userId),
      );
    });
  }

  async listUsers(): Promise<readonly User[]> {
    const rows = await this.#users().orderBy('users.name').execute();
    return rows.map(toUser);
  }

  async countUsersWithRole(role: Role): Promise<number> {
    const row = await this.#kysely
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('role', '=', role)
      .where('disabled_at', 'is', null)
      .executeTakeFirstOrThrow();
    // count(*) is a bigint, which the pool parses to a number (see open-postgres-store.ts).
    return Number(row.n);
  }

  async createToken(token: ApiToken): Promise<void> {
    const db = this.#kysely;
    if (!(await exists(db, 'users', 'id', token.userId))) throw accessErrors.unknownUser(token.userId);
    if (await exists(db, 'api_tokens', 'id', token.id)) throw accessErrors.taken('token', 'id', token.id);
    if (await exists(db, 'api_tokens', 'token_sha256', token.tokenSha256))
      throw accessErrors.taken('token', 'hash', token.tokenSha256);
    await constrained(
      () => db.insertInto('api_tokens').values(tokenRow(token)).execute(),
      (constraint) =>
        constraint === 'api_tokens_sha256'
          ? accessErrors.taken('token', 'hash', token.tokenSha256)
          : accessErrors.taken('token', 'id', token.id),
      () => accessErrors.unknownUser(token.userId),
    );
  }

  async findTokenBySha256(sha256: string): Promise<ApiToken | undefined> {
    const row = await this.#kysely
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_sha256', '=', sha256)
      .executeTakeFirst();
    return row && toToken(row);
  }

  async listTokens(userId: string): Promise<readonly ApiToken[]> {
    const rows = await this.#kysely
      .selectFrom('api_tokens')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map(toToken);
  }

  async revokeToken(id: string, atMs: number): Promise<void> {
    const row = await this.#kysely
      .updateTable('api_tokens')
      .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(atMs)) }))
      .where('id', '=', id)
      .returning('id')
      .executeTakeFirst();
    if (row === undefined) throw accessErrors.unknownToken(id);
  }

  async createSession(session: Session): Promise<void> {
    const db = this.#kysely;
    if (!(await exists(db, 'users', 'id', session.userId))) throw accessErrors.unknownUser(session.userId);
    if (await exists(db, 'sessions', 'id', session.id)) throw accessErrors.taken('session', 'id', session.id);
    if (await exists(db, 'sessions', 'secret_sha256', session.secretSha256))
      throw accessErrors.taken('session', 'secret', session.secretSha256);
    await constrained(
      () => db.insertInto('sessions').values(sessionRow(session)).execute(),
      (constraint) =>
        constraint === 'sessions_secret'
          ? accessErrors.taken('session', 'secret', session.secretSha256)
          : accessErrors.taken('session', 'id', session.id),
      () => accessErrors.unknownUser(session.userId),
    );
  }

  async findSessionBySecret(secretSha256: string): Promise<Session | undefined> {
    const row = await this.#kysely
      .selectFrom('sessions')
      .selectAll()
      .where('secret_sha256', '=', secretSha256)
      .executeTakeFirst();
    return row && toSession(row);
  }

  async deleteSession(id: string): Promise<void> {
    await this.#kysely.deleteFrom('sessions').where('id', '=', id).execute();
  }

  async recordReads(entries: readonly ReadRecord[]): Promise<void> {
    if (entries.length === 0) return;
    // One transaction: the entries are appended together or not at all, in the order given.
    await this.#kysely.transaction().execute(async (trx) => {
      for (let i = 0; i < entries.length; i += READS_CHUNK)
        await trx
          .insertInto('read_log')
          .values(entries.slice(i, i + READS_CHUNK).map(readRow))
          .execute();
    });
  }

  async listReads(options: {
    readonly afterMs?: number;
    readonly limit: number;
  }): Promise<readonly ReadRecord[]> {
    const page = checkedReadsPage(options);
    let query = this.#kysely.selectFrom('read_log').select(['at', 'user_id', 'org_id', 'route', 'records']);
    if (page.afterMs !== undefined) query = query.where('at', '>', page.afterMs);
    const rows = await query.orderBy('at').orderBy('id').limit(page.limit).execute();
    return rows.map(toRead);
  }
}
