/**
 * @module Reads an agreement document leniently, item by item, so that the checks across sections can
 * run on every part that is well formed even when other parts are not — and the user learns of every
 * problem at once. Items that fail their schema are left out, but their keys are remembered so that
 * references to them are not reported as unknown.
 */
import type { z } from 'zod';
import { identifier } from '../observations/schema.ts';
import { KEYED_SECTIONS, WHOLE_SECTIONS, type KeyedSection, type WholeSection } from './kinds.ts';
import {
  agreementShape,
  areaOfApplicationSchema,
  commissionSchema,
  escalationLadderSchema,
  instantSchema,
  partySchema,
  prohibitedConductSchema,
  referenceLineSchema,
  sideSchema,
  weaponClassSchema,
  zoneSchema,
} from './schema.ts';
import type { KeyedItems, WholeValues } from './terms.ts';

/** A value and the path where the document wrote it. */
export interface Traced<T> {
  readonly value: T;
  readonly path: string;
}

/** The well-formed items of one list, and what is known of the rest. */
export interface DraftList<T> {
  readonly items: readonly Traced<T>[];
  /** Keys of items that are present but malformed: references to them are not reported as unknown. */
  readonly invalidKeys: ReadonlySet<string>;
  /** False when the list is missing, not a list, or holds an item without a usable key. */
  readonly complete: boolean;
}

/** One amendment's changes to one keyed section. */
export interface DraftKeyedChanges<T> {
  readonly path: string;
  readonly remove: readonly Traced<string>[];
  readonly replace: DraftList<T>;
  readonly add: DraftList<T>;
}

/** Every keyed section of a draft. */
export type DraftKeyed = { readonly [K in KeyedSection]: DraftList<KeyedItems[K]> };
/** A whole section: its value, or null when it is missing or malformed. */
export type DraftWhole = { readonly [K in WholeSection]: Traced<WholeValues[K]> | null };

/** What could be read of one amendment. */
export interface DraftAmendment {
  /** `amendments[i]`. */
  readonly path: string;
  readonly id: string | undefined;
  readonly title: string | undefined;
  readonly effectiveAt: string | undefined;
  readonly keyed: { readonly [K in KeyedSection]?: DraftKeyedChanges<KeyedItems[K]> };
  /** Sections replaced whole; null when the replacement is malformed. */
  readonly whole: { readonly [K in WholeSection]?: Traced<WholeValues[K]> | null };
}

/** What could be read of an agreement document. */
export interface Draft {
  readonly id: string | undefined;
  readonly title: string | undefined;
  readonly effectiveAt: string | undefined;
  readonly timeZone: string | undefined;
  readonly keyed: DraftKeyed;
  readonly whole: DraftWhole;
  readonly amendments: readonly DraftAmendment[];
}

/** The schema of one item of each keyed section, and the field that is its key. */
export const KEYED_ITEM: {
  readonly [K in KeyedSection]: {
    readonly schema: z.ZodType<KeyedItems[K]>;
    readonly key: 'id' | 'party';
    readonly noun: string;
    readonly required: boolean;
  };
} = {
  parties: { schema: partySchema, key: 'id', noun: 'party', required: true },
  referenceLines: { schema: referenceLineSchema, key: 'id', noun: 'reference line', required: true },
  sides: { schema: sideSchema, key: 'party', noun: 'side of party', required: true },
  weaponClasses: { schema: weaponClassSchema, key: 'id', noun: 'weapon class', required: false },
  zones: { schema: zoneSchema, key: 'id', noun: 'zone', required: false },
  prohibitedConduct: {
    schema: prohibitedConductSchema,
    key: 'id',
    noun: 'prohibited conduct',
    required: true,
  },
};

