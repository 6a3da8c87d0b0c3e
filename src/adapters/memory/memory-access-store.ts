/**
 * @module Organisations, accounts, API tokens, web sessions and the record of reads in memory, with
 * the semantics of the SQL stores (the contract suite checks it). Values are kept frozen, as copies of
 * what callers gave, and lists come back in the SQL stores' order.
 */
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
  nextPolicy,
  organisationRow,
  policyRow,
  readRow,
  sessionRow,
  toOrganisation,
  toPolicy,
  toRead,
  toSession,
  toToken,
  toUser,
  tokenRow,
  userRow,
} from '../common/access-rows.ts';
import { compareCodePoints } from '../common/compare-code-points.ts';
import type { MemoryLedgerWriter } from './memory-ledger.ts';
import type { MemorySchema } from './memory-schema.ts';

/** A value as a SQL store would read it back (through the same row mapping), frozen. */
const frozen = <T extends object>(value: T): T => {
  for (const member of Object.values(value)) if (Array.isArray(member)) Object.freeze(member);
  return Object.freeze(value);
};

export class MemoryAccessStore implements AccessStore {
  readonly #tables: MemorySchema;
  readonly #ledger: MemoryLedgerWriter;

  /** @param ledger appends organisations and users (and their changes) to the ledger */
  constructor(tables: MemorySchema, ledger: MemoryLedgerWriter) {
    this.#tables = tables;
    this.#ledger = ledger;
  }

