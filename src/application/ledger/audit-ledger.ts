/**
 * @module `truceline ledger audit`: the store's audit (every row against its leaf, every leaf against
 * its row, the tree against the latest checkpoint), and the checkpoint's signature against the log's
 * key — so a rewritten tree with a forged checkpoint fails too.
 */
import { parseCheckpoint } from '../../core/ledger/checkpoint.ts';
import { bytesEqual } from '../../core/ledger/hash.ts';
import { parseNote, parseSignatureLine, verifyNote } from '../../core/ledger/signed-note.ts';
import { TrucelineError } from '../../core/errors.ts';
import type { AuditOutcome, StoredCheckpoint } from '../../core/ports/ledger-store.ts';
import type { Store } from '../../core/ports/store.ts';
import { checkpointNote, forkFromSigned, logVerifier, type LedgerSigning } from './ledger-signing.ts';

export interface AuditLedgerDeps {
  readonly store: Pick<Store, 'ledger'>;
  readonly ledgerSigning: LedgerSigning;
}

/**
 * Why a stored checkpoint is not one an export may carry, or undefined when it is: its note must be
 * the log key's signature of its own size and root, that root the tree's at that size, and every
 * co-signature line a signature line, the whole note within the signatures a note may hold. A row
 * put there by hand would otherwise pass the audit and make every export fail to verify — telling
 * the parties that records changed when none did.
 */
export async function checkpointProblem(
  deps: AuditLedgerDeps,
  checkpoint: StoredCheckpoint,
  headSize: number,
): Promise<string | undefined> {
  let body: string;
  try {
    body = verifyNote(checkpoint.note, [logVerifier(deps.ledgerSigning)]).body;
  } catch (error) {
    if (error instanceof TrucelineError && error.code === 'E_LEDGER_VERIFY')
      return "is not signed by the log's key";
    throw error;
  }
  const parsed = parseCheckpoint(body);
  if (parsed.origin !== deps.ledgerSigning.key.name)
    throw new TrucelineError(
      'E_LEDGER_KEY',
      `the checkpoints are of the log ${parsed.origin}, not of this key's`,
    );
  if (parsed.size !== checkpoint.size || !bytesEqual(parsed.rootHash, checkpoint.rootHash))
    return 'does not match its signed note';
  if (checkpoint.size > headSize) return `signs ${checkpoint.size} entries but the log holds ${headSize}`;
  if (!bytesEqual(await deps.store.ledger.rootAt(checkpoint.size), checkpoint.rootHash))
    return 'signs a root the tree does not have at its size';
  try {
    for (const cosignature of checkpoint.cosignatures) parseSignatureLine(cosignature.line);
    parseNote(checkpointNote(checkpoint));
  } catch {
    return 'carries a co-signature line that is not a signature line, or more than a note holds';
  }
  return undefined;
}

/** The audit's outcome; a stored checkpoint an export could not carry is a failed audit, named. */
export async function auditLedger(
  deps: AuditLedgerDeps,
  onProgress?: (checked: number, total: number) => void,
): Promise<AuditOutcome> {
  const fork = await forkFromSigned(deps.ledgerSigning, deps.store.ledger);
  if (fork !== undefined) return { ok: false, problem: `ledger_nodes: ${fork}`, table: 'ledger_nodes' };
  const { size } = await deps.store.ledger.head();
  for (const checkpoint of await deps.store.ledger.listCheckpoints()) {
    const problem = await checkpointProblem(deps, checkpoint, size);
    if (problem !== undefined)
      return {
        ok: false,
        problem: `ledger_checkpoints: the checkpoint of size ${checkpoint.size} ${problem}`,
        table: 'ledger_checkpoints',
        key: checkpoint.size,
      };
  }
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
