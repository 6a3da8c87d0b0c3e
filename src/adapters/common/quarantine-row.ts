/**
 * @module What a store writes for one quarantined record — the same on every engine: text fields
 * bounded and made storable (no NUL, no unpaired surrogate, which PostgreSQL cannot hold), the head cut
 * to 64 KiB, and the byte quota applied: past it the row keeps reason, hash and size but not the bytes.
 */
import type { QuarantineInput } from '../../core/ports/observation-store.ts';

/** The most bytes of a rejected record kept. */
export const QUARANTINE_HEAD_BYTES = 64 * 1024;
/** The default quota of kept bytes over the whole quarantine: 1 GiB. */
export const DEFAULT_MAX_QUARANTINE_BYTES = 1024 ** 3;

/** Length bounds of the text fields, in UTF-16 code units. */
const BOUNDS = { id: 256, field: 1000, reason: 2000, origin: 300 } as const;

/** A quarantine row ready to insert. */
export interface QuarantineRow {
  readonly position: number;
  readonly sourceId: string | null;
  readonly recordId: string | null;
  readonly field: string;
  readonly reason: string;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly head: Uint8Array;
  readonly headKept: boolean;
}

/** NUL and unpaired surrogates become U+FFFD; longer texts are cut (never inside a surrogate pair). */
export function storableText(text: string, maxLength: number): string {
  let cut = text.length > maxLength ? text.slice(0, maxLength) : text;
  if (cut.length > 0 && /[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut.replace(
    // eslint-disable-next-line no-control-regex
    /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '\uFFFD',
  );
}

/** The origin of a batch as stored. */
export const storableOrigin = (origin: string): string => storableText(origin, BOUNDS.origin);

/**
 * Turns rejected records into rows, in order, applying the quota.
 * @param usedBytes head bytes the quarantine holds already
 * @param maxBytes the quota
 * @returns the rows and the head bytes used after them
 */
export function quarantineRows(
  rejects: readonly QuarantineInput[],
  usedBytes: number,
  maxBytes: number,
): { rows: QuarantineRow[]; usedBytes: number } {
  let used = usedBytes;
  const rows = rejects.map((reject): QuarantineRow => {
    const head =
      reject.head.byteLength > QUARANTINE_HEAD_BYTES
        ? reject.head.subarray(0, QUARANTINE_HEAD_BYTES)
        : reject.head;
    const headKept = used + head.byteLength <= maxBytes;
    if (headKept) used += head.byteLength;
    return {
      position: reject.position,
      sourceId: reject.sourceId === null ? null : storableText(reject.sourceId, BOUNDS.id),
      recordId: reject.recordId === null ? null : storableText(reject.recordId, BOUNDS.id),
      field: storableText(reject.field, BOUNDS.field),
      reason: storableText(reject.reason, BOUNDS.reason),
      sha256: storableText(reject.sha256, 64),
      sizeBytes: reject.sizeBytes,
      head: headKept ? Uint8Array.from(head) : new Uint8Array(0),
      headKept,
    };
  });
  return { rows, usedBytes: used };
}
