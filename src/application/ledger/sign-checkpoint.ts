/**
 * @module Signs the tree as it stands as a C2SP checkpoint, unless the latest checkpoint already
 * covers it. Run at an interval by the server, at every ruling, at the end of every CLI command that
 * appended to the log, and by `ledger export`.
 */
import { formatCheckpoint } from '../../core/ledger/checkpoint.ts';
import { formatNote, signNote } from '../../core/ledger/signed-note.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { StoredCheckpoint } from '../../core/ports/ledger-store.ts';
import type { Store } from '../../core/ports/store.ts';
import { logSigner, type LedgerSigning } from './ledger-signing.ts';

export interface SignCheckpointDeps {
  readonly store: Pick<Store, 'ledger'>;
  readonly clock: Clock;
  readonly ledgerSigning: LedgerSigning;
}

/**
 * The checkpoint of the current tree: the latest one when the tree has not grown since, else a new
 * one, signed and stored. Returns it with its co-signatures.
 */
export async function signCheckpoint(deps: SignCheckpointDeps): Promise<StoredCheckpoint> {
  const { ledger } = deps.store;
  const head = await ledger.head();
  const latest = await ledger.latestCheckpoint();
  if (latest !== undefined && latest.size >= head.size) return latest;
  const body = formatCheckpoint({
    origin: deps.ledgerSigning.key.name,
    size: head.size,
    rootHash: head.rootHash,
  });
  const note = formatNote(body, [signNote(body, logSigner(deps.ledgerSigning))]);
  const checkpoint = { size: head.size, rootHash: head.rootHash, note, signedAtMs: deps.clock.now() };
  await ledger.saveCheckpoint(checkpoint);
  return (await ledger.findCheckpoint(head.size)) ?? { ...checkpoint, cosignatures: [] };
}
