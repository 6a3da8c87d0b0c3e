/**
 * @module `truceline ledger export`: the log as one NDJSON stream (docs/ledger-format.md). The first
 * line is the latest checkpoint with its co-signatures and whom the export is for; then one line per
 * entry — index, type, id, commitment, and for the records the reader may open, the exact canonical
 * text committed and its salt. Earlier checkpoints follow the entry that completes them, so a verifier
 * can say which signed prefix still holds when something after it was altered. The store is audited
 * first: an export of a store that fails its audit is refused.
 */
import { mayOpenRecord, type Opener } from '../../core/access/record-opening.ts';
import { markingFrom, type Marking } from '../../core/access/markings.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { OpenedEntry } from '../../core/ports/ledger-store.ts';
import type { Store } from '../../core/ports/store.ts';
import { requireAuditedLedger } from './audit-ledger.ts';
import { checkpointNote, type LedgerSigning } from './ledger-signing.ts';
import { signCheckpoint } from './sign-checkpoint.ts';

export interface ExportLedgerDeps {
  readonly store: Pick<Store, 'ledger'>;
  readonly clock: Clock;
  readonly ledgerSigning: LedgerSigning;
}

/** Entries read per page of the store. */
const PAGE = 2000;

/** The marking a record carries in its `tlp` and `releasable_to` fields, or null when it has none. */
export function markingOfRecord(record: string): Marking | null {
  if (!record.includes('"tlp":')) return null;
  const fields = JSON.parse(record) as { tlp?: unknown; releasable_to?: unknown };
  if (typeof fields.tlp !== 'string' || typeof fields.releasable_to !== 'string') return null;
  return markingFrom(fields.tlp, fields.releasable_to);
}

/** Lower-case hex (Buffer's encoder: native, several times faster than a loop over millions of entries). */
const hex = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/** One entry's line, opened or not. */
export function entryLine(entry: OpenedEntry, open: boolean): string {
  const base = `{"index":${entry.index},"type":${JSON.stringify(entry.type)},"id":"${hex(entry.id)}","commitment":"${hex(entry.commitment)}"`;
  return open ? `${base},"record":${JSON.stringify(entry.record)},"salt":"${hex(entry.salt)}"}` : `${base}}`;
}

/**
 * The export's lines, each without its newline. `forOrg` null opens every record (an export for the
 * mission's own archive, or for a court); an organisation gets only what it may open.
 */
export async function* exportLedger(
  deps: ExportLedgerDeps,
  forOrg: Opener | null,
): AsyncGenerator<string, { size: number; opened: number }> {
  await requireAuditedLedger(deps);
  const latest = await signCheckpoint(deps);
  yield JSON.stringify({ checkpoint: checkpointNote(latest), for: forOrg?.id ?? null });
  const earlier = (await deps.store.ledger.listCheckpoints()).filter(
    (c) => c.size > 0 && c.size < latest.size,
  );
  let nextCheckpoint = 0;
  let opened = 0;
  for (let from = 0; from < latest.size; from += PAGE) {
    const entries = await deps.store.ledger.entries(from, Math.min(PAGE, latest.size - from));
    for (const entry of entries) {
      const open = forOrg === null || mayOpenRecord(forOrg, entry.type, markingOfRecord(entry.record));
      if (open) opened += 1;
      yield entryLine(entry, open);
      const checkpoint = earlier[nextCheckpoint];
      if (checkpoint !== undefined && checkpoint.size === entry.index + 1) {
        yield JSON.stringify({ checkpoint: checkpointNote(checkpoint) });
        nextCheckpoint += 1;
      }
    }
  }
  return { size: latest.size, opened };
}
