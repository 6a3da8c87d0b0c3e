// Builds the real application on a real SQLite file in a temporary directory, for tests, with the
// accounts and keys a test needs: a mission analyst's read token, a signing key per source, and
// `inject`, which authenticates reads with that token and signs ingest batches with the source's key.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp, type AppOptions } from '../../src/api/build-app.ts';
import {
  createOrganisation,
  ensureBuiltinOrganisations,
} from '../../src/application/access/create-organisation.ts';
import { createToken } from '../../src/application/access/create-token.ts';
import { createUser } from '../../src/application/access/create-user.ts';
import type { AppDeps } from '../../src/application/app-deps.ts';
import { addSourceKey } from '../../src/application/manage-source-keys.ts';
import { registerSource } from '../../src/application/register-source.ts';
import { generateSourceKey } from '../../src/client/source-key.ts';
import { signBatch } from '../../src/client/sign-batch.ts';
import type { OrgKind, Role } from '../../src/core/access/organisations.ts';
import type { Clock } from '../../src/core/ports/clock.ts';
import { openSqliteStore } from '../../src/adapters/sqlite/open-sqlite-store.ts';
import type { SyncFile } from '../../src/adapters/sqlite/wal-sync.ts';
import { assemble, openStore } from '../../src/main.ts';

export interface SourceKeyPair {
  readonly keyId: string;
  readonly privateKeyPem: string;
}

export interface Harness {
  readonly app: FastifyInstance;
  readonly deps: AppDeps;
  readonly dir: string;
  readonly dbPath: string;
  /** A read token of a mission analyst (`analyst`). */
  readonly analystToken: string;
  /** Each registered source's signing key. */
  readonly keys: Map<string, SourceKeyPair>;
  /**
   * `app.inject` with the analyst's token (unless the request has an `authorization` header or
   * `anonymous` is set), and ingest batches signed with the key of `signAs` (default: the source of
   * the payload's first record) unless the request carries a `signature` header or `unsigned` is set.
   */
  inject(
    options: InjectOptions & { signAs?: string; batchId?: string; anonymous?: boolean; unsigned?: boolean },
  ): Promise<LightMyRequestResponse>;
  /** A token for a new user of `role` in organisation `orgId` (created with `kind` if missing). */
  tokenFor(input: {
    orgId: string;
    kind: OrgKind;
    role: Role;
    scopes?: string;
    name?: string;
    /** Lifetime, e.g. `1d` (the default) or `90d` for tests that move their clock far. */
    expiresIn?: string;
  }): Promise<string>;
  /** Registers a source (organisation `mission` unless given) with a signing key. */
  addSource(source: { id: string; kind: string; organisation?: string }): Promise<SourceKeyPair>;
  close(): Promise<void>;
}

/** A clock tests can set. */
export class TestClock implements Clock {
  constructor(public ms: number) {}
  now(): number {
    return this.ms;
  }
}

let batchCounter = 0;

export async function startHarness(
  options: AppOptions & {
    clock?: Clock;
    sources?: readonly { id: string; kind: string }[];
    /** How the store syncs its log after ingest's and fusion's commits (a test may hold it). */
    syncLog?: SyncFile;
  } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'truceline-test-'));
  const dbPath = join(dir, 'test.db');
  const store =
    options.syncLog === undefined
      ? await openStore({ db: dbPath })
      : await openSqliteStore({ path: dbPath, syncLog: options.syncLog });
  const base = assemble(store, {
    ledgerKey: `${dbPath}.ledger-key`,
    attachments: `${dbPath}.attachments`,
  });
  const deps: AppDeps = options.clock === undefined ? base : { ...base, clock: options.clock };
  await ensureBuiltinOrganisations(deps);
  const keys = new Map<string, SourceKeyPair>();
  const addSource: Harness['addSource'] = async (source) => {
    await registerSource(deps, { organisation: 'mission', ...source });
    const key = generateSourceKey();
    await addSourceKey(deps, {
      sourceId: source.id,
      keyId: key.keyId,
      publicKeySpkiB64: key.publicKeySpkiB64,
    });
    const pair = { keyId: key.keyId, privateKeyPem: key.privateKeyPem };
    keys.set(source.id, pair);
    return pair;
  };
  for (const source of options.sources ?? []) await addSource(source);
  let users = 0;
  const tokenFor: Harness['tokenFor'] = async (input) => {
    if ((await deps.store.access.findOrganisation(input.orgId)) === undefined)
      await createOrganisation(deps, { id: input.orgId, kind: input.kind });
    users += 1;
    const name = input.name ?? `${input.role}-${input.orgId}-${users}`;
    await createUser(deps, { orgId: input.orgId, role: input.role, name });
    return (
      await createToken(deps, {
        userName: name,
        scopes: input.scopes ?? 'read',
        expiresIn: input.expiresIn ?? '1d',
      })
    ).text;
  };
  const analystToken = await tokenFor({
    orgId: 'mission',
    kind: 'mission',
    role: 'analyst',
    name: 'analyst',
  });
  const app = await buildApp(deps, options);

  const inject: Harness['inject'] = async ({ signAs, batchId, anonymous, unsigned, ...request }) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers ?? {}))
      if (value !== undefined) headers[name.toLowerCase()] = String(value);
    if (anonymous !== true && headers.authorization === undefined)
      headers.authorization = `Bearer ${analystToken}`;
    const url = typeof request.url === 'string' ? request.url : '';
    const isIngest = request.method === 'POST' && url.split('?')[0] === '/api/v1/observations';
    if (isIngest && unsigned !== true && headers.signature === undefined) {
      delete headers.authorization;
      const payload = request.payload;
      const text =
        typeof payload === 'string'
          ? payload
          : Buffer.isBuffer(payload)
            ? payload.toString('utf8')
            : JSON.stringify(payload);
      const contentType = headers['content-type'] ?? 'application/json';
      const source = signAs ?? firstSourceId(text, contentType);
      const key = source === undefined ? undefined : keys.get(source);
      if (key !== undefined) {
        const body = Buffer.from(text, 'utf8');
        batchCounter += 1;
        Object.assign(
          headers,
          signBatch({
            path: url,
            contentType,
            body,
            keyId: key.keyId,
            privateKey: key.privateKeyPem,
            batchId: batchId ?? `test-${process.pid}-${batchCounter}`,
            createdMs: deps.clock.now(),
          }),
        );
        return app.inject({ ...request, headers, payload: body });
      }
    }
    return app.inject({ ...request, headers });
  };

  return {
    app,
    deps,
    dir,
    dbPath,
    analystToken,
    keys,
    inject,
    tokenFor,
    addSource,
    close: async () => {
      await app.close();
      await deps.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The `sourceId` of the first record of a JSON array or NDJSON body, if it has one. */
function firstSourceId(text: string, contentType: string): string | undefined {
  try {
    const first: unknown = contentType.startsWith('application/x-ndjson')
      ? JSON.parse(text.split('\n').find((line) => line.trim() !== '') ?? 'null')
      : (JSON.parse(text) as unknown[])[0];
    const id = (first as { sourceId?: unknown } | null)?.sourceId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
