/**
 * @module The composition root: the only file that picks adapters. It opens the store the options
 * name (SQLite by default, PostgreSQL with a URL), assembles the use cases' dependencies, and runs
 * the `truceline` program.
 */
import { existsSync, readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { availableParallelism, hostname } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { openPostgresStore } from './adapters/postgres/open-postgres-store.ts';
import { openSqliteStore } from './adapters/sqlite/open-sqlite-store.ts';
import { workerRecordValidator } from './adapters/workers/worker-record-validator.ts';
import { nodeSha256, nodeSha256Bytes } from './adapters/crypto/node-sha256.ts';
import { argon2Passwords } from './adapters/crypto/argon2-passwords.ts';
import { nodeEd25519, verifyEd25519 } from './adapters/crypto/ed25519.ts';
import { defaultLedgerKeyPath, ledgerKey, signedTreesFile } from './adapters/crypto/ledger-key-file.ts';
import { FileBlobStore } from './adapters/files/file-blob-store.ts';
import { commitmentOf, leafHashOf, sha256 } from './adapters/common/ledger-leaves.ts';
import { forkFromSigned, type LedgerSigning } from './application/ledger/ledger-signing.ts';
import { signCheckpoint } from './application/ledger/sign-checkpoint.ts';
import { checkDeadlines } from './application/commission/check-deadlines.ts';
import { TrucelineError } from './core/errors.ts';
import { nodeSecrets } from './adapters/crypto/node-secrets.ts';
import { OpenidOidcClient } from './adapters/oidc/openid-oidc-client.ts';
import { buildApp } from './api/build-app.ts';
import type { AppDeps } from './application/app-deps.ts';
import { inProcessRecordValidator } from './application/in-process-record-validator.ts';
import { Notifier } from './application/notifier.ts';
import { recordAccessPolicy } from './application/access/record-access-policy.ts';
import { registerAgreement } from './application/register-agreement.ts';
import { bootstrapAdmin, demoReadToken } from './application/access/bootstrap-accounts.ts';
import type { CliRuntime, ServeOptions, StoreOptions } from './cli/cli-runtime.ts';
import { buildProgram } from './cli/program.ts';
import { DEFAULT_DEMO_AGREEMENT, readAgreementSource } from './cli/shipped-agreements.ts';
import { systemClock } from './core/ports/clock.ts';
import type { Store } from './core/ports/store.ts';
import { startLiveSector } from './sim/live-sector.ts';
import { FusionPipeline, type FusionLogic } from './application/fusion-pipeline.ts';
import { FusionHealth } from './application/fusion-health.ts';
import { FusionLeaseKeeper } from './application/fusion-lease.ts';
import type { FusionLease } from './core/ports/fusion-store.ts';
import { runAtMostEvery } from './application/run-at-most-every.ts';
import { attribute } from './core/attribution/attribute.ts';
import { FusionEngine } from './core/fusion/engine.ts';
import { fitArrivals } from './core/fusion/fit-arrivals.ts';
import { checkEvent } from './core/rules/check-event.ts';
import { describeError } from './cli/describe-error.ts';

/**
 * How the server opens SQLite: the file mapped for queries (docs/decisions/0007-memory-mapped-reads.md),
 * and the write-ahead log checkpointed on a thread of its own, off the thread that serves and commits
 * (docs/decisions/0012-background-checkpoints.md).
 */
export const SERVE_SQLITE_OPTIONS = { mmapBytes: 1024 * 1024 * 1024, checkpoints: 'background' } as const;

/**
 * How bulk commands (`ingest`) open SQLite: a 16 MiB page cache instead of 64. Measured on a
 * 1,000,000-line file ingest: peak resident memory ~50 MB lower, speed within the run-to-run spread.
 * Checkpoints stay inline: an ingest keeps both cores busy already, and a checkpoint thread measured
 * no faster there (docs/decisions/0012-background-checkpoints.md).
 */
export const BULK_SQLITE_OPTIONS = { cacheBytes: 16 * 1024 * 1024, checkpoints: 'inline' } as const;

/** What a store is opened for: the server, a bulk command (`ingest`), or any other command. */
export type StorePurpose = 'serve' | 'bulk' | 'command' | 'read';

/** Opens the store the options name; `serve` and `bulk` open SQLite as the server and ingest do. */
export async function openStore(options: StoreOptions, purpose: StorePurpose = 'command'): Promise<Store> {
  if (options.databaseUrl !== undefined) return openPostgresStore({ url: options.databaseUrl });
  return openSqliteStore({
    path: options.db ?? './truceline.db',
    ...(purpose === 'serve' ? SERVE_SQLITE_OPTIONS : purpose === 'bulk' ? BULK_SQLITE_OPTIONS : {}),
  });
}

/**
 * Heap growth of a bulk command: after each full collection V8 lets the heap grow to 1.2 × what is
 * live instead of up to 4 ×. A file ingest's live data is small (the batches in flight) but it makes
 * garbage fast, and V8's default let the main heap and each validation thread's grow to several times
 * it between collections. Measured on a 1,000,000-line file ingest: peak resident memory ~500 → ~310 MB
 * with 2,000-line batches, speed within the run-to-run spread. The flag is the process's (every
 * thread's heap), so only a command that runs alone in its process sets it.
 */
export function tuneHeapForBulk(): void {
  setFlagsFromString('--heap-growing-percent=20');
}

/**
 * Everything the use cases need, on the given store. Ingest batches are validated on worker threads
 * (one per core by default, each below this thread's priority; `validationThreads: 0` validates in
 * process).
 */
export function assemble(
  store: Store,
  options: {
    validationThreads?: number;
    ledgerKey?: string;
    /** Where the record of the largest signed tree is kept (default `<ledger key>.signed`). */
    ledgerSigned?: string;
    attachments?: string;
  } = {},
): AppDeps {
  const threads = options.validationThreads ?? availableParallelism();
  const pool = threads > 0 ? workerRecordValidator({ threads }) : undefined;
  let signing: LedgerSigning | undefined;
  return {
    store,
    clock: systemClock,
    sha256: nodeSha256,
    sha256Bytes: nodeSha256Bytes,
    notifier: new Notifier(),
    validator: pool ?? inProcessRecordValidator(nodeSha256),
    passwords: argon2Passwords,
    secrets: nodeSecrets,
    // On the validation threads: a signature check costs the thread that serves HTTP ~170 µs here, and
    // sensors each signing small batches send many.
    verifyEd25519: pool?.verifyEd25519 ?? verifyEd25519,
    blobs: new FileBlobStore(options.attachments ?? './truceline-attachments'),
    maxAttachmentBytes: DEFAULT_MAX_ATTACHMENT_BYTES,
    ledgerKey: () => {
      if (options.ledgerKey === undefined)
        throw new TrucelineError(
          'E_LEDGER_KEY',
          'no ledger key file is configured: give --ledger-key FILE (required with --database-url)',
        );
      signing ??= {
        key: ledgerKey(options.ledgerKey),
        ed: nodeEd25519,
        sha: sha256,
        signedTrees: signedTreesFile(options.ledgerKey, options.ledgerSigned),
      };
      return signing;
    },
  };
}

/** The largest evidence attachment accepted (bytes): 256 MiB, enough for imagery and video clips. */
export const DEFAULT_MAX_ATTACHMENT_BYTES = 256 * 1024 * 1024;

/** Where attachments are kept: `--attachments DIR`, else `<database file>.attachments` beside SQLite. */
export const attachmentsDirOf = (options: StoreOptions): string =>
  options.attachments ??
  (options.databaseUrl === undefined
    ? `${options.db ?? './truceline.db'}.attachments`
    : './truceline-attachments');

/** The ledger key file the options name: `--ledger-key`, else `<database file>.ledger-key` for SQLite. */
export const ledgerKeyPathOf = (options: StoreOptions): string | undefined =>
  options.ledgerKey ??
  (options.databaseUrl === undefined ? defaultLedgerKeyPath(options.db ?? './truceline.db') : undefined);

/**
 * The store the options name, with everything the use cases need. Closing the store signs a
 * checkpoint first when the command appended to the ledger (and a key is configured).
 */
export async function openDeps(
  options: StoreOptions,
  extra: { validationThreads?: number; purpose?: StorePurpose } = {},
): Promise<AppDeps> {
  const keyPath = ledgerKeyPathOf(options);
  // Checked before anything is opened or written: a PostgreSQL store is never written without its key.
  if (keyPath === undefined)
    throw new TrucelineError(
      'E_LEDGER_KEY',
      '--ledger-key FILE is required with --database-url: the ledger signs its checkpoints with a key that never lives in the database',
    );
  if (extra.purpose === 'bulk') tuneHeapForBulk();
  const store = await openStore(options, extra.purpose);
  const deps = assemble(store, {
    ...(extra.validationThreads === undefined ? {} : { validationThreads: extra.validationThreads }),
    ledgerKey: keyPath,
    ...(options.ledgerSigned === undefined ? {} : { ledgerSigned: options.ledgerSigned }),
    attachments: attachmentsDirOf(options),
  });
  // A command that may append to the ledger finds out now, before it writes anything, that the key it
  // would sign with is not the ledger's (a restored backup without its key file, or the wrong file).
  if (extra.purpose !== 'read')
    await refuseForeignLedgerKey(store, keyPath, deps).catch(async (error: unknown) => {
      await store.close();
      throw error;
    });
  const sizeAtOpen = (await store.ledger.head()).size;
  const close = store.close.bind(store);
  const signing: Store = {
    ...store,
    close: async () => {
      try {
        if ((await store.ledger.head()).size > sizeAtOpen)
          await signCheckpoint({ store, clock: deps.clock, ledgerSigning: deps.ledgerKey() });
      } finally {
        await close();
      }
    },
  };
  return { ...deps, store: signing };
}

/**
 * Refuses a ledger key that did not sign the store's checkpoints, and a key file missing beside a
 * ledger that has some: it would be created anew, and the command would fail when it signs, after
 * committing what it wrote.
 */
async function refuseForeignLedgerKey(store: Store, keyPath: string, deps: AppDeps): Promise<void> {
  const latest = await store.ledger.latestCheckpoint();
  if (latest === undefined) return;
  const origin = latest.note.split('\n', 1)[0] ?? '';
  if (!existsSync(keyPath))
    throw new TrucelineError(
      'E_LEDGER_KEY',
      `this database's ledger is signed by ${origin}, and there is no key file at ${keyPath} (a backup does not hold it): copy the key file it was signed with, and its .signed record beside it, to ${keyPath}, or give --ledger-key FILE`,
    );
  const signing = deps.ledgerKey();
  if (signing.key.name !== origin)
    throw new TrucelineError(
      'E_LEDGER_KEY',
      `the key in ${keyPath} (${signing.key.name}) did not sign this database's ledger, which is signed by ${origin}: give the key file it was signed with`,
    );
  // The key signed a larger tree, or another one: a backup older than its last checkpoint, or a
  // rewritten ledger. Said now, not after this command's writes, when signing would refuse.
  const fork = await forkFromSigned(signing, store.ledger);
  if (fork !== undefined)
    throw new TrucelineError(
      'E_LEDGER_AUDIT',
      `${fork}. Nothing was written. If a backup taken before the key's last checkpoint was restored on purpose, removing ${signing.signedTrees?.location ?? 'the record of signed trees'} lets the key sign the restored tree — a fork the parties' witnesses will see`,
      { details: { table: 'ledger_nodes' } },
    );
}

const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));

