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
import { TrucelineError } from '../../core/errors.ts';
import { checkpointProblem } from './audit-ledger.ts';
import { forkFromSigned, logSigner, type LedgerSigning } from './ledger-signing.ts';

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
  // A key that signed before the record was kept starts it from its latest checkpoint in the store.
  const signed = deps.ledgerSigning.signedTrees;
  if (
    signed?.last() === undefined &&
    latest !== undefined &&
    (await checkpointProblem(deps, latest, head.size).catch(() => 'unreadable')) === undefined
  )
    signed?.record(latest);
  if (latest !== undefined && latest.size >= head.size) return latest;
  // Never sign a tree that does not extend the largest one this key signed before.
  const fork = await forkFromSigned(deps.ledgerSigning, ledger);
  if (fork !== undefined)
    throw new TrucelineError(
      'E_LEDGER_AUDIT',
      `the checkpoint was not signed: ${fork}. If a backup taken before the last checkpoint was restored on purpose, removing ${deps.ledgerSigning.signedTrees?.location ?? 'the record of signed trees'} lets the key sign the restored tree — a fork the parties' witnesses will see`,
      { details: { table: 'ledger_nodes' } },
    );
  const body = formatCheckpoint({
    origin: deps.ledgerSigning.key.name,
    size: head.size,
    rootHash: head.rootHash,
  });
  const note = formatNote(body, [signNote(body, logSigner(deps.ledgerSigning))]);
  const checkpoint = { size: head.size, rootHash: head.rootHash, note, signedAtMs: deps.clock.now() };
  await ledger.saveCheckpoint(checkpoint);
  deps.ledgerSigning.signedTrees?.record(head);
  return (await ledger.findCheckpoint(head.size)) ?? { ...checkpoint, cosignatures: [] };
}
