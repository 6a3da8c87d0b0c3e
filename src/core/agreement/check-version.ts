/**
 * @module The checks that span sections, run on each version of the terms: every reference names
 * something in force, every party has exactly one reference line and one side, sides do not overlap,
 * each weapon class has one distance per party, the Commission's settings can work, and the geometry
 * of every item the version introduces is sound.
 */
import polygonClipping from 'polygon-clipping';
import type { FieldIssue } from '../errors.ts';
import { checkGeometry } from './check-geometry.ts';
import { KEYED_ITEM, type Traced } from './draft-agreement.ts';
import { geodesicAreaKm2 } from './geodesic.ts';
import type { KeyedSection } from './kinds.ts';
import type { AreaGeometry, LineStringGeometry, Side } from './schema.ts';
import { extentOf, type VersionState } from './version-state.ts';

/** What the checks of one version pass on to the checks of the next. */
export interface CheckContext {
  /** For each geometry object checked: true when it had no problem. */
  readonly verdicts: WeakMap<object, boolean>;
  /** Paths of references already reported as unknown: a broken reference is reported once, at the first version it breaks in. */
  readonly brokenReferences: Set<string>;
}

/** Sides may share a boundary; an overlap larger than this is an error. */
const OVERLAP_TOLERANCE_KM2 = 0.01;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const hasGeometry = (value: unknown): value is { geometry: LineStringGeometry | AreaGeometry } =>
  isRecord(value) && isRecord(value.geometry);

const isSide = (value: unknown): value is Side =>
  isRecord(value) && typeof value.party === 'string' && !('id' in value);