async function serve(runtime: CliRuntime, options: ServeOptions): Promise<void> {
  const tls = options.tlsCert !== undefined || options.tlsKey !== undefined;
  if (tls && (options.tlsCert === undefined || options.tlsKey === undefined))
    throw new Error('--tls-cert and --tls-key go together');
  if (!isLoopback(options.host) && !tls && !options.insecurePublic)
    throw new Error(
      `refusing to listen on ${options.host} without TLS: give --tls-cert and --tls-key, or --insecure-public to accept the risk`,
    );
  const deps = await openDeps(options, { purpose: 'serve' });
  const policy = await recordAccessPolicy(deps);
  if (policy.recorded) runtime.stderr(`access policy version ${policy.version} recorded in the ledger\n`);
  const agreementRef = options.agreement ?? (options.demo ? DEFAULT_DEMO_AGREEMENT : undefined);
  let fusedAgreement: string | undefined;
  const agreementSource = agreementRef === undefined ? undefined : await readAgreementSource(agreementRef);
  if (agreementSource !== undefined) {
    const { outcome, record } = await registerAgreement(deps, agreementSource);
    runtime.stderr(`agreement ${record.id} (revision ${record.revision}): ${outcome}\n`);
    fusedAgreement = record.id;
  }
  const oidc = await oidcClient(options);
  const fusionHealth =
    fusedAgreement === undefined ? undefined : new FusionHealth(fusedAgreement, deps.clock);
  const app = await buildApp(deps, {
    oidc,
    fusionHealth,
    // Errors (with their causes) and fusion's messages, as JSON lines on stderr.
    logger: { level: 'info', stream: process.stderr },
    ...(options.recordsPerMinute === undefined
      ? {}
      : { rateLimits: { recordsPerSourceKey: options.recordsPerMinute } }),
    https: tls
      ? { cert: await readFile(options.tlsCert ?? ''), key: await readFile(options.tlsKey ?? '') }
      : undefined,
  });
  const address = await app.listen({ port: options.port, host: options.host });
  // Only once the server listens: a start that fails before would spend the one-time password.
  const admin = await bootstrapAdmin(deps);
  if (admin !== undefined)
    runtime.stderr(
      `created the first administrator: user ${admin.name}, password ${admin.password} (shown once; sign in at /auth/login, create users and tokens with \`truceline users create\` and \`truceline tokens create\`)\n`,
    );
  const stopFusion =
    fusedAgreement === undefined
      ? () => Promise.resolve()
      : startFusion(deps, fusedAgreement, (error) => app.log.error(error), {
          health: fusionHealth,
          onStandby: (heldBy) =>
            app.log.info(
              heldBy === undefined
                ? 'fusion: this server holds fusion’s lease and fuses the store'
                : `fusion: standing by — ${heldBy.purpose} (process ${heldBy.pid} on ${heldBy.host}) holds fusion’s lease; this server takes over when it stops`,
            ),
        });
  const stopFeed =
    options.demo && agreementSource !== undefined
      ? await startLiveSector(deps, {
          ...DEMO_SECTOR,
          agreementText: agreementSource.text,
          format: agreementSource.format,
          onError: (error) => app.log.error(error),
        })
      : () => Promise.resolve();
  const stopSigning = startCheckpointSigning(deps, (error) => app.log.error(error));
  const stopDeadlines = startDeadlineWatch(deps, (error) => app.log.error(error));
  runtime.stdout(`Truceline is listening on ${address}\n`);
  if (oidc !== undefined)
    oidc.discover().then(
      () => runtime.stderr(`OpenID Connect: sign in at ${address}/auth/oidc/login\n`),
      (error: unknown) =>
        runtime.stderr(
          `OpenID Connect provider ${options.oidcIssuer ?? ''} not reachable (${error instanceof Error ? error.message : String(error)}); sign-in through it retries on each attempt\n`,
        ),
    );
  runtime.stdout(`  public stream: curl -N ${address}/api/v1/stream\n`);
  runtime.stdout(`  API docs:      ${address}/docs\n`);
  if (options.demo) {
    const token = await demoReadToken(deps);
    runtime.stdout(`  read token of a mission analyst (demo-analyst, 7 days): ${token}\n`);
    runtime.stdout(
      `  watch everything: curl -N -H "Authorization: Bearer ${token}" ${address}/api/v1/stream\n`,
    );
    runtime.stdout(
      `  demo feed:   a simulated sector of ${fusedAgreement ?? '?'}: the last ${DEMO_SECTOR.hours} h at ${DEMO_SECTOR.speed}× (${DEMO_SECTOR.intensity}; after what this store already holds), then live in real time (${DEMO_SECTOR.liveIntensity}), through fusion, attribution and the rules\n`,
    );
    runtime.stdout(
      `  events:      curl -H "Authorization: Bearer ${token}" ${address}/api/v1/events   (and /api/v1/violations)\n`,
    );
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      stopSigning();
      stopDeadlines();
      // The feed's delivery in progress first: nothing is stored after fusion's last run.
      void stopFeed()
        .then(() => stopFusion())
        .then(() => app.close())
        .then(() => deps.store.close())
        .then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** How often the server signs a checkpoint when the tree has grown (ms). */
export const CHECKPOINT_INTERVAL_MS = 60_000;

/** Signs a checkpoint at an interval while the tree grows; the returned function stops it. */
function startCheckpointSigning(deps: AppDeps, onError: (error: unknown) => void): () => void {
  const sign = (): void => {
    Promise.resolve()
      .then(() => signCheckpoint({ ...deps, ledgerSigning: deps.ledgerKey() }))
      .catch(onError);
  };
  sign();
  const timer = setInterval(sign, CHECKPOINT_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** How often the server looks for case deadlines that have passed (ms). */
export const DEADLINE_CHECK_MS = 30_000;

/** Announces passed deadlines and advances escalation ladders at an interval; returns the stop function. */
function startDeadlineWatch(deps: AppDeps, onError: (error: unknown) => void): () => void {
  const raised = new Set<string>();
  let running = false;
  const check = (): void => {
    if (running) return;
    running = true;
    checkDeadlines(deps, raised)
      .catch(onError)
      .finally(() => (running = false));
  };
  const timer = setInterval(check, DEADLINE_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** The mission's OpenID Connect provider, if `serve` was given one (all four options, or none). */
async function oidcClient(options: ServeOptions): Promise<OpenidOidcClient | undefined> {
  const { oidcIssuer, oidcClientId, oidcClientSecretFile, oidcRedirectUri } = options;
  if ([oidcIssuer, oidcClientId, oidcClientSecretFile, oidcRedirectUri].every((v) => v === undefined))
    return undefined;
  if (
    oidcIssuer === undefined ||
    oidcClientId === undefined ||
    oidcClientSecretFile === undefined ||
    oidcRedirectUri === undefined
  )
    throw new Error(
      '--oidc-issuer, --oidc-client-id, --oidc-client-secret-file and --oidc-redirect-uri go together',
    );
  // The first line of the file, without its line end (never on the command line: `ps` shows it).
  const clientSecret = (await readFile(oidcClientSecretFile, 'utf8')).split(/\r?\n/)[0] ?? '';
  return new OpenidOidcClient({
    issuer: oidcIssuer,
    clientId: oidcClientId,
    clientSecret,
    redirectUri: oidcRedirectUri,
  });
}

/**
 * The demonstration's simulated sector: the past six hours of normal fire replayed at 60× (six minutes),
 * then live in real time at the worst day's pace (a round every few seconds; normal fire would be one
 * every two or three minutes).
 */
const DEMO_SECTOR = {
  hours: 6,
  speed: 60,
  intensity: 'normal',
  liveIntensity: 'worst-day',
  firstSeed: 1,
  tickMs: 250,
} as const;

/** Fusion, attribution and the rules as shipped. */
export const fusionLogic: FusionLogic = {
  newEngine: (options) => new FusionEngine({ fitAcoustic: fitArrivals, ...options }),
  attribute: (event, terms) =>
    terms === undefined
      ? attribute({ parties: [], sides: [] }, event.origin)
      : attribute(terms, event.origin),
  check: checkEvent,
};

/**
 * The shortest time between two fusion runs started by commits, ms. Run after every commit, a live
 * server taking hundreds of small signed batches a second spent more of its main thread on per-run
 * work (above all grouping the waiting arrivals again for provisional events) than on the
 * observations: in interleaved single runs of the stream-latency bench, 30 ms let it take
 * 55,000–64,000 observations in 60 s instead of ~45,000, with the p99 latency 660–830 ms instead of
 * 1,100–1,230 (p50 +10–25 ms); the recorded runs (3 at c6b8574): 49,600–51,900 taken, p99 770–979 ms.
 */
export const FUSION_MIN_INTERVAL_MS = 30;

/** Whether a lease's holder ran on this host and its process is gone: its lease may be taken now. */
export function holderDeadHere(lease: FusionLease): boolean {
  // The same host name and PID namespace: a container on the host's network shares the name, not the
  // processes, and would find a live server's process gone.
  if (lease.host !== localHost() || lease.pid === process.pid) return false;
  try {
    process.kill(lease.pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process lives, under another user.
    return (error as { code?: unknown }).code === 'ESRCH';
  }
}

/** This host as a lease names it: its name, and its PID namespace where the system tells it. */
export function localHost(): string {
  try {
    const namespace = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1];
    return namespace === undefined ? hostname() : `${hostname()} (pid namespace ${namespace})`;
  } catch {
    return hostname();
  }
}

/** Fusion's lease for this process: `purpose` names what runs it, for whoever is refused. */
export const fusionLeaseOf = (deps: AppDeps, purpose: string): FusionLeaseKeeper =>
  new FusionLeaseKeeper(deps, { purpose, pid: process.pid, host: localHost() }, holderDeadHere);

/**
 * Runs fusion continuously against the agreement: after commits of observations (at most every
 * FUSION_MIN_INTERVAL_MS), and every few seconds, for writes by other processes. It holds fusion's
 * lease while it runs; while another process holds it, this one stands by and takes over when that
 * one stops (or dies). Returns the function that stops it, which settles once the run in progress has
 * and the lease is given up.
 */
export function startFusion(
  deps: AppDeps,
  agreementId: string,
  onError: (error: unknown) => void,
  options: {
    readonly health?: FusionHealth;
    readonly logic?: FusionLogic;
    /** Told when this server starts or stops standing by for another holder of the lease. */
    readonly onStandby?: (heldBy: FusionLease | undefined) => void;
    readonly lease?: FusionLeaseKeeper;
  } = {},
): () => Promise<void> {
  const lease = options.lease ?? fusionLeaseOf(deps, 'serve');
  // A live server shows acoustic events as their arrivals come, revised as more come.
  const pipeline = new FusionPipeline(deps, options.logic ?? fusionLogic, {
    agreementId,
    provisional: true,
    lease,
  });
  const { health } = options;
  let stopped = false;
  let standingBy: string | undefined;
  let last: Promise<unknown> = Promise.resolve();
  const run = (): void => {
    if (stopped) return;
    last = pipeline.run(false).then(
      (report) => {
        health?.succeeded(report);
        if (report.heldBy?.holder !== standingBy) {
          standingBy = report.heldBy?.holder;
          options.onStandby?.(report.heldBy);
        }
      },
      (error: unknown) => {
        health?.failed();
        onError(error);
      },
    );
  };
  // After commits, at most every FUSION_MIN_INTERVAL_MS: commits meanwhile share the next run.
  const afterCommits = runAtMostEvery(run, FUSION_MIN_INTERVAL_MS);
  const unsubscribe = deps.notifier.subscribe(() => {
    if (!pipeline.pending) afterCommits.request();
  });
  const timer = setInterval(run, 2_000);
  run();
  return async () => {
    stopped = true;
    unsubscribe();
    afterCommits.stop();
    clearInterval(timer);
    await last;
    await lease.release().catch(onError);
  };
}

/** Runs the `truceline` program with `argv` (as in `process.argv`). */
export async function main(argv: readonly string[]): Promise<void> {
  const runtime: CliRuntime = {
    openDeps: (options, purpose) => openDeps(options, purpose === undefined ? {} : { purpose }),
    serve: (options) => serve(runtime, options),
    ledgerCrypto: { ed: nodeEd25519, sha: sha256, commitment: commitmentOf, leafHash: leafHashOf },
    ledgerKeyFile: (path) => ({
      key: ledgerKey(path),
      ed: nodeEd25519,
      sha: sha256,
      signedTrees: signedTreesFile(path),
    }),
    fusionLogic,
    fusionLease: fusionLeaseOf,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTty: process.stderr.isTTY,
  };
  const program = buildProgram(runtime);
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version') return;
    if (code?.startsWith('commander.') === true) {
      process.exitCode = (error as { exitCode?: number }).exitCode ?? 1;
      return;
    }
    process.stderr.write(`truceline: ${describeError(error)}\n`);
    process.exitCode = 1;
  }
}
