/**
 * @module Applies an agreement's amendments one after the other, giving the terms of every version, and
 * (when asked) checks each version: duplicate keys, references between sections, geometry, the
 * Commission's settings, the order of amendments.
 *
 * How an amendment changes the terms: each section that is a list of items with keys (parties,
 * reference lines, sides, weapon classes, zones, prohibited conduct) takes `remove` (keys), `replace`
 * (whole items whose key is in force) and `add` (items whose key is not), applied in that order; every
 * other section it names (area of application, reporting-day cut-off, Commission, escalation ladder) is
 * replaced whole. Nothing else changes.
 */
import type { FieldIssue } from '../errors.ts';
import { checkVersion, type CheckContext } from './check-version.ts';
import {
  KEYED_ITEM,
  type Draft,
  type DraftKeyedChanges,
  type DraftList,
  type Traced,
} from './draft-agreement.ts';
import { KEYED_SECTIONS, WHOLE_SECTIONS, type KeyedSection, type WholeSection } from './kinds.ts';
import type { KeyedItems, Terms } from './terms.ts';
import { extentOf, type VersionState } from './version-state.ts';

/** Any item of a keyed section: building moves items between draft and state without looking inside. */
type AnyItem = KeyedItems[KeyedSection];

/** What `buildVersions` found. */
export interface Versions {
  /** The terms of every version, oldest first; empty when the document could not be resolved. */
  readonly terms: readonly Terms[];
  /**
   * The problems found, duplicates removed: with `check`, every one; without, those that stop the
   * versions from being built (duplicate keys, amendments out of order, changes to keys not in force).
   */
  readonly issues: readonly FieldIssue[];
}

const keyOf = (item: { readonly id: string } | { readonly party: string }): string =>
  'id' in item ? item.id : item.party;

/**
 * The versions of a drafted agreement. With `check`, every version is checked and every problem
 * reported; without, only problems that stop a version from being built are (a replaced or removed key
 * that is not in force, an added key that is).
 */