/** Checks one version; `introduced` are the items this version added or replaced. */
export function checkVersion(
  state: VersionState,
  introduced: readonly Traced<unknown>[],
  context: CheckContext,
  report: (issue: FieldIssue) => void,
): void {
  const { verdicts } = context;
  const extent = extentOf(state);
  const areaHasBbox = state.whole.areaOfApplication?.value.bbox !== undefined;

  for (const item of introduced) {
    if (!hasGeometry(item.value)) continue;
    // Sides made from admin-1 units define the extent themselves when the area has no bbox.
    const within = isSide(item.value) && !areaHasBbox ? undefined : extent;
    const issues = checkGeometry(item.value.geometry, `${item.path}.geometry`, within);
    issues.forEach(report);
    verdicts.set(item.value.geometry, issues.length === 0);
  }

  const unknown = (noun: string, key: string): string =>
    state.number === 1
      ? `refers to unknown ${noun} ${JSON.stringify(key)}`
      : `refers to ${noun} ${JSON.stringify(key)}, which is not in the terms of version ${state.label}`;
  const refer = (section: KeyedSection, key: string, path: string): void => {
    if (state.keyed[section].has(key) || state.invalidKeys[section].has(key) || !state.complete[section])
      return;
    if (context.brokenReferences.has(path)) return;
    context.brokenReferences.add(path);
    report({
      path,
      reason: unknown(KEYED_ITEM[section].noun === 'side of party' ? 'party' : KEYED_ITEM[section].noun, key),
    });
  };
  const whole = (section: KeyedSection): boolean =>
    state.complete[section] && state.invalidKeys[section].size === 0;

  // Reference lines: known parties, one line per party.
  const lineOf = new Map<string, Traced<{ id: string }>>();
  for (const line of state.keyed.referenceLines.values()) {
    line.value.parties.forEach((party, j) => {
      const path = `${line.path}.parties[${j}]`;
      refer('parties', party, path);
      const other = lineOf.get(party);
      if (other === undefined) lineOf.set(party, line);
      else
        report({
          path,
          reason:
            other === line
              ? `party ${JSON.stringify(party)} is listed twice`
              : `party ${JSON.stringify(party)} already measures from reference line ${JSON.stringify(other.value.id)} (${other.path}): each party has exactly one reference line`,
        });
    });
  }
  if (whole('referenceLines'))
    for (const [id, party] of state.keyed.parties)
      if (!lineOf.has(id))
        report({
          path: party.path,
          reason: `party ${JSON.stringify(id)} has no reference line: name it in the parties of one reference line`,
        });

  // Sides: known parties, one per party, no overlaps.
  for (const side of state.keyed.sides.values()) refer('parties', side.value.party, `${side.path}.party`);
  if (whole('sides'))
    for (const [id, party] of state.keyed.parties)
      if (!state.keyed.sides.has(id))
        report({
          path: party.path,
          reason: `party ${JSON.stringify(id)} has no side: add an entry to sides with party ${JSON.stringify(id)}`,
        });
  const sides = [...state.keyed.sides.values()];
  sides.forEach((b, j) => {
    for (const a of sides.slice(0, j)) {
      const km2 = overlapKm2(a.value.geometry, b.value.geometry, verdicts);
      if (km2 !== undefined && km2 > OVERLAP_TOLERANCE_KM2)
        report({
          path: `${b.path}.geometry`,
          reason: `overlaps the side of party ${JSON.stringify(a.value.party)} (${a.path}) by about ${roundArea(km2)} km²: sides must not overlap`,
        });
    }
  });

  // Zones: known weapon classes and parties; one distance per weapon class and party.
  const limits = new Map<
    string,
    { zone: Traced<{ id: string }>; parties: readonly string[] | undefined }[]
  >();
  for (const zone of state.keyed.zones.values()) {
    const value = zone.value;
    if (value.kind === 'disengagement-area') continue;
    value.parties?.forEach((party, j) => refer('parties', party, `${zone.path}.parties[${j}]`));
    if (value.kind !== 'limitation') continue;
    value.weaponClasses.forEach((weaponClass, j) => {
      const path = `${zone.path}.weaponClasses[${j}]`;
      refer('weaponClasses', weaponClass, path);
      const earlier = limits.get(weaponClass) ?? [];
      const clash = earlier.find(
        (other) =>
          other.parties === undefined ||
          value.parties === undefined ||
          other.parties.some((party) => value.parties?.includes(party) === true),
      );
      if (clash !== undefined)
        report({
          path,
          reason:
            clash.zone === zone
              ? `weapon class ${JSON.stringify(weaponClass)} is listed twice`
              : `weapon class ${JSON.stringify(weaponClass)} is already limited by zone ${JSON.stringify(clash.zone.value.id)} (${clash.zone.path}) for the same parties: a class has one distance per party`,
        });
      limits.set(weaponClass, [...earlier, { zone, parties: value.parties }]);
    });
  }

  // Prohibited conduct: known zones.
  for (const conduct of state.keyed.prohibitedConduct.values())
    conduct.value.zones?.forEach((zone, j) => refer('zones', zone, `${conduct.path}.zones[${j}]`));

  // Area of application: each admin-1 unit once.
  const area = state.whole.areaOfApplication;
  if (area !== null)
    reportRepeats(area.value.admin1 ?? [], (i) => `${area.path}.admin1[${i}]`, 'admin-1 unit', report);

  // The Commission.
  const commission = state.whole.commission;
  if (commission !== null) {
    const { members, chair, quorum, recuseParties } = commission.value;
    const path = commission.path;
    reportRepeats(
      members.map((member) => member.id),
      (i) => `${path}.members[${i}].id`,
      'member',
      report,
    );
    members.forEach((member, i) => {
      if (member.party !== undefined) refer('parties', member.party, `${path}.members[${i}].party`);
    });
    const chairMember = members.find((member) => member.id === chair);
    if (chairMember === undefined)
      report({
        path: `${path}.chair`,
        reason: `the chair ${JSON.stringify(chair)} is not one of the members`,
      });
    else if (recuseParties && chairMember.party !== undefined)
      report({
        path: `${path}.chair`,
        reason: `the chair represents party ${JSON.stringify(chairMember.party)} and, with recuseParties, could not act in that party's cases`,
      });
    if (quorum > members.length)
      report({
        path: `${path}.quorum`,
        reason: `a quorum of ${quorum} cannot be met: there are ${members.length} members`,
      });
    else if (recuseParties) {
      const voting = members.filter((member) => member.party === undefined).length;
      if (quorum > voting)
        report({
          path: `${path}.quorum`,
          reason: `a quorum of ${quorum} cannot be met in a case between the parties: with recuseParties, the ${members.length - voting} members representing parties do not vote, leaving ${voting}`,
        });
    }
  }

  // The escalation ladder: each step once.
  const ladder = state.whole.escalationLadder;
  if (ladder !== null)
    reportRepeats(
      ladder.value.map((step) => step.id),
      (i) => `${ladder.path}[${i}].id`,
      'escalation step',
      report,
    );
}

function reportRepeats(
  keys: readonly string[],
  pathOf: (index: number) => string,
  noun: string,
  report: (issue: FieldIssue) => void,
): void {
  const first = new Map<string, number>();
  keys.forEach((key, i) => {
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, i);
    else
      report({
        path: pathOf(i),
        reason: `duplicate ${noun} ${JSON.stringify(key)}: ${pathOf(earlier)} has the same`,
      });
  });
}

const roundArea = (km2: number): string => (km2 >= 10 ? String(Math.round(km2)) : km2.toPrecision(2));

const overlapCache = new WeakMap<object, WeakMap<object, number | undefined>>();

/** The area two sides share, in km²; undefined when either geometry is invalid (it was reported). */
function overlapKm2(
  a: AreaGeometry,
  b: AreaGeometry,
  verdicts: CheckContext['verdicts'],
): number | undefined {
  if (verdicts.get(a) !== true || verdicts.get(b) !== true) return undefined;
  const cached = overlapCache.get(a)?.get(b);
  if (cached !== undefined) return cached;
  let km2: number | undefined;
  try {
    type Geom = Parameters<typeof polygonClipping.intersection>[0];
    const shared = polygonClipping.intersection(a.coordinates as Geom, b.coordinates as Geom);
    km2 = geodesicAreaKm2(shared);
  } catch {
    km2 = undefined;
  }
  const byA = overlapCache.get(a) ?? new WeakMap<object, number | undefined>();
  byA.set(b, km2);
  overlapCache.set(a, byA);
  return km2;
}
