/** @module Port: one store, as the composition root opens it. */
import type { AccessStore } from './access-store.ts';
import type { ActionLogStore, AttachmentStore } from './action-log-store.ts';
import type { CaseAction } from '../commission/case-action.ts';
import type { CommissionCase } from '../commission/commission-case.ts';
import type { VerificationAction } from '../verification/verification-action.ts';
import type { VerificationItem } from '../verification/verification-item.ts';
import type { AgreementStore } from './agreement-store.ts';
import type { FusionStore } from './fusion-store.ts';
import type { LedgerStore } from './ledger-store.ts';
import type { ObservationStore } from './observation-store.ts';
import type { SourceStore } from './source-store.ts';

export interface Store {
  readonly engine: 'sqlite' | 'postgres' | 'memory';
  readonly observations: ObservationStore;
  readonly sources: SourceStore;
  readonly agreements: AgreementStore;
  /** Fusion's output (events, potential violations) and its cursor, in the same commit sequence. */
  readonly fusion: FusionStore;
  /** Organisations, users, tokens, sessions and the record of reads. */
  readonly access: AccessStore;
  /** Verification items of potential violations, complaints and impediments: their recorded steps. */
  readonly verification: ActionLogStore<VerificationItem, VerificationAction>;
  /** The Special Commission's cases: their recorded actions, votes and rulings. */
  readonly cases: ActionLogStore<CommissionCase, CaseAction>;
  /** Evidence attachments' records (the bytes are in the blob store). */
  readonly attachments: AttachmentStore;
  /** The Merkle log every write above appends to, in the same transaction. */
  readonly ledger: LedgerStore;
  /**
   * Writes a consistent copy of the whole store to `path` while it is in use (SQLite's online
   * backup). Throws `E_UNSUPPORTED` where the engine has its own tools (PostgreSQL: pg_dump).
   */
  backup(path: string): Promise<void>;
  /**
   * SQLite only: where its write-ahead log is checkpointed now — on a thread of its own, or inline in
   * commits (as configured, or because that thread failed); `stopped` once a sync of the log has
   * failed (nothing more is copied into the database file until a restart).
   */
  readonly walCheckpoints?: () => 'background' | 'inline' | 'stopped';
  /**
   * SQLite at `FULL` only: whether ingest's and fusion's syncs of the log succeed — `failed` once one
   * has failed, after which nothing more is committed until the process restarts (decision 0019).
   */
  readonly walSync?: () => 'ok' | 'failed';
  /** Closes connections; pending commits finish first. */
  close(): Promise<void>;
}
