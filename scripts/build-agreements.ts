/**
 * @module Builds the geometry of the shipped agreements from the data in data/geo and writes it into
 * data/agreements/*.yaml, leaving every hand-written field (and comment) as it is:
 *
 * - the reference line, copied from its GeoJSON file;
 * - each party's side: the union of the admin-1 units named in `areaOfApplication.admin1`, simplified
 *   (Douglas–Peucker, 0.002° ≈ 200 m), split in two by the line — one part enclosed by the line and a
 *   closing route drawn round it outside the land, the other the rest;
 * - `areaOfApplication.bbox`: the bounding box of the sides and the line.
 *
 * It checks its work before writing: the closing route touches no land, the two sides do not overlap
 * and their areas add up to the whole, and the written file passes `parseAgreement`.
 *
 * Run: npx tsx scripts/build-agreements.ts [--check]   (--check: build and compare, write nothing)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import polygonClipping from 'polygon-clipping';
import {
  LineCounter,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  type Document,
  type Pair as YamlPair,
  type Scalar,
} from 'yaml';
import { containsPoint } from '../src/core/agreement/contains-point.ts';
import { geodesicAreaKm2 } from '../src/core/agreement/geodesic.ts';
import { parseAgreement } from '../src/core/agreement/parse-agreement.ts';
import { meet } from '../src/core/agreement/find-crossings.ts';

type Position = [number, number];
type Ring = Position[];
type Polygon = Ring[];
type MultiPolygon = Polygon[];

const root = fileURLToPath(new URL('..', import.meta.url));
const path = (relative: string): string => `${root}${relative}`;

/** What is built for one agreement. */
interface AgreementPlan {
  readonly file: string;
  readonly lineFile: string;
  /** The id of the reference line (in the YAML) whose geometry comes from `lineFile`. */
  readonly referenceLineId: string;
  /**
   * Positions that lead from the line's last position round one side of it, outside the land, back to
   * its first: the party of that side gets the land they enclose with the line.
   */
  readonly closingRoute: readonly Position[];
  readonly enclosedParty: string;
  readonly otherParty: string;
}

const PLANS: readonly AgreementPlan[] = [
  {
    file: 'data/agreements/donbas-2015.yaml',
    lineFile: 'data/geo/contact-line-donbas-2015-approx.geojson',
    referenceLineId: 'line-of-contact-approx',
    // From the Sea of Azov south, east through Russia, and back to the line's start at the border.
    closingRoute: [
      [37.8, 46.0],
      [42.5, 46.0],
      [42.5, 48.7],
    ],
    enclosedParty: 'ru-af',
    otherParty: 'ua',
  },
  {
    file: 'data/agreements/paris-2026-illustrative.yaml',
    lineFile: 'data/geo/front-line-2025-approx.geojson',
    referenceLineId: 'contact-line-2025-approx',
    // From the Dnipro–Bug estuary out to sea, south of Crimea, east and north through Russia, and back
    // to the line's start at the border north of Kupiansk.
    closingRoute: [
      [31.3, 46.5],
      [31.3, 43.0],
      [42.5, 43.0],
      [42.5, 53.0],
      [37.0, 53.0],
    ],
    enclosedParty: 'ru',
    otherParty: 'ua',
  },
];

/** Douglas–Peucker tolerance in degrees (about 200 m). */
const SIMPLIFY_DEG = 0.002;
/** Decimals kept in written coordinates (6: about 0.1 m). */
const DECIMALS = 6;
/** How far past the coast a line end that lies on land is carried, at most, in degrees. */
const MAX_EXTENSION_DEG = 0.05;

const round = (value: number): number => Math.round(value * 10 ** DECIMALS) / 10 ** DECIMALS;

function fail(message: string): never {
  throw new Error(`build-agreements: ${message}`);
}

// ——— reading ———

interface AdminFeature {
  properties: { iso_3166_2: string; name_en: string };
  geometry: { type: 'Polygon'; coordinates: Polygon } | { type: 'MultiPolygon'; coordinates: MultiPolygon };
}

function readAdminUnits(): Map<string, MultiPolygon> {
  const collection = JSON.parse(readFileSync(path('data/geo/ukraine-admin1.geojson'), 'utf8')) as {
    features: AdminFeature[];
  };
  return new Map(
    collection.features.map((feature) => [
      feature.properties.iso_3166_2,
      feature.geometry.type === 'Polygon' ? [feature.geometry.coordinates] : feature.geometry.coordinates,
    ]),
  );
}

