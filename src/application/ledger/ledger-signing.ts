/**
 * @module What the ledger's use cases need to sign and check: the log's private key (from its key
 * file, never the database), Ed25519 and SHA-256 — injected, as core has no node:crypto.
 */
import { formatVerifierKey, ed25519Signer, ed25519Verifier } from '../../core/ledger/signed-note.ts';
import type { Ed25519, NoteSigner, NoteVerifier, PrivateKey } from '../../core/ledger/signed-note.ts';
import type { Sha256 } from '../../core/ledger/hash.ts';
import type { StoredCheckpoint } from '../../core/ports/ledger-store.ts';

export interface LedgerSigning {
  /** The log's private key; its name is the checkpoints' origin line. */
  readonly key: PrivateKey;
  readonly ed: Ed25519;
  readonly sha: Sha256;
}

/** The log's verifier key text (`<name>+<id>+<key>`), as `truceline ledger pubkey` prints it. */
export const verifierKeyText = (signing: LedgerSigning): string =>
  formatVerifierKey(signing.key.name, signing.key.publicKey, signing.sha);

export const logSigner = (signing: LedgerSigning): NoteSigner => ed25519Signer(signing.key, signing.ed);

export const logVerifier = (signing: LedgerSigning): NoteVerifier => ed25519Verifier(signing.key, signing.ed);

/** The checkpoint's signed note with every stored co-signature line added after the log's. */
export function checkpointNote(checkpoint: Pick<StoredCheckpoint, 'note' | 'cosignatures'>): string {
  return checkpoint.note + checkpoint.cosignatures.map((c) => `${c.line}\n`).join('');
}
