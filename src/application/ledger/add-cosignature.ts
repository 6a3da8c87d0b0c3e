/**
 * @module A witness's co-signature of a stored checkpoint (cosignature/v1), as a holder of
 * `ledger:cosign` posts it. The line must verify with the witness's key; a witness name keeps the key
 * it first co-signed with, so no one can replace another witness's line (and make its quorum fail) by
 * posting under its name with a key of their own; and a checkpoint carries a bounded number of
 * lines, so a flood of made-up witnesses cannot push its note past what verifiers read.
 */
import { parseCheckpoint } from '../../core/ledger/checkpoint.ts';
import { parseWitnessVerifierKey, verifyCosignature } from '../../core/ledger/cosignature.ts';
import { bytesEqual, toHex } from '../../core/ledger/hash.ts';
import { parseNote, parseSignatureLine } from '../../core/ledger/signed-note.ts';
import { TrucelineError, notFound } from '../../core/errors.ts';
import type { AppDeps } from '../app-deps.ts';

/** Lines a checkpoint takes from witness names that never co-signed before. */
export const NEW_WITNESSES_PER_CHECKPOINT = 16;

/** Lines a checkpoint takes in all: a signed note holds at most 100 signatures, the log's one of them. */
export const MAX_COSIGNATURES = 98;

export async function addCosignature(
  deps: Pick<AppDeps, 'store' | 'clock' | 'ledgerKey'>,
  input: { readonly size: number; readonly key: string; readonly line: string },
): Promise<void> {
  const { ledger } = deps.store;
  const checkpoint = await ledger.findCheckpoint(input.size);
  if (checkpoint === undefined) throw notFound('checkpoint of size', String(input.size));
  const signing = deps.ledgerKey();
  const witness = parseWitnessVerifierKey(input.key, signing.sha);
  const { body } = parseNote(checkpoint.note);
  parseCheckpoint(body);
  const signature = parseSignatureLine(input.line, 'line');
  const check = verifyCosignature(body, signature, witness, signing.ed);
  if (!check.ok)
    throw new TrucelineError(
      'E_LEDGER_VERIFY',
      `the co-signature does not verify with ${witness.name}'s key (${check.reason})`,
      { details: { reason: check.reason } },
    );
  // The key this name co-signed with first, at any checkpoint (checkpoints are hundreds, not millions).
  let pinned: Uint8Array | undefined;
  for (const stored of await ledger.listCheckpoints()) {
    const earlier = stored.cosignatures.find((c) => c.witness === witness.name);
    if (earlier !== undefined) {
      pinned = parseSignatureLine(earlier.line).keyId;
      break;
    }
  }
  if (pinned !== undefined && !bytesEqual(pinned, signature.keyId))
    throw new TrucelineError(
      'E_CONFLICT',
      `the witness ${witness.name} co-signs with another key (key id ${toHex(pinned)}): a new key needs a new witness name`,
      { details: { witness: witness.name, keyId: toHex(pinned) } },
    );
  const lines = checkpoint.cosignatures;
  const cap = pinned === undefined ? NEW_WITNESSES_PER_CHECKPOINT : MAX_COSIGNATURES;
  if (!lines.some((c) => c.witness === witness.name) && lines.length >= cap)
    throw new TrucelineError(
      'E_CONFLICT',
      pinned === undefined
        ? `the checkpoint of size ${input.size} already carries ${lines.length} co-signatures; a witness that never co-signed before may add one only while it carries fewer than ${NEW_WITNESSES_PER_CHECKPOINT}`
        : `the checkpoint of size ${input.size} carries the most co-signatures a note may (${MAX_COSIGNATURES})`,
      { details: { cosignatures: lines.length } },
    );
  await ledger.addCosignature(input.size, witness.name, input.line, deps.clock.now());
}