function readLine(file: string): Position[] {
  const collection = JSON.parse(readFileSync(path(file), 'utf8')) as {
    features: { geometry: { type: string; coordinates: Position[] } }[];
  };
  const geometry = collection.features[0]?.geometry;
  if (geometry?.type !== 'LineString') fail(`${file} does not hold a LineString`);
  return geometry.coordinates;
}

// ——— geometry ———

/** Douglas–Peucker on an open polyline. */
function simplifyPolyline(points: readonly Position[], tolerance: number): Position[] {
  if (points.length < 3) return [...points];
  const keep = new Uint8Array(points.length);
  keep[0] = 1;
  keep[points.length - 1] = 1;
  const stack: [number, number][] = [[0, points.length - 1]];
  while (stack.length > 0) {
    const [a, b] = stack.pop()!;
    const [x1, y1] = points[a]!;
    const [x2, y2] = points[b]!;
    const dx = x2 - x1;
    const dy = y2 - y1;
    const length2 = dx * dx + dy * dy;
    let farthest = -1;
    let distance = tolerance;
    for (let i = a + 1; i < b; i++) {
      const [x, y] = points[i]!;
      const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - x1) * dx + (y - y1) * dy) / length2));
      const d = Math.hypot(x1 + t * dx - x, y1 + t * dy - y);
      if (d > distance) {
        distance = d;
        farthest = i;
      }
    }
    if (farthest >= 0) {
      keep[farthest] = 1;
      stack.push([a, farthest], [farthest, b]);
    }
  }
  return points.filter((_, i) => keep[i] === 1);
}

/** Simplifies a closed ring (split at the position farthest from its first); null when too little is left. */
function simplifyRing(ring: Ring, tolerance: number): Ring | null {
  const open = ring.slice(0, -1);
  const first = open[0]!;
  let far = 0;
  let farDistance = -1;
  open.forEach(([x, y], i) => {
    const d = (x - first[0]) ** 2 + (y - first[1]) ** 2;
    if (d > farDistance) {
      farDistance = d;
      far = i;
    }
  });
  const a = simplifyPolyline(open.slice(0, far + 1), tolerance);
  const b = simplifyPolyline([...open.slice(far), first], tolerance);
  const simplified = [...a, ...b.slice(1)];
  return simplified.length >= 4 ? simplified : null;
}

/** Rounds every position and drops positions that repeat the one before. */
function tidy(polygons: MultiPolygon): MultiPolygon {
  return polygons
    .map((polygon) =>
      polygon
        .map((ring) => {
          const out: Ring = [];
          for (const [x, y] of ring) {
            const position: Position = [round(x), round(y)];
            const last = out[out.length - 1];
            if (last === undefined || last[0] !== position[0] || last[1] !== position[1]) out.push(position);
          }
          return out;
        })
        .filter((ring) => ring.length >= 4),
    )
    .filter((polygon) => polygon.length > 0);
}

/** The land of the given admin-1 units, simplified. */
function landOf(units: Map<string, MultiPolygon>, codes: readonly string[]): MultiPolygon {
  const parts = codes.map(
    (code) => units.get(code) ?? fail(`no admin-1 unit ${code} in data/geo/ukraine-admin1.geojson`),
  );
  const [first, ...rest] = parts;
  if (first === undefined) fail('no admin-1 units named');
  const union = polygonClipping.union(first, ...rest);
  const simplified = union
    .map((polygon) => polygon.map((ring) => simplifyRing(ring, SIMPLIFY_DEG)).filter((ring) => ring !== null))
    .filter((polygon) => polygon.length > 0)
    .map((polygon) => polygon.map((ring) => [...ring, ring[0]!]));
  // A union of the simplified rings repairs any crossing the simplification made.
  return tidy(polygonClipping.union(tidy(simplified)));
}

const onLand = (land: MultiPolygon, [lon, lat]: Position): boolean =>
  containsPoint({ type: 'MultiPolygon', coordinates: land }, lat, lon);

/** A line end that lies on land (just short of the coast) is carried on along its last segment until it is off it. */
function offLand(land: MultiPolygon, end: Position, before: Position): Position {
  if (!onLand(land, end)) return end;
  const dx = end[0] - before[0];
  const dy = end[1] - before[1];
  const length = Math.hypot(dx, dy);
  for (let step = 0.001; step <= MAX_EXTENSION_DEG; step += 0.001) {
    const candidate: Position = [end[0] + (dx / length) * step, end[1] + (dy / length) * step];
    if (!onLand(land, candidate)) {
      const beyond: Position = [
        end[0] + (dx / length) * (step + 0.002),
        end[1] + (dy / length) * (step + 0.002),
      ];
      console.log(
        `  the line end ${JSON.stringify(end)} lies on land; carried ${Math.round(step * 111_000)} m on to the water`,
      );
      return beyond;
    }
  }
  return fail(`the line end ${JSON.stringify(end)} lies on land and stays on land for ${MAX_EXTENSION_DEG}°`);
}

