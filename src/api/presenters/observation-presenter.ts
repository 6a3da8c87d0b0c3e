/** @module How a stored observation leaves the server. (The access issue adds redaction by reader here.) */
import type { StoredObservation } from '../../core/ports/observation-store.ts';
import type { StoredObservationWire } from '../../shared/wire.ts';

export function presentObservation(row: StoredObservation): StoredObservationWire {
  return {
    seq: row.seq,
    receivedAt: new Date(row.receivedAtMs).toISOString(),
    contentSha256: row.contentSha256,
    record: JSON.parse(row.content) as Record<string, unknown>,
  };
}
