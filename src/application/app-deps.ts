/** @module What the use cases need, as the composition root (src/main.ts) assembles it. */
import type { Clock } from '../core/ports/clock.ts';
import type { Sha256Hex } from '../core/ports/hasher.ts';
import type { PasswordHasher } from '../core/ports/password-hasher.ts';
import type { Secrets } from '../core/ports/secrets.ts';
import type { RecordValidator } from '../core/ports/record-validator.ts';
import type { Store } from '../core/ports/store.ts';
import type { BlobStore } from '../core/ports/blob-store.ts';
import type { VerifyEd25519 } from '../core/signing/verify-request.ts';
import type { Notifier } from './notifier.ts';
import type { LedgerSigning } from './ledger/ledger-signing.ts';

export interface AppDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly sha256: Sha256Hex;
  readonly sha256Bytes: (bytes: Uint8Array) => string;
  /** Splits, parses and validates ingest batches (in process, or on worker threads). */
  readonly validator: RecordValidator;
  /** Told after every commit, so live streams wake up; never the only copy of a fact. */
  readonly notifier: Notifier;
  readonly passwords: PasswordHasher;
  readonly secrets: Secrets;
  /**
   * Ed25519 verification of a source's signature (public key as SPKI DER, base64); the server runs it
   * on its validation threads.
   */
  readonly verifyEd25519: VerifyEd25519;
  /**
   * The log's key and crypto, for signing and checking checkpoints. Read from the key file on first
   * use (created there if missing); throws `E_LEDGER_KEY` when there is no key file to use.
   */
  readonly ledgerKey: () => LedgerSigning;
  /** Evidence attachments' bytes, content-addressed on disk. */
  readonly blobs: BlobStore;
  /** The largest attachment accepted, in bytes. */
  readonly maxAttachmentBytes: number;
}