function routeTouchesLand(route: readonly Position[], land: MultiPolygon): string | undefined {
  for (let i = 0; i + 1 < route.length; i++)
    for (const polygon of land)
      for (const ring of polygon)
        for (let k = 0; k + 1 < ring.length; k++)
          if (meet(route[i]!, route[i + 1]!, ring[k]!, ring[k + 1]!) !== undefined)
            return `the closing route's leg ${JSON.stringify(route[i])} → ${JSON.stringify(route[i + 1])} meets the land near ${JSON.stringify(ring[k])}`;
  return undefined;
}

function splitLand(
  land: MultiPolygon,
  line: readonly Position[],
  plan: AgreementPlan,
): { enclosed: MultiPolygon; other: MultiPolygon } {
  const start = offLand(land, line[0]!, line[1]!);
  const end = offLand(land, line[line.length - 1]!, line[line.length - 2]!);
  const cut = [start, ...line.slice(1, -1), end];
  const route = [end, ...plan.closingRoute, start];
  const touch = routeTouchesLand(route, land);
  if (touch !== undefined) fail(`${plan.file}: ${touch}`);
  const enclosure: Polygon = [[...cut, ...plan.closingRoute, start]];
  const enclosed = tidy(polygonClipping.intersection(land, enclosure));
  const other = tidy(polygonClipping.difference(land, enclosure));
  const total = geodesicAreaKm2(land);
  const a = geodesicAreaKm2(enclosed);
  const b = geodesicAreaKm2(other);
  const overlap = geodesicAreaKm2(polygonClipping.intersection(enclosed, other));
  console.log(
    `  ${plan.enclosedParty}: ${a.toFixed(1)} km², ${plan.otherParty}: ${b.toFixed(1)} km², together ${(a + b).toFixed(1)} of ${total.toFixed(1)} km², overlap ${overlap.toFixed(4)} km²`,
  );
  if (a <= 0 || b <= 0) fail(`${plan.file}: a side is empty`);
  if (overlap > 0.01) fail(`${plan.file}: the sides overlap by ${overlap} km²`);
  if (Math.abs(a + b - total) > total * 1e-6)
    fail(`${plan.file}: the sides' areas do not add up to the whole`);
  return { enclosed, other };
}

function bboxOf(polygons: MultiPolygon, line: readonly Position[]): [number, number, number, number] {
  const all = [...polygons.flat(2), ...line];
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const down = (v: number): number => Math.floor(v * 100 - 5) / 100;
  const up = (v: number): number => Math.ceil(v * 100 + 5) / 100;
  return [down(Math.min(...xs)), down(Math.min(...ys)), up(Math.max(...xs)), up(Math.max(...ys))];
}

// ——— writing ———

type Geometry =
  | { type: 'LineString'; coordinates: readonly Position[] }
  | { type: 'MultiPolygon'; coordinates: MultiPolygon };

/** A geometry as YAML text, indented by `indent`: one position per line, as a flow pair `[lon, lat]`. */
function renderGeometry(geometry: Geometry, indent: number): string {
  const pad = ' '.repeat(indent);
  const lines = [`${pad}type: ${geometry.type}`, `${pad}coordinates:`];
  const position = ([lon, lat]: Position): string => `[${lon}, ${lat}]`;
  if (geometry.type === 'LineString')
    for (const p of geometry.coordinates) lines.push(`${pad}  - ${position(p)}`);
  else
    geometry.coordinates.forEach((polygon, i) => {
      lines.push(`${pad}  - # polygon ${i + 1} of ${geometry.coordinates.length}`);
      polygon.forEach((ring, r) => {
        lines.push(`${pad}    - # ${r === 0 ? 'exterior ring' : `hole ${r}`}, ${ring.length} positions`);
        for (const p of ring) lines.push(`${pad}      - ${position(p)}`);
      });
    });
  return `\n${lines.join('\n')}`;
}

