/**
 * @module What the ledger's use cases need to sign and check: the log's private key (from its key
 * file, never the database), Ed25519 and SHA-256 — injected, as core has no node:crypto.
 */
import { formatVerifierKey, ed25519Signer, ed25519Verifier } from '../../core/ledger/signed-note.ts';
import type { Ed25519, NoteSigner, NoteVerifier, PrivateKey } from '../../core/ledger/signed-note.ts';
import { bytesEqual, type Sha256 } from '../../core/ledger/hash.ts';
import type { StoredCheckpoint } from '../../core/ports/ledger-store.ts';
import type { SignedTree, SignedTrees } from '../../core/ports/signed-trees.ts';

export interface LedgerSigning {
  /** The log's private key; its name is the checkpoints' origin line. */
  readonly key: PrivateKey;
  readonly ed: Ed25519;
  readonly sha: Sha256;
  /**
   * The largest tree this key has signed, kept with the key, never in the database. Without it,
   * whoever can write the database could delete its checkpoints, rewrite the tree, and have the key
   * sign the rewritten one (a second root at a size already signed: a fork).
   */
  readonly signedTrees?: SignedTrees;
}

/**
 * Why the tree as it stands is not an extension of the largest one the key signed, or undefined
 * when it is (or none is recorded).
 */
export async function forkFromSigned(
  signing: LedgerSigning,
  ledger: { head(): Promise<SignedTree>; rootAt(size: number): Promise<Uint8Array> },
): Promise<string | undefined> {
  const signed = signing.signedTrees?.last();
  if (signed === undefined) return undefined;
  const head = await ledger.head();
  if (head.size < signed.size)
    return `the tree has ${head.size} entries, but the log's key signed a tree of ${signed.size}: entries were removed`;
  if (!bytesEqual(await ledger.rootAt(signed.size), signed.rootHash))
    return `the tree at size ${signed.size} is not the one the log's key signed: the ledger was rewritten`;
  return undefined;
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