export function buildVersions(draft: Draft, options: { check: boolean }): Versions {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  const report = (issue: FieldIssue): void => {
    const key = `${issue.path}\u0000${issue.reason}`;
    if (seen.has(key)) return;
    seen.add(key);
    issues.push(issue);
  };
  const agreementId = draft.id ?? '(agreement)';
  const context: CheckContext = { verdicts: new WeakMap(), brokenReferences: new Set() };

  // The base text.
  const state: VersionState = {
    label: `${agreementId}@1`,
    number: 1,
    keyed: {
      parties: new Map(),
      referenceLines: new Map(),
      sides: new Map(),
      weaponClasses: new Map(),
      zones: new Map(),
      prohibitedConduct: new Map(),
    },
    invalidKeys: {
      parties: new Set(),
      referenceLines: new Set(),
      sides: new Set(),
      weaponClasses: new Set(),
      zones: new Set(),
      prohibitedConduct: new Set(),
    },
    complete: {
      parties: true,
      referenceLines: true,
      sides: true,
      weaponClasses: true,
      zones: true,
      prohibitedConduct: true,
    },
    whole: { ...draft.whole },
  };
  // The maps hold each section's own item type; building treats them alike.
  const mapOf = (section: KeyedSection): Map<string, Traced<AnyItem>> => state.keyed[section];
  const introduced: Traced<unknown>[] = [];
  const startSection = (section: KeyedSection): void => {
    const list: DraftList<AnyItem> = draft.keyed[section];
    const map = mapOf(section);
    const { key, noun } = KEYED_ITEM[section];
    for (const item of list.items) {
      const itemKey = keyOf(item.value);
      const first = map.get(itemKey);
      if (first !== undefined)
        report({
          path: `${item.path}.${key}`,
          reason: `duplicate ${noun} ${JSON.stringify(itemKey)}: ${first.path} has the same ${key}`,
        });
      else {
        map.set(itemKey, item);
        introduced.push(item);
      }
    }
    for (const invalidKey of list.invalidKeys) state.invalidKeys[section].add(invalidKey);
    state.complete[section] = list.complete;
  };
  for (const section of KEYED_SECTIONS) startSection(section);

  const terms: Terms[] = [];
  const versionStarts: { at: string | undefined; amendmentId: string | null }[] = [
    { at: draft.effectiveAt, amendmentId: null },
  ];
  const snapshot = (): void => {
    const at = versionStarts[versionStarts.length - 1];
    const built = toTerms(state, draft, at?.at, at?.amendmentId ?? null);
    if (built !== undefined) terms.push(built);
  };
  if (options.check) checkVersion(state, introduced.splice(0), context, report);
  else introduced.length = 0;
  snapshot();

  // Amendments, in the order written (which must be the order of their times).
  const amendmentIds = new Map<string, string>();
  let previous: { ms: number; path: string; at: string } | undefined =
    draft.effectiveAt === undefined
      ? undefined
      : { ms: Date.parse(draft.effectiveAt), path: 'effectiveAt', at: draft.effectiveAt };
  draft.amendments.forEach((amendment, index) => {
    if (amendment.id !== undefined) {
      const first = amendmentIds.get(amendment.id);
      if (first !== undefined)
        report({
          path: `${amendment.path}.id`,
          reason: `duplicate amendment ${JSON.stringify(amendment.id)}: ${first} has the same id`,
        });
      else amendmentIds.set(amendment.id, amendment.path);
    }
    if (amendment.effectiveAt !== undefined) {
      const ms = Date.parse(amendment.effectiveAt);
      if (previous !== undefined && ms <= previous.ms)
        report({
          path: `${amendment.path}.effectiveAt`,
          reason: `amendments must be in order of time, each later than the one before: ${amendment.effectiveAt} is not later than ${previous.path === 'effectiveAt' ? "the agreement's effectiveAt" : previous.path + '.effectiveAt'} (${previous.at})`,
        });
      previous = { ms, path: amendment.path, at: amendment.effectiveAt };
    }

    state.number = index + 2;
    state.label = `${agreementId}@${state.number}`;
    const applySection = (section: KeyedSection): void => {
      const change: DraftKeyedChanges<AnyItem> | undefined = amendment.keyed[section];
      if (change === undefined) return;
      const map = mapOf(section);
      const invalid = state.invalidKeys[section];
      const { noun } = KEYED_ITEM[section];
      for (const removal of change.remove) {
        if (map.delete(removal.value)) continue;
        if (invalid.delete(removal.value)) continue;
        report({
          path: removal.path,
          reason: `cannot remove ${noun} ${JSON.stringify(removal.value)}: it is not in the terms in force before this amendment`,
        });
      }
      for (const item of change.replace.items) {
        const itemKey = keyOf(item.value);
        if (!map.has(itemKey) && !invalid.has(itemKey)) {
          report({
            path: item.path,
            reason: `cannot replace ${noun} ${JSON.stringify(itemKey)}: it is not in the terms in force before this amendment (use add)`,
          });
          continue;
        }
        invalid.delete(itemKey);
        map.set(itemKey, item);
        introduced.push(item);
      }
      for (const item of change.add.items) {
        const itemKey = keyOf(item.value);
        const existing = map.get(itemKey);
        if (existing !== undefined || invalid.has(itemKey)) {
          report({
            path: item.path,
            reason: `cannot add ${noun} ${JSON.stringify(itemKey)}: it is already in the terms in force${existing === undefined ? '' : ` (${existing.path})`} (use replace)`,
          });
          continue;
        }
        map.set(itemKey, item);
        introduced.push(item);
      }
      for (const key of [...change.replace.invalidKeys, ...change.add.invalidKeys]) invalid.add(key);
      if (!change.replace.complete || !change.add.complete) state.complete[section] = false;
    };
    for (const section of KEYED_SECTIONS) applySection(section);
    const replaceWhole = (section: WholeSection): void => {
      const value: Traced<unknown> | null | undefined = amendment.whole[section];
      if (value === undefined) return;
      Object.assign(state.whole, { [section]: value });
      if (value === null) return;
      introduced.push(value);
      // A new area of application: every line and area in force must lie in it too.
      if (section === 'areaOfApplication')
        for (const keyed of KEYED_SECTIONS) for (const item of mapOf(keyed).values()) introduced.push(item);
    };
    for (const section of WHOLE_SECTIONS) replaceWhole(section);

    versionStarts.push({ at: amendment.effectiveAt, amendmentId: amendment.id ?? null });
    if (options.check) checkVersion(state, introduced.splice(0), context, report);
    else introduced.length = 0;
    snapshot();
  });

  // Each version ends where the next begins.
  const linked = terms.map((version, i) => ({
    ...version,
    effectiveUntilMs: terms[i + 1]?.effectiveFromMs ?? null,
  }));
  return { terms: terms.length === draft.amendments.length + 1 ? linked : [], issues };
}

function toTerms(
  state: VersionState,
  draft: Draft,
  effectiveAt: string | undefined,
  amendmentId: string | null,
): Terms | undefined {
  const { whole } = state;
  const extent = extentOf(state);
  if (
    draft.id === undefined ||
    draft.title === undefined ||
    draft.timeZone === undefined ||
    effectiveAt === undefined ||
    whole.areaOfApplication === null ||
    whole.reportingDayCutoff === null ||
    whole.commission === null ||
    whole.escalationLadder === null ||
    extent === undefined
  )
    return undefined;
  const items = <K extends KeyedSection>(section: K): readonly KeyedItems[K][] =>
    [...state.keyed[section].values()].map((item) => item.value);
  return {
    agreementId: draft.id,
    title: draft.title,
    version: state.label,
    versionNumber: state.number,
    amendmentId,
    effectiveAt,
    effectiveFromMs: Date.parse(effectiveAt),
    effectiveUntilMs: null,
    timeZone: draft.timeZone,
    extent,
    parties: items('parties'),
    referenceLines: items('referenceLines'),
    sides: items('sides'),
    weaponClasses: items('weaponClasses'),
    zones: items('zones'),
    prohibitedConduct: items('prohibitedConduct'),
    areaOfApplication: whole.areaOfApplication.value,
    reportingDayCutoff: whole.reportingDayCutoff.value,
    commission: whole.commission.value,
    escalationLadder: whole.escalationLadder.value,
  };
}