/** The schema of each whole section. */
export const WHOLE_SCHEMA: { readonly [K in WholeSection]: z.ZodType<WholeValues[K]> } = {
  areaOfApplication: areaOfApplicationSchema,
  reportingDayCutoff: agreementShape.reportingDayCutoff,
  commission: commissionSchema,
  escalationLadder: escalationLadderSchema,
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const parsed = <T>(schema: z.ZodType<T>, value: unknown): T | undefined => {
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
};

function draftList<K extends KeyedSection>(
  section: K,
  raw: unknown,
  path: string,
  required: boolean,
): DraftList<KeyedItems[K]> {
  const { schema, key } = KEYED_ITEM[section];
  const invalidKeys = new Set<string>();
  if (raw === undefined) return { items: [], invalidKeys, complete: !required };
  if (!Array.isArray(raw)) return { items: [], invalidKeys, complete: false };
  const items: Traced<KeyedItems[K]>[] = [];
  let complete = true;
  raw.forEach((value: unknown, index) => {
    const item = parsed(schema, value);
    if (item !== undefined) {
      items.push({ value: item, path: `${path}[${index}]` });
      return;
    }
    const itemKey = isRecord(value) ? value[key] : undefined;
    if (typeof itemKey === 'string') invalidKeys.add(itemKey);
    else complete = false;
  });
  return { items, invalidKeys, complete };
}

function draftWhole<K extends WholeSection>(
  section: K,
  value: unknown,
  path: string,
): Traced<WholeValues[K]> | null {
  const result = parsed(WHOLE_SCHEMA[section], value);
  return result === undefined ? null : { value: result, path };
}

function draftAmendment(raw: unknown, path: string): DraftAmendment {
  const record = isRecord(raw) ? raw : {};
  const changes = isRecord(record.changes) ? record.changes : {};
  const draftChanges = (
    section: KeyedSection,
    value: unknown,
  ): DraftKeyedChanges<KeyedItems[KeyedSection]> => {
    const sectionPath = `${path}.changes.${section}`;
    const change = isRecord(value) ? value : {};
    const remove = Array.isArray(change.remove)
      ? change.remove.flatMap((key: unknown, index) =>
          typeof key === 'string' ? [{ value: key, path: `${sectionPath}.remove[${index}]` }] : [],
        )
      : [];
    return {
      path: sectionPath,
      remove,
      replace: draftList(section, change.replace, `${sectionPath}.replace`, false),
      add: draftList(section, change.add, `${sectionPath}.add`, false),
    };
  };
  const keyed = Object.fromEntries(
    KEYED_SECTIONS.filter((section) => changes[section] !== undefined).map((section) => [
      section,
      draftChanges(section, changes[section]),
    ]),
  ) as DraftAmendment['keyed'];
  const whole = Object.fromEntries(
    WHOLE_SECTIONS.filter((section) => changes[section] !== undefined).map((section) => [
      section,
      draftWhole(section, changes[section], `${path}.changes.${section}`),
    ]),
  ) as DraftAmendment['whole'];
  return {
    path,
    id: parsed(identifier, record.id),
    title: typeof record.title === 'string' ? record.title : undefined,
    effectiveAt: parsed(instantSchema, record.effectiveAt),
    keyed,
    whole,
  };
}

/** Reads what can be read of a document (the output of a YAML or JSON parser, or an `Agreement`). */
export function draftAgreement(raw: unknown): Draft {
  const root = isRecord(raw) ? raw : {};
  const keyed = Object.fromEntries(
    KEYED_SECTIONS.map((section) => [
      section,
      draftList(section, root[section], section, KEYED_ITEM[section].required),
    ]),
  ) as DraftKeyed;
  const whole = Object.fromEntries(
    WHOLE_SECTIONS.map((section) => [section, draftWhole(section, root[section], section)]),
  ) as DraftWhole;
  return {
    id: parsed(agreementShape.id, root.id),
    title: parsed(agreementShape.title, root.title),
    effectiveAt: parsed(agreementShape.effectiveAt, root.effectiveAt),
    timeZone: parsed(agreementShape.timeZone, root.timeZone),
    keyed,
    whole,
    amendments: Array.isArray(root.amendments)
      ? root.amendments.map((amendment: unknown, index) => draftAmendment(amendment, `amendments[${index}]`))
      : [],
  };
}