  /** Runs `body` as a promise: its error is the promise's, and nothing is changed before it throws. */
  #do<T>(body: () => T): Promise<T> {
    return Promise.resolve().then(body);
  }

  recordPolicy(
    policy: { readonly documentJson: string; readonly contentSha256: string },
    atMs: number,
  ): Promise<{ readonly version: number; readonly recorded: boolean }> {
    return this.#do(() => {
      const versions = this.#tables.accessPolicies;
      const latest = versions.at(-1);
      const { version, row } = nextPolicy(latest && policyRow(latest), policy, atMs);
      if (row === undefined) return { version, recorded: false };
      versions.push(frozen(toPolicy(row)));
      this.#ledger.recordRows('access-policy', [version]);
      return { version, recorded: true };
    });
  }

  latestPolicy(): Promise<RecordedPolicy | undefined> {
    return this.#do(() => this.#tables.accessPolicies.at(-1));
  }

  #userBy(test: (user: User) => boolean): User | undefined {
    for (const user of this.#tables.users.values()) if (test(user)) return user;
    return undefined;
  }

  ensureOrganisation(org: Organisation): Promise<'created' | 'exists'> {
    return this.#do(() => {
      const stored = this.#tables.organisations.get(org.id);
      if (stored !== undefined) {
        if (stored.kind !== org.kind) throw accessErrors.organisationKind(org, stored.kind);
        return 'exists';
      }
      this.#tables.organisations.set(org.id, frozen(toOrganisation(organisationRow(org))));
      this.#ledger.recordRows('organisation', [org.id]);
      return 'created';
    });
  }

  findOrganisation(id: string): Promise<Organisation | undefined> {
    return this.#do(() => this.#tables.organisations.get(id));
  }

  listOrganisations(): Promise<readonly Organisation[]> {
    return this.#do(() =>
      [...this.#tables.organisations.values()].sort((a, b) => compareCodePoints(a.id, b.id)),
    );
  }

  createUser(user: User): Promise<void> {
    return this.#do(() => {
      const t = this.#tables;
      if (!t.organisations.has(user.orgId)) throw accessErrors.unknownOrganisation(user.orgId);
      if (this.#userBy((u) => u.name === user.name) !== undefined)
        throw accessErrors.taken('user', 'name', user.name);
      if (t.users.has(user.id)) throw accessErrors.taken('user', 'id', user.id);
      if (
        user.oidcIdentity !== null &&
        this.#userBy((u) => u.oidcIdentity === user.oidcIdentity) !== undefined
      )
        throw accessErrors.taken('user', 'OpenID Connect identity', user.oidcIdentity);
      t.users.set(user.id, frozen(toUser({ ...userRow(user), password_hash: user.passwordHash })));
      this.#ledger.recordRows('user', [user.id]);
    });
  }

  findUserById(id: string): Promise<User | undefined> {
    return this.#do(() => this.#tables.users.get(id));
  }

  findUserByName(name: string): Promise<User | undefined> {
    return this.#do(() => this.#userBy((u) => u.name === name));
  }

  findUserByOidcIdentity(identity: string): Promise<User | undefined> {
    return this.#do(() => this.#userBy((u) => u.oidcIdentity === identity));
  }

  linkOidcIdentity(userId: string, identity: string): Promise<void> {
    return this.#do(() => {
      const user = this.#tables.users.get(userId);
      if (user === undefined) throw accessErrors.unknownUser(userId);
      const holder = this.#userBy((u) => u.oidcIdentity === identity);
      if (holder !== undefined && holder.id !== userId)
        throw accessErrors.taken('user', 'OpenID Connect identity', identity);
      // A change of a ledgered row: a new leaf (none if nothing changed), the old record kept.
      this.#ledger.changeRow('user', userId, () =>
        this.#tables.users.set(userId, frozen({ ...user, oidcIdentity: identity })),
      );
    });
  }

  listUsers(): Promise<readonly User[]> {
    return this.#do(() => [...this.#tables.users.values()].sort((a, b) => compareCodePoints(a.name, b.name)));
  }

  countUsersWithRole(role: Role): Promise<number> {
    return this.#do(
      () => [...this.#tables.users.values()].filter((u) => u.role === role && u.disabledAtMs === null).length,
    );
  }

  createToken(token: ApiToken): Promise<void> {
    return this.#do(() => {
      const t = this.#tables;
      if (!t.users.has(token.userId)) throw accessErrors.unknownUser(token.userId);
      if (t.tokens.has(token.id)) throw accessErrors.taken('token', 'id', token.id);
      for (const stored of t.tokens.values())
        if (stored.tokenSha256 === token.tokenSha256)
          throw accessErrors.taken('token', 'hash', token.tokenSha256);
      t.tokens.set(token.id, frozen(toToken(tokenRow(token))));
    });
  }

  findTokenBySha256(sha256: string): Promise<ApiToken | undefined> {
    return this.#do(() => {
      for (const token of this.#tables.tokens.values()) if (token.tokenSha256 === sha256) return token;
      return undefined;
    });
  }

  listTokens(userId: string): Promise<readonly ApiToken[]> {
    return this.#do(() =>
      [...this.#tables.tokens.values()]
        .filter((token) => token.userId === userId)
        .sort((a, b) => b.createdAtMs - a.createdAtMs || compareCodePoints(b.id, a.id)),
    );
  }

  revokeToken(id: string, atMs: number): Promise<void> {
    return this.#do(() => {
      const token = this.#tables.tokens.get(id);
      if (token === undefined) throw accessErrors.unknownToken(id);
      if (token.revokedAtMs === null) this.#tables.tokens.set(id, frozen({ ...token, revokedAtMs: atMs }));
    });
  }

  createSession(session: Session): Promise<void> {
    return this.#do(() => {
      const t = this.#tables;
      if (!t.users.has(session.userId)) throw accessErrors.unknownUser(session.userId);
      if (t.sessions.has(session.id)) throw accessErrors.taken('session', 'id', session.id);
      for (const stored of t.sessions.values())
        if (stored.secretSha256 === session.secretSha256)
          throw accessErrors.taken('session', 'secret', session.secretSha256);
      t.sessions.set(session.id, frozen(toSession(sessionRow(session))));
    });
  }

  findSessionBySecret(secretSha256: string): Promise<Session | undefined> {
    return this.#do(() => {
      for (const session of this.#tables.sessions.values())
        if (session.secretSha256 === secretSha256) return session;
      return undefined;
    });
  }

  deleteSession(id: string): Promise<void> {
    return this.#do(() => {
      this.#tables.sessions.delete(id);
    });
  }

  recordReads(entries: readonly ReadRecord[]): Promise<void> {
    return this.#do(() => {
      // Mapped first: a bad entry stops the whole call before anything is appended.
      const rows = entries.map((entry) => frozen(toRead(readRow(entry))));
      this.#tables.reads.push(...rows);
    });
  }

  listReads(options: { readonly afterMs?: number; readonly limit: number }): Promise<readonly ReadRecord[]> {
    return this.#do(() => {
      const page = checkedReadsPage(options);
      const after = page.afterMs;
      // Stable: entries with the same time stay in the order recorded, as the SQL stores' ids keep them.
      return this.#tables.reads
        .filter((read) => after === undefined || read.atMs > after)
        .sort((a, b) => a.atMs - b.atMs)
        .slice(0, page.limit);
    });
  }
}
