/**
 * @module Markings as the stores keep them: two columns, `tlp` and `releasable_to` (the list as JSON
 * text), whose SQL defaults are built here from `DEFAULT_MARKINGS` so schema and code cannot drift.
 * Reading parses each distinct pair once: nearly every row carries its type's default.
 */
import { DEFAULT_MARKINGS, markingFrom, type Marking } from '../../core/access/markings.ts';

/** The record types that carry a marking column pair. */
export type MarkedRecord = keyof typeof DEFAULT_MARKINGS;

/** A marking as its two column values. */
export interface MarkingColumns {
  readonly tlp: string;
  readonly releasableTo: string;
}

export const markingColumns = (marking: Marking): MarkingColumns => ({
  tlp: marking.tlp,
  releasableTo: JSON.stringify(marking.releasableTo),
});

/** The column values of each record type's default marking. */
export const DEFAULT_MARKING_COLUMNS: Readonly<Record<MarkedRecord, MarkingColumns>> = {
  observation: markingColumns(DEFAULT_MARKINGS.observation),
  event: markingColumns(DEFAULT_MARKINGS.event),
  violation: markingColumns(DEFAULT_MARKINGS.violation),
  source: markingColumns(DEFAULT_MARKINGS.source),
};

const quoted = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/**
 * The SQL of the two columns with the defaults of `record`, as `ALTER TABLE … ADD COLUMN` takes them
 * (the same text on SQLite and PostgreSQL).
 */
export function markingColumnsSql(record: MarkedRecord): readonly [string, string] {
  const defaults = DEFAULT_MARKING_COLUMNS[record];
  return [
    `tlp TEXT NOT NULL DEFAULT ${quoted(defaults.tlp)}`,
    `releasable_to TEXT NOT NULL DEFAULT ${quoted(defaults.releasableTo)}`,
  ];
}

/** Parsed markings by their column values; cleared when it grows past this many (never in practice). */
const CACHE_LIMIT = 4096;
const cache = new Map<string, Marking>();

/**
 * The marking stored as `tlp` and `releasableTo` (JSON text). The result is frozen and may be shared
 * between rows, so callers cannot change what another row returned.
 */
export function markingOf(tlp: string, releasableTo: string): Marking {
  const key = `${tlp}\u0000${releasableTo}`;
  let marking = cache.get(key);
  if (marking === undefined) {
    const parsed = markingFrom(tlp, releasableTo);
    marking = Object.freeze({ tlp: parsed.tlp, releasableTo: Object.freeze([...parsed.releasableTo]) });
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, marking);
  }
  return marking;
}

/** A frozen copy of `marking`, as a SQL store would read it back. */
export const storedMarking = (marking: Marking): Marking => {
  const columns = markingColumns(marking);
  return markingOf(columns.tlp, columns.releasableTo);
};

/** Each record type's default marking, frozen. */
export const DEFAULT_STORED_MARKINGS: Readonly<Record<MarkedRecord, Marking>> = {
  observation: storedMarking(DEFAULT_MARKINGS.observation),
  event: storedMarking(DEFAULT_MARKINGS.event),
  violation: storedMarking(DEFAULT_MARKINGS.violation),
  source: storedMarking(DEFAULT_MARKINGS.source),
};
