/** @module What the CLI's commands get from the composition root: a way to open the store, and the server. */
import type { AppDeps } from '../application/app-deps.ts';
import type { FusionLeaseKeeper } from '../application/fusion-lease.ts';
import type { FusionLogic } from '../application/fusion-pipeline.ts';
import type { LedgerSigning } from '../application/ledger/ledger-signing.ts';
import type { VerifyExportDeps } from '../application/ledger/verify-ledger-export.ts';

/** `--db FILE` (SQLite, default ./truceline.db) or `--database-url URL` (PostgreSQL). */
export interface StoreOptions {
  readonly db?: string;
  readonly databaseUrl?: string;
  /** The ledger's key file (default `<db>.ledger-key`; required with `databaseUrl`). */
  readonly ledgerKey?: string;
  /** Where the record of the largest tree the ledger key signed is kept (default `<ledger key>.signed`). */
  readonly ledgerSigned?: string;
  /** Where evidence attachments are kept (default `<db>.attachments`). */
  readonly attachments?: string;
}

export interface ServeOptions extends StoreOptions {
  readonly port: number;
  readonly host: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly insecurePublic: boolean;
  /** Records a minute per source key (default that of the API). */
  readonly recordsPerMinute?: number;
  /** Register a shipped agreement and run a live demonstration feed. */
  readonly demo: boolean;
  /** Agreement to register at start: a shipped id or a file. */
  readonly agreement?: string;
  /** The mission's OpenID Connect provider (all four, or none). */
  readonly oidcIssuer?: string;
  readonly oidcClientId?: string;
  readonly oidcClientSecretFile?: string;
  readonly oidcRedirectUri?: string;
}

export interface CliRuntime {
  /** The store the options name, with the use cases' dependencies; `bulk` for a command like ingest. */
  /**
   * `bulk`: a command that writes much (ingest); `read`: one that never appends to the ledger, so it
   * needs no ledger key that fits the database.
   */
  openDeps(options: StoreOptions, purpose?: 'bulk' | 'read'): Promise<AppDeps>;
  /** Starts the server; resolves with its address once listening; runs until a signal. */
  serve(options: ServeOptions): Promise<void>;
  /** Ed25519, SHA-256 and the commitment hash, for checking and co-signing the ledger without a store. */
  readonly ledgerCrypto: VerifyExportDeps;
  /** The ledger key in `path`, created there (mode 0600) when missing. */
  ledgerKeyFile(path: string): LedgerSigning;
  /** Fusion, attribution and the rules, as the composition root picks them. */
  readonly fusionLogic: FusionLogic;
  /** Fusion's lease for a pipeline this command runs (`purpose`: what runs it, e.g. `ingest`). */
  fusionLease(deps: AppDeps, purpose: string): FusionLeaseKeeper;
  /** Everything on stdin (for `--password-stdin`); never a prompt. */
  readonly readStdin: () => Promise<string>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly isTty: boolean;
}
