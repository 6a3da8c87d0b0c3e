/**
 * @module How a stored observation leaves the server. The route has already asked the policy whether
 * the reader may have the record (its marking); here the policy's view decides the fields: outside the
 * mission, a patrol report loses who observed (its source and record ids, where the monitors stood, the patrol id).
 */
import type { Marking } from '../../core/access/markings.ts';
import type { View } from '../../core/access/policy.ts';
import type { StoredObservation } from '../../core/ports/observation-store.ts';
import type { StoredObservationWire } from '../../shared/wire.ts';

/** Kinds whose records name the people who observed. */
const OBSERVER_KINDS = new Set(['patrol']);
/** The record's fields that name the team (its source and record ids), and the payload's (where it stood, which patrol). */
const OBSERVER_FIELDS = new Set(['sourceId', 'id']);
const OBSERVER_PAYLOAD_FIELDS = new Set(['observer', 'patrolId']);

const without = (object: Record<string, unknown>, fields: ReadonlySet<string>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(object).filter(([field]) => !fields.has(field)));

function recordFor(row: StoredObservation, view: View): Record<string, unknown> {
  const record = JSON.parse(row.content) as Record<string, unknown>;
  if (view.observerIdentity || !OBSERVER_KINDS.has(row.kind)) return record;
  const payload = record.payload;
  return {
    ...without(record, OBSERVER_FIELDS),
    ...(typeof payload === 'object' && payload !== null
      ? { payload: without(payload as Record<string, unknown>, OBSERVER_PAYLOAD_FIELDS) }
      : {}),
  };
}

export function presentObservation(row: StoredObservation, view: View): StoredObservationWire {
  return {
    seq: row.seq,
    receivedAt: new Date(row.receivedAtMs).toISOString(),
    contentSha256: row.contentSha256,
    record: recordFor(row, view),
    marking: { tlp: row.marking.tlp, releasableTo: [...row.marking.releasableTo] },
  };
}

/**
 * `presentObservation(row, view)` as JSON text, without parsing the stored record where it goes out
 * whole: its content is canonical JSON already. Pages of a thousand records are answered about twice
 * as fast.
 */
export function presentObservationJson(row: StoredObservation, view: View): string {
  const record =
    !view.observerIdentity && OBSERVER_KINDS.has(row.kind)
      ? JSON.stringify(recordFor(row, view))
      : row.content;
  // The hash is 64 hex digits (nothing to escape); receipt times repeat within a batch.
  return `{"seq":${row.seq},"receivedAt":"${isoOf(row.receivedAtMs)}","contentSha256":"${row.contentSha256}","record":${record},"marking":${markingJson(row.marking)}}`;
}

/** Markings repeat (most rows share the default object): each is written once. */
const markingTexts = new WeakMap<Marking, string>();

function markingJson(marking: Marking): string {
  let text = markingTexts.get(marking);
  if (text === undefined) {
    text = JSON.stringify({ tlp: marking.tlp, releasableTo: marking.releasableTo });
    markingTexts.set(marking, text);
  }
  return text;
}

/** The last receipt time formatted, and its text: the rows of a page mostly share a few batches. */
let lastIso = { ms: Number.NaN, text: '' };

function isoOf(ms: number): string {
  if (ms !== lastIso.ms) lastIso = { ms, text: new Date(ms).toISOString() };
  return lastIso.text;
}