/** The pair `key: value` of a mapping. */
function pairOf(map: unknown, key: string, where: string): YamlPair<Scalar> {
  if (!isMap(map)) fail(`${where} is not a mapping`);
  const pair = map.items.find((item) => isScalar(item.key) && item.key.value === key);
  if (pair === undefined || !isScalar(pair.key))
    fail(`${where} has no ${key}: write \`${key}: null\` where the generated value should go`);
  return pair as YamlPair<Scalar>;
}

function itemOf(doc: Document, section: string, key: string, value: string): unknown {
  const list = doc.get(section, true);
  if (!isSeq(list)) fail(`${section} is not a list`);
  const item = list.items.find((entry) => isMap(entry) && entry.get(key) === value);
  if (item === undefined) fail(`no ${section} entry with ${key} ${value}`);
  return item;
}

/** Replaces the value of each pair, in the original text, by `render(indent of the key)`; the rest stays as written. */
function splice(
  text: string,
  lineCounter: LineCounter,
  edits: readonly { pair: YamlPair<Scalar>; render: (keyColumn: number) => string }[],
): string {
  const ranges = edits.map(({ pair, render }) => {
    const keyRange = pair.key.range ?? fail('a key without a position');
    const value = pair.value as { range?: [number, number, number] } | null;
    // A block value's range runs on over the line break after it; that break stays.
    let valueEnd = value?.range?.[1] ?? keyRange[1];
    while (valueEnd > keyRange[1] && /\s/.test(text[valueEnd - 1] ?? '')) valueEnd--;
    const column = lineCounter.linePos(keyRange[0]).col - 1;
    return { from: keyRange[1], to: valueEnd, text: `:${render(column)}` };
  });
  let out = text;
  for (const { from, to, text: replacement } of ranges.sort((a, b) => b.from - a.from))
    out = out.slice(0, from) + replacement + out.slice(to);
  return out;
}

function build(plan: AgreementPlan, units: Map<string, MultiPolygon>, check: boolean): boolean {
  console.log(plan.file);
  const before = readFileSync(path(plan.file), 'utf8');
  const lineCounter = new LineCounter();
  const doc = parseDocument(before, { lineCounter });
  if (doc.errors.length > 0) fail(`${plan.file}: ${doc.errors[0]?.message ?? 'YAML error'}`);
  const admin1 = (
    doc.getIn(['areaOfApplication', 'admin1'], true) as { toJSON?: () => unknown } | undefined
  )?.toJSON?.();
  if (!Array.isArray(admin1) || !admin1.every((code): code is string => typeof code === 'string'))
    fail(`${plan.file}: areaOfApplication.admin1 must list the admin-1 units the sides are built from`);
  const line = readLine(plan.lineFile);
  const land = landOf(units, admin1);
  const { enclosed, other } = splitLand(land, line, plan);

  const area = doc.get('areaOfApplication', true);
  const after = splice(before, lineCounter, [
    { pair: pairOf(area, 'bbox', 'areaOfApplication'), render: () => ` [${bboxOf(land, line).join(', ')}]` },
    {
      pair: pairOf(
        itemOf(doc, 'referenceLines', 'id', plan.referenceLineId),
        'geometry',
        `reference line ${plan.referenceLineId}`,
      ),
      render: (column) => renderGeometry({ type: 'LineString', coordinates: line }, column + 2),
    },
    {
      pair: pairOf(
        itemOf(doc, 'sides', 'party', plan.enclosedParty),
        'geometry',
        `side ${plan.enclosedParty}`,
      ),
      render: (column) => renderGeometry({ type: 'MultiPolygon', coordinates: enclosed }, column + 2),
    },
    {
      pair: pairOf(itemOf(doc, 'sides', 'party', plan.otherParty), 'geometry', `side ${plan.otherParty}`),
      render: (column) => renderGeometry({ type: 'MultiPolygon', coordinates: other }, column + 2),
    },
  ]);

  const { issues } = parseAgreement(after, 'yaml');
  if (issues.length > 0)
    fail(
      `${plan.file} does not pass its own check:\n${issues.map((i) => `  ${i.path}: ${i.reason}`).join('\n')}`,
    );
  console.log(`  ${Math.round(after.length / 1024)} KiB, valid`);
  if (check) {
    if (after !== before)
      console.log(`  ${plan.file} is out of date: run npx tsx scripts/build-agreements.ts`);
    return after === before;
  }
  if (after !== before) writeFileSync(path(plan.file), after);
  return true;
}

const check = process.argv.includes('--check');
const units = readAdminUnits();
const upToDate = PLANS.map((plan) => build(plan, units, check)).every(Boolean);
if (!upToDate) process.exitCode = 1;
