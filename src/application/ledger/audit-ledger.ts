/**
 * @module `truceline ledger audit`: the store's audit (every row against its leaf, every leaf against
 * its row, the tree against the latest checkpoint), and the checkpoint's signature against the log's
 * key — so a rewritten tree with a forged checkpoint fails too.
 */
import { parseCheckpoint } from '../../core/ledger/checkpoint.ts';
import { bytesEqual } from '../../core/ledger/hash.ts';
import { verifyNote } from '../../core/ledger/signed-note.ts';
import { TrucelineError } from '../../core/errors.ts';
import type { AuditOutcome } from '../../core/ports/ledger-store.ts';
import type { Store } from '../../core/ports/store.ts';
import { forkFromSigned, logVerifier, type LedgerSigning } from './ledger-signing.ts';

export interface AuditLedgerDeps {
  readonly store: Pick<Store, 'ledger'>;
  readonly ledgerSigning: LedgerSigning;
}

/** The audit's outcome; a failed check of the checkpoint's signature is a failed audit, named. */
export async function auditLedger(
  deps: AuditLedgerDeps,
  onProgress?: (checked: number, total: number) => void,
): Promise<AuditOutcome> {
  const checkpoint = await deps.store.ledger.latestCheckpoint();
  if (checkpoint !== undefined) {
    try {
      const { body } = verifyNote(checkpoint.note, [logVerifier(deps.ledgerSigning)]);
      const parsed = parseCheckpoint(body);
      if (parsed.origin !== deps.ledgerSigning.key.name)
        throw new TrucelineError(
          'E_LEDGER_KEY',
          `the checkpoints are of the log ${parsed.origin}, not of this key's`,
        );
      if (parsed.size !== checkpoint.size || !bytesEqual(parsed.rootHash, checkpoint.rootHash))
        return {
          ok: false,
          problem: `ledger_checkpoints: the checkpoint of size ${checkpoint.size} does not match its signed note`,
          table: 'ledger_checkpoints',
          key: checkpoint.size,
        };
    } catch (error) {
      if (error instanceof TrucelineError && error.code === 'E_LEDGER_VERIFY')
        return {
          ok: false,
          problem: `ledger_checkpoints: the checkpoint of size ${checkpoint.size} is not signed by the log's key`,
          table: 'ledger_checkpoints',
          key: checkpoint.size,
        };
      throw error;
    }
  }
  const fork = await forkFromSigned(deps.ledgerSigning, deps.store.ledger);
  if (fork !== undefined) return { ok: false, problem: `ledger_nodes: ${fork}`, table: 'ledger_nodes' };
  return deps.store.ledger.audit(onProgress);
}

/** Throws `E_LEDGER_AUDIT` with the problem unless the audit passes. */
export async function requireAuditedLedger(deps: AuditLedgerDeps): Promise<void> {
  const outcome = await auditLedger(deps);
  if (!outcome.ok)
    throw new TrucelineError('E_LEDGER_AUDIT', `the ledger audit failed: ${outcome.problem}`, {
      details: { ...outcome },
    });
}
