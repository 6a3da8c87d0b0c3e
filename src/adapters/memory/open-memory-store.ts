/**
 * @module The in-memory store: plain maps with the same semantics as the SQL stores (the contract
 * suite runs on all three). For tests and demos; nothing survives the process.
 */
import type { Clock } from '../../core/ports/clock.ts';
import { TrucelineError } from '../../core/errors.ts';
import type { Store } from '../../core/ports/store.ts';
import { CASE_TABLES, VERIFICATION_TABLES } from '../common/action-log-rows.ts';
import { DEFAULT_MAX_QUARANTINE_BYTES } from '../common/quarantine-row.ts';
import { MemoryAccessStore } from './memory-access-store.ts';
import { MemoryActionLog } from './memory-action-log.ts';
import { MemoryAgreementStore } from './memory-agreement-store.ts';
import { MemoryAttachmentStore } from './memory-attachment-store.ts';
import { MemoryFusionStore } from './memory-fusion-store.ts';
import { MemoryLedgerStore, MemoryLedgerWriter } from './memory-ledger.ts';
import { MemoryObservationStore } from './memory-observation-store.ts';
import { emptyMemorySchema } from './memory-schema.ts';
import { MemorySourceStore } from './memory-source-store.ts';

export interface MemoryStoreOptions {
  /** Quota of rejected-record bytes the quarantine keeps (default 1 GiB); past it rows keep no bytes. */
  readonly maxQuarantineBytes?: number;
  /** When each ingest commit was made (`listCommitTimes`); the system clock unless given. */
  readonly clock?: Clock;
}

/** Opens an empty store in memory. */
export function openMemoryStore(options: MemoryStoreOptions = {}): Promise<Store> {
  const tables = emptyMemorySchema();
  const ledger = new MemoryLedgerWriter(tables);
  const observations = new MemoryObservationStore(
    tables,
    ledger,
    options.maxQuarantineBytes ?? DEFAULT_MAX_QUARANTINE_BYTES,
    options.clock,
  );
  return Promise.resolve({
    engine: 'memory',
    observations,
    sources: new MemorySourceStore(tables, ledger),
    agreements: new MemoryAgreementStore(tables, ledger),
    fusion: new MemoryFusionStore(tables, ledger),
    access: new MemoryAccessStore(tables, ledger),
    verification: new MemoryActionLog(tables.verification, ledger, VERIFICATION_TABLES),
    cases: new MemoryActionLog(tables.cases, ledger, CASE_TABLES),
    attachments: new MemoryAttachmentStore(tables, ledger),
    ledger: new MemoryLedgerStore(tables, ledger),
    backup(): Promise<void> {
      return Promise.reject(
        new TrucelineError('E_UNSUPPORTED', 'the in-memory store holds nothing durable to back up'),
      );
    },
    close(): Promise<void> {
      return observations.close();
    },
  });
}
