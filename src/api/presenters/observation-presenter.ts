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

/** The stored record as the view lets it out, as JSON text: whole, it is the stored canonical JSON. */
function recordJson(row: StoredObservation, view: View): string {
  return !view.observerIdentity && OBSERVER_KINDS.has(row.kind)
    ? JSON.stringify(recordFor(row, view))
    : row.content;
}

/** The fields before the record: a number, a timestamp and 64 hex digits (nothing to escape, all ASCII). */
const headOf = (row: StoredObservation): string =>
  `{"seq":${row.seq},"receivedAt":"${isoOf(row.receivedAtMs)}","contentSha256":"${row.contentSha256}","record":`;

/**
 * `presentObservation(row, view)` as JSON text, without parsing the stored record where it goes out
 * whole: its content is canonical JSON already.
 */
export function presentObservationJson(row: StoredObservation, view: View): string {
  return `${headOf(row)}${recordJson(row, view)},"marking":${markingJson(row.marking)}}`;
}

/**
 * A page of observations, `{"items":[…],"next":…}`, as the UTF-8 bytes of its JSON, written straight
 * into one buffer. A page of a thousand records joined as one string first, then encoded, took about
 * three times as long, and its large strings made the garbage collector's pauses the slow tail of
 * the query route.
 */
export function presentObservationPage(
  rows: readonly StoredObservation[],
  view: View,
  next: string | null,
): Buffer {
  const out = new ByteWriter(64 + rows.reduce((sum, row) => sum + row.content.length + 256, 0));
  out.ascii('{"items":[');
  for (const [i, row] of rows.entries()) {
    out.ascii(i === 0 ? headOf(row) : `,${headOf(row)}`);
    out.text(recordJson(row, view));
    out.text(`,"marking":${markingJson(row.marking)}}`);
  }
  out.ascii(`],"next":${next === null ? 'null' : JSON.stringify(next)}}`);
  return out.bytes();
}

/** Appends text to a buffer that grows as it must. */
class ByteWriter {
  #buffer: Buffer;
  #length = 0;

  constructor(capacity: number) {
    this.#buffer = Buffer.allocUnsafe(capacity);
  }

  /** Text known to be ASCII (one byte a character). */
  ascii(text: string): void {
    this.#room(text.length);
    this.#length += this.#buffer.write(text, this.#length, 'latin1');
  }

  text(text: string): void {
    this.#room(text.length * 3);
    this.#length += this.#buffer.write(text, this.#length, 'utf8');
  }

  /** The bytes written (a view of the buffer, which is not written again). */
  bytes(): Buffer {
    return this.#buffer.subarray(0, this.#length);
  }

  #room(bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#length + bytes));
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }
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
