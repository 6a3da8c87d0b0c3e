/**
 * @module The `truceline` command-line program. Every command that touches data takes `--db FILE`
 * (SQLite, default ./truceline.db) or `--database-url URL` (PostgreSQL). Commands print only their
 * pinned output on stdout; messages go to stderr.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CliRuntime } from './cli-runtime.ts';
import { agreementValidate } from './commands/agreement-validate.ts';
import { backupCommand } from './commands/backup.ts';
import { agreementRegister } from './commands/agreement-register.ts';
import { ingestCommand } from './commands/ingest-command.ts';
import { evaluateCommand } from './commands/evaluate.ts';
import { simulateCommand, type SimulateOptions } from './commands/simulate.ts';
import { INTENSITIES, isIntensity } from '../sim/simulator/truth.ts';
import { sourcesRegister, sourcesList } from './commands/sources.ts';

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
      .option('--demo', 'register a shipped agreement and run a live demonstration feed', false)
      .option('--agreement <id|file>', 'agreement to register at start (a shipped id or a file)'),
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
      .option('--batch-size <n>', 'records per transaction', int('--batch-size', 1, 1_000_000), 20_000),
  ).action(
    async (
      paths: string[],
      options: { json: boolean; batchSize: number; db?: string; databaseUrl?: string },
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
  withStore(sources.command('list').description('list sources as JSON')).action(
    async (options: { db?: string; databaseUrl?: string }) => {
      process.exitCode = await sourcesList(runtime, options);
    },
  );
  return program;
}
