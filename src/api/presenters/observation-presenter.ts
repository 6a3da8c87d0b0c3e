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

/**
 * `presentObservation(row)` as JSON text, without parsing the stored record: its content is already
 * canonical JSON and goes out as it is. Pages of a thousand records are answered about twice as fast.
 */
export function presentObservationJson(row: StoredObservation): string {
  return `{"seq":${row.seq},"receivedAt":"${new Date(row.receivedAtMs).toISOString()}","contentSha256":${JSON.stringify(row.contentSha256)},"record":${row.content}}`;
}
