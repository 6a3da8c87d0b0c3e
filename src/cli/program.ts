/**
 * @module The `truceline` command-line program. Every command that touches data takes `--db FILE`
 * (SQLite, default ./truceline.db) or `--database-url URL` (PostgreSQL). Commands print only their
 * pinned output on stdout; messages go to stderr.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CliRuntime, StoreOptions } from './cli-runtime.ts';
import { DEFAULT_INGEST_BATCH } from './commands/ingest.ts';
import { ROLES } from '../core/access/organisations.ts';
import {
  orgsCreate,
  orgsList,
  tokensCreate,
  tokensList,
  tokensRevoke,
  usersCreate,
  usersList,
} from './commands/access.ts';
import { agreementValidate } from './commands/agreement-validate.ts';
import { backupCommand } from './commands/backup.ts';
import { agreementRegister } from './commands/agreement-register.ts';
import { ingestCommand } from './commands/ingest-command.ts';
import { evaluateCommand } from './commands/evaluate.ts';
import { simulateCommand, type SimulateOptions } from './commands/simulate.ts';
import { INTENSITIES, isIntensity } from '../sim/simulator/truth.ts';
import { sourcesRegister, sourcesList } from './commands/sources.ts';
import { sourcesKeygen, sourcesRevokeKey } from './commands/source-keys.ts';
import { postCommand } from './commands/post.ts';
import { ledgerAudit, ledgerExport, ledgerPubkey, ledgerVerify } from './commands/ledger.ts';
import { witnessFollow, witnessKeygen } from './commands/witness.ts';

const int = (name: string, min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
  return n;
};

const positiveHours = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 24 * 366)
    throw new InvalidArgumentError('--hours must be a number of hours above 0, at most a year');
  return n;
};

const withStore = (command: Command): Command =>
  command
    .addOption(
      new Option('--db <file>', 'SQLite database file').default('./truceline.db').conflicts('databaseUrl'),
    )
    .addOption(
      new Option('--database-url <url>', 'PostgreSQL URL (postgres://…)').env('TRUCELINE_DATABASE_URL'),
    )
    .addOption(
      new Option(
        '--ledger-key <file>',
        "the ledger's signing key file (default: <db>.ledger-key; required with --database-url)",
      ).env('TRUCELINE_LEDGER_KEY'),
    )
    .addOption(
      new Option(
        '--ledger-signed <file>',
        'where the record of the largest tree the ledger key signed is kept (default: <ledger key>.signed; give it when the key is mounted read-only)',
      ).env('TRUCELINE_LEDGER_SIGNED'),
    )
    .addOption(
      new Option(
        '--attachments <dir>',
        'where evidence attachments are kept (default: <db>.attachments)',
      ).env('TRUCELINE_ATTACHMENTS'),
    );

export function buildProgram(runtime: CliRuntime): Command {
  const program = new Command('truceline')
    .description('Ceasefire monitoring and verification')
    .configureOutput({ writeOut: runtime.stdout, writeErr: runtime.stderr })
    .exitOverride()
    .showHelpAfterError();

  withStore(
    program
      .command('serve')
      .description('start the server (default 127.0.0.1:8080)')
      .option('--port <n>', 'port', int('--port', 0, 65535), 8080)
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option('--tls-cert <file>', 'TLS certificate (PEM)')
      .option('--tls-key <file>', 'TLS private key (PEM)')
      .option('--insecure-public', 'allow a non-loopback host without TLS', false)
      .option(
        '--records-per-minute <n>',
        'records a minute each source key may have stored (default 60000; 429 beyond)',
        int('--records-per-minute', 1, 100_000_000),
      )
      .option('--demo', 'register a shipped agreement and run a live demonstration feed', false)
      .option('--agreement <id|file>', 'agreement to register at start (a shipped id or a file)')
      .option('--oidc-issuer <url>', "the mission's OpenID Connect provider (issuer identifier, https://…)")
      .option('--oidc-client-id <id>', "this server's client id at the provider")
      .option('--oidc-client-secret-file <file>', 'file holding the client secret (its first line)')
      .option(
        '--oidc-redirect-uri <url>',
        'the callback registered at the provider: https://HOST/auth/oidc/callback',
      ),
  ).action(async (options: Parameters<CliRuntime['serve']>[0]) => {
    await runtime.serve(options);
  });

  withStore(
    program
      .command('evaluate')
      .description("measure the stored events and potential violations against a simulator's ground truth")
      .requiredOption('--truth <file>', 'truth.ndjson written by `truceline simulate`')
      .requiredOption('--json <out>', 'where to write the figures as JSON'),
  ).action(async (options: Parameters<typeof evaluateCommand>[1]) => {
    process.exitCode = await evaluateCommand(runtime, options);
  });

  withStore(
    program
      .command('ingest')
      .description('ingest NDJSON observation files and UCDP GED CSV files (files or directories)')
      .argument('<paths...>', 'files or directories')
      .option('--json', 'print the counts and every rejection as JSON on stdout', false)
      .option(
        '--batch-size <n>',
        'records per transaction',
        int('--batch-size', 1, 1_000_000),
        DEFAULT_INGEST_BATCH,
      )
      .option('--operator <name>', 'who runs the ingest, recorded with it (default: the OS login name)'),
  ).action(
    async (
      paths: string[],
      options: { json: boolean; batchSize: number; operator?: string; db?: string; databaseUrl?: string },
    ) => {
      process.exitCode = await ingestCommand(runtime, paths, options);
    },
  );

  withStore(
    program
      .command('backup')
      .description('write a consistent copy of the SQLite database while the server runs')
      .requiredOption('--out <file>', 'where to write the copy'),
  ).action(async (options: { out: string; db?: string; databaseUrl?: string }) => {
    process.exitCode = await backupCommand(runtime, options);
  });

  program
    .command('simulate')
    .description('simulate the line, the network and the parties; write observations and the ground truth')
    .requiredOption('--agreement <id|file>', 'shipped agreement id or YAML/JSON file')
    .option('--hours <n>', 'hours to simulate', positiveHours, 24)
    .requiredOption('--seed <n>', 'seed of every random draw', int('--seed', 0, 4_294_967_295))
    .addOption(
      new Option('--intensity <level>', 'how much happens')
        .choices(INTENSITIES)
        .default('normal')
        .argParser((value: string) => {
          if (!isIntensity(value)) throw new InvalidArgumentError(`must be one of ${INTENSITIES.join(', ')}`);
          return value;
        }),
    )
    .option('--start <time>', 'RFC 3339 start (default: a day after the latest version took effect)')
    .requiredOption('--out <dir>', 'directory to write the four files into')
    .action(async (options: SimulateOptions) => {
      process.exitCode = await simulateCommand(runtime, options);
    });

  const agreement = program.command('agreement').description('agreements as data');
  agreement
    .command('validate')
    .description('report every problem in an agreement file (exit 1 if any)')
    .argument('<file>', 'YAML or JSON agreement')
    .action(async (file: string) => {
      process.exitCode = await agreementValidate(file, { stdout: runtime.stdout, stderr: runtime.stderr });
    });
  withStore(
    agreement
      .command('register')
      .description('validate and register an agreement (a shipped id or a file)')
      .argument('<id|file>', 'shipped agreement id or YAML/JSON file'),
  ).action(async (ref: string, options: { db?: string; databaseUrl?: string }) => {
    process.exitCode = await agreementRegister(runtime, ref, options);
  });

  const sources = program.command('sources').description('the registry of sources and sensors');
  withStore(
    sources
      .command('register')
      .description('register sources from a JSON file (one object or an array)')
      .argument('<file>', 'JSON file'),
  ).action(async (file: string, options: { db?: string; databaseUrl?: string }) => {
    process.exitCode = await sourcesRegister(runtime, file, options);
  });
  withStore(
    sources
      .command('keygen')
      .description(
        'generate a signing key for a source: the private key to FILE (mode 0600), the public key registered; prints the key id',
      )
      .requiredOption('--source <id>', 'source id')
      .requiredOption('--out <file>', 'where to write the private key (never overwritten)'),
  ).action(async (options: Parameters<typeof sourcesKeygen>[1]) => {
    process.exitCode = await sourcesKeygen(runtime, options);
  });
  withStore(
    sources
      .command('rotate-key')
      .description(
        'a new signing key for a source; its other keys are revoked from now (their past submissions stay verifiable)',
      )
      .requiredOption('--source <id>', 'source id')
      .requiredOption('--out <file>', 'where to write the new private key'),
  ).action(async (options: Parameters<typeof sourcesKeygen>[1]) => {
    process.exitCode = await sourcesKeygen(runtime, { ...options, rotate: true });
  });
  withStore(
    sources
      .command('revoke-key')
      .description(
        'revoke a signing key; with --compromised-at, flag every submission it signed from then on',
      )
      .requiredOption('--source <id>', 'source id')
      .requiredOption('--key-id <keyid>', 'key id')
      .option('--compromised-at <time>', 'RFC 3339 time from which the key is distrusted'),
  ).action(async (options: Parameters<typeof sourcesRevokeKey>[1]) => {
    process.exitCode = await sourcesRevokeKey(runtime, options);
  });
  withStore(sources.command('list').description('list sources as JSON')).action(
    async (options: { db?: string; databaseUrl?: string }) => {
      process.exitCode = await sourcesList(runtime, options);
    },
  );
  program
    .command('post')
    .description("sign an NDJSON file with a source's key and send it to a server's /api/v1/observations")
    .argument('<file>', 'NDJSON file of observations, sent byte for byte')
    .requiredOption(
      '--key <file>',
      "the source's key file (PKCS#8 PEM, optionally after # source: and # key-id: lines)",
    )
    .requiredOption('--source <id>', "the source the batch is sent as (must match the key file's # source:)")
    .requiredOption('--url <base-url>', 'the server, e.g. https://truceline.example')
    .option('--batch-id <id>', 'the batch id (default: a random UUID); give the same id to resend a batch')
    .option('--json', "print the server's JSON answer on stdout", false)
    .action(
      async (
        file: string,
        options: { key: string; source: string; url: string; batchId?: string; json: boolean },
      ) => {
        process.exitCode = await postCommand(
          { stdout: runtime.stdout, stderr: runtime.stderr },
          {
            keyFile: options.key,
            sourceId: options.source,
            url: options.url,
            ...(options.batchId === undefined ? {} : { batchId: options.batchId }),
            json: options.json,
            file,
          },
        );
      },
    );

  const orgs = program
    .command('orgs')
    .description('organisations: the chair, coalition members (parties come from agreements)');
  withStore(
    orgs
      .command('create')
      .description('create an organisation')
      .requiredOption('--id <id>', 'organisation id')
      .addOption(
        new Option('--kind <kind>', 'what it is')
          .choices(['chair', 'member', 'party', 'mission'])
          .makeOptionMandatory(),
      )
      .option('--name <name>', 'its name (default: the id)'),
  ).action(async (options: Parameters<typeof orgsCreate>[1]) => {
    process.exitCode = await orgsCreate(runtime, options);
  });
  withStore(orgs.command('list').description('list organisations as JSON')).action(
    async (options: StoreOptions) => {
      process.exitCode = await orgsList(runtime, options);
    },
  );

  const users = program.command('users').description('user accounts');
  withStore(
    users
      .command('create')
      .description('create a user with a role in an organisation')
      .requiredOption('--org <org>', 'organisation id')
      .addOption(new Option('--role <role>', 'role').choices(ROLES).makeOptionMandatory())
      .requiredOption('--name <name>', 'user name')
      .option('--password-stdin', 'read a password for the web sign-in from the first line of stdin', false)
      .option(
        '--oidc-identity <issuer|subject>',
        'link an OpenID Connect identity: the ID token\'s iss, "|", its sub',
      ),
  ).action(async (options: Parameters<typeof usersCreate>[1]) => {
    process.exitCode = await usersCreate(runtime, options);
  });
  withStore(users.command('list').description('list users as JSON')).action(async (options: StoreOptions) => {
    process.exitCode = await usersList(runtime, options);
  });

  const tokens = program.command('tokens').description('API tokens (shown once, stored hashed)');
  withStore(
    tokens
      .command('create')
      .description('create a token for a user; prints only the token on stdout')
      .requiredOption('--user <name>', 'user name')
      .requiredOption('--scope <scopes>', 'comma-separated: read, ingest, admin')
      .requiredOption('--expires <duration>', 'lifetime, e.g. 90m, 1h, 30d'),
  ).action(async (options: Parameters<typeof tokensCreate>[1]) => {
    process.exitCode = await tokensCreate(runtime, options);
  });
  withStore(
    tokens
      .command('revoke')
      .description('revoke a token (its id, or the token itself)')
      .argument('<token>', 'token id or token text'),
  ).action(async (token: string, options: StoreOptions) => {
    process.exitCode = await tokensRevoke(runtime, { ...options, token });
  });
  withStore(
    tokens
      .command('list')
      .description("list a user's tokens as JSON (never their text)")
      .requiredOption('--user <name>', 'user name'),
  ).action(async (options: Parameters<typeof tokensList>[1]) => {
    process.exitCode = await tokensList(runtime, options);
  });
  const ledger = program.command('ledger').description('the tamper-evident log: key, audit, export, verify');
  withStore(
    ledger.command('pubkey').description("print the log's verifier key (signed-note verifier key text)"),
  ).action(async (options: StoreOptions) => {
    process.exitCode = await ledgerPubkey(runtime, options);
  });
  withStore(
    ledger
      .command('audit')
      .description('check every ledgered row against the log, and the log against its signed checkpoint'),
  ).action(async (options: StoreOptions) => {
    process.exitCode = await ledgerAudit(runtime, options);
  });
  withStore(
    ledger
      .command('export')
      .description('audit, then write the log as NDJSON: checkpoint first, one entry per line')
      .requiredOption('--out <file>', 'where to write the export')
      .option('--for <org>', 'open only the records this organisation may read (default: every record)'),
  ).action(async (options: StoreOptions & { out: string; for?: string }) => {
    process.exitCode = await ledgerExport(runtime, options);
  });
  ledger
    .command('verify')
    .description('check a ledger export, without a database')
    .argument('<file>', 'the export (NDJSON)')
    .requiredOption('--key <vkey>', "the log's verifier key (as `ledger pubkey` prints it)")
    .option(
      '--witness-key <vkey>',
      "a witness's verifier key (as `witness keygen` prints it); repeat for several",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--quorum <n>', 'how many of those witnesses must have co-signed', int('--quorum', 0, 100), 0)
    .action(async (file: string, options: { key: string; witnessKey: string[]; quorum: number }) => {
      process.exitCode = await ledgerVerify(runtime, file, options);
    });

  const witness = program
    .command('witness')
    .description('co-sign the log’s checkpoints after checking each extends the last one co-signed')
    .option('--follow <url>', 'the Truceline server whose log to witness')
    .option('--key <file>', "the witness's private key file (from `witness keygen`)")
    .option('--state <file>', 'where the witness keeps the last checkpoint it co-signed')
    .option('--log-key <vkey>', "the log's verifier key (default: fetched once, then kept in the state)")
    .addOption(
      new Option('--token <token>', 'bearer token to post co-signatures with').env('TRUCELINE_TOKEN'),
    )
    .option('--once', 'one round, then exit (0: co-signed; 1: refused or failed)', false)
    .option('--interval <seconds>', 'seconds between rounds', int('--interval', 1, 86_400), 60)
    .action(
      async (options: {
        follow?: string;
        key?: string;
        state?: string;
        logKey?: string;
        token?: string;
        once: boolean;
        interval: number;
      }) => {
        if (options.follow === undefined || options.key === undefined || options.state === undefined) {
          runtime.stderr(
            'truceline witness: --follow, --key and --state are required (or use `witness keygen`)\n',
          );
          process.exitCode = 1;
          return;
        }
        process.exitCode = await witnessFollow(runtime, {
          follow: options.follow,
          key: options.key,
          state: options.state,
          ...(options.logKey === undefined ? {} : { logKey: options.logKey }),
          ...(options.token === undefined ? {} : { token: options.token }),
          once: options.once,
          intervalSeconds: options.interval,
        });
      },
    );
  witness
    .command('keygen')
    .description('make a witness key: the private key goes to FILE, the verifier key to stdout')
    .requiredOption('--name <name>', 'the witness’s name (no spaces or +)')
    .requiredOption('--out <file>', 'where to write the private key (mode 0600; never overwritten)')
    .action(async (options: { name: string; out: string }) => {
      process.exitCode = await witnessKeygen(runtime, options);
    });
  return program;
}
