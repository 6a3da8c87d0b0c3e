/**
 * @module Organisations, accounts, API tokens, web sessions and the record of reads in SQLite. Writes
 * that check before they write run as one synchronous IMMEDIATE transaction on the connection ingest
 * uses, so no other write (of this process or another) comes between the check and the write.
 */
import type Database from 'better-sqlite3';
import type { CompiledQuery, Kysely } from 'kysely';
import type { Organisation, Role } from '../../core/access/organisations.ts';
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
import type { SqliteLedgerWriter } from './sqlite-ledger.ts';
import type { SqliteSchema } from './sqlite-schema.ts';

export class SqliteAccessStore implements AccessStore {
  readonly #db: Database.Database;
  readonly #kysely: Kysely<SqliteSchema>;

  /** @param db the connection writes go through (shared with `kysely`) */
  readonly #ledger: SqliteLedgerWriter;

  constructor(db: Database.Database, kysely: Kysely<SqliteSchema>, ledger: SqliteLedgerWriter) {
    this.#db = db;
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

  /** Runs `body` as one IMMEDIATE transaction; its result (or error) is the promise's. */
  #write<T>(body: () => T): Promise<T> {
    return Promise.resolve().then(() => this.#db.transaction(body).immediate());
  }

  #get<R>(query: CompiledQuery<R>): R | undefined {
    return this.#db.prepare<unknown[], R>(query.sql).get(...query.parameters);
  }

  #run(query: CompiledQuery): number {
    return this.#db.prepare(query.sql).run(...query.parameters).changes;
  }

  recordPolicy(
    policy: { readonly documentJson: string; readonly contentSha256: string },
    atMs: number,
  ): Promise<{ readonly version: number; readonly recorded: boolean }> {
    return this.#write(() => {
      const latest = this.#db
        .prepare<[], { version: number; content_sha256: string }>(
          'SELECT version, content_sha256 FROM access_policies ORDER BY version DESC LIMIT 1',
        )
        .get();
      const { version, row } = nextPolicy(latest, policy, atMs);
      if (row === undefined) return { version, recorded: false };
      this.#run(this.#kysely.insertInto('access_policies').values(row).compile());
      this.#ledger.recordRows('access-policy', [version]);
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

  /** Whether a row of `table` has `value` in `column`. */
  #exists(
    table: 'organisations' | 'users' | 'api_tokens' | 'sessions',
    column: 'id' | 'name' | 'oidc_identity' | 'token_sha256' | 'secret_sha256',
    value: string,
  ): boolean {
    return (
      this.#db.prepare<[string]>(`SELECT 1 FROM ${table} WHERE ${column} = ? LIMIT 1`).get(value) !==
      undefined
    );
  }

  ensureOrganisation(org: Organisation): Promise<'created' | 'exists'> {
    return this.#write(() => {
      const stored = this.#get(
        this.#kysely.selectFrom('organisations').select('kind').where('id', '=', org.id).compile(),
      );
      if (stored !== undefined) {
        if (stored.kind !== org.kind) throw accessErrors.organisationKind(org, stored.kind);
        return 'exists';
      }
      this.#run(this.#kysely.insertInto('organisations').values(organisationRow(org)).compile());
      this.#ledger.recordRows('organisation', [org.id]);
      return 'created';
    });
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

  createUser(user: User): Promise<void> {
    return this.#write(() => {
      if (!this.#exists('organisations', 'id', user.orgId))
        throw accessErrors.unknownOrganisation(user.orgId);
      if (this.#exists('users', 'name', user.name)) throw accessErrors.taken('user', 'name', user.name);
      if (this.#exists('users', 'id', user.id)) throw accessErrors.taken('user', 'id', user.id);
      if (user.oidcIdentity !== null && this.#exists('users', 'oidc_identity', user.oidcIdentity))
        throw accessErrors.taken('user', 'OpenID Connect identity', user.oidcIdentity);
      this.#run(this.#kysely.insertInto('users').values(userRow(user)).compile());
      if (user.passwordHash !== null)
        this.#run(
          this.#kysely
            .insertInto('user_credentials')
            .values({ user_id: user.id, password_hash: user.passwordHash })
            .compile(),
        );
      this.#ledger.recordRows('user', [user.id]);
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

  linkOidcIdentity(userId: string, identity: string): Promise<void> {
    return this.#write(() => {
      if (!this.#exists('users', 'id', userId)) throw accessErrors.unknownUser(userId);
      const holder = this.#get(
        this.#kysely.selectFrom('users').select('id').where('oidc_identity', '=', identity).compile(),
      );
      if (holder !== undefined && holder.id !== userId)
        throw accessErrors.taken('user', 'OpenID Connect identity', identity);
      this.#ledger.changeRow('user', userId, () =>
        this.#run(
          this.#kysely
            .updateTable('users')
            .set({ oidc_identity: identity })
            .where('id', '=', userId)
            .compile(),
        ),
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
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('role', '=', role)
      .where('disabled_at', 'is', null)
      .executeTakeFirstOrThrow();
    return row.n;
  }

  createToken(token: ApiToken): Promise<void> {
    return this.#write(() => {
      if (!this.#exists('users', 'id', token.userId)) throw accessErrors.unknownUser(token.userId);
      if (this.#exists('api_tokens', 'id', token.id)) throw accessErrors.taken('token', 'id', token.id);
      if (this.#exists('api_tokens', 'token_sha256', token.tokenSha256))
        throw accessErrors.taken('token', 'hash', token.tokenSha256);
      this.#run(this.#kysely.insertInto('api_tokens').values(tokenRow(token)).compile());
    });
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

  revokeToken(id: string, atMs: number): Promise<void> {
    return this.#write(() => {
      if (!this.#exists('api_tokens', 'id', id)) throw accessErrors.unknownToken(id);
      this.#run(
        this.#kysely
          .updateTable('api_tokens')
          .set({ revoked_at: atMs })
          .where('id', '=', id)
          .where('revoked_at', 'is', null)
          .compile(),
      );
    });
  }

  createSession(session: Session): Promise<void> {
    return this.#write(() => {
      if (!this.#exists('users', 'id', session.userId)) throw accessErrors.unknownUser(session.userId);
      if (this.#exists('sessions', 'id', session.id)) throw accessErrors.taken('session', 'id', session.id);
      if (this.#exists('sessions', 'secret_sha256', session.secretSha256))
        throw accessErrors.taken('session', 'secret', session.secretSha256);
      this.#run(this.#kysely.insertInto('sessions').values(sessionRow(session)).compile());
    });
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

  recordReads(entries: readonly ReadRecord[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return this.#write(() => {
      const insert = this.#db.prepare<[number, string | null, string, string, string]>(
        'INSERT INTO read_log (at, user_id, org_id, route, records) VALUES (?, ?, ?, ?, ?)',
      );
      for (const entry of entries) {
        const row = readRow(entry);
        insert.run(row.at, row.user_id, row.org_id, row.route, row.records);
      }
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
