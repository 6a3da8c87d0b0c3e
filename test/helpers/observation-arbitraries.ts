/**
 * @module fast-check arbitraries for observations: VALID records of every kind and payload variant
 * (optional fields present or not, boundary values, long and unicode text), the sources they need,
 * and a catalogue of single-field corruptions, each naming the one path its rejection must name.
 *
 * The arbitraries mirror `src/core/observations/schema.ts` by hand, on purpose: they are a second
 * reading of the published format, so a schema change that breaks senders shows up as a failure.
 */
import fc from 'fast-check';
import {
  ACOUSTIC_SIGNALS,
  DRONE_STATUSES,
  FIRE_DIRECTIONS,
  FIRE_EVENT_TYPES,
  IMPEDIMENTS,
  OBSERVATION_KINDS,
  OSINT_ORIGINS,
  PATROL_REPORTS,
  PERCEPTION_MODES,
  RADAR_TRACKS,
  SATELLITE_SENSORS,
  SENSOR_STATES,
  SIGHTED_OBJECTS,
  SOURCE_RELIABILITY,
  type ObservationKind,
} from '../../src/core/observations/kinds.ts';
import { OBSERVATION_LIMITS, type ObservationInput } from '../../src/core/observations/schema.ts';
import type { SourceRegistration } from '../../src/core/sources/source-schema.ts';
import { SOURCE_KINDS, type SourceKind } from '../../src/core/sources/source.ts';

export type Observation = ObservationInput;
export type PatrolReport = (typeof PATROL_REPORTS)[number];

/** A JSON object as the tests build and corrupt them. */
export type JsonObject = Record<string, unknown>;

const HOUR_MS = 3600 * 1000;
const EARLIEST_MS = Date.parse(OBSERVATION_LIMITS.earliestObservedAt);

export interface ObservationArbOptions {
  /** The server's clock (ms): no record claims a time more than 24 h after it. */
  readonly now: number;
  /** Only these kinds (default: every kind). */
  readonly kinds?: readonly ObservationKind[];
  /** Patrol reports only of these variants (default: all three). */
  readonly reports?: readonly PatrolReport[];
  /** Every optional field present, arrays non-empty (so a corruption can aim at any field). */
  readonly full?: boolean;
  /** The sender's source id (default: any identifier). */
  readonly sourceId?: fc.Arbitrary<string>;
  /** The source's record id (default: any record id up to the limit, unicode included). */
  readonly id?: fc.Arbitrary<string>;
  /** Whether to send the transport fields `batchId` and `receivedAt` sometimes (default true). */
  readonly transport?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Building blocks

type ArbValue<A> = A extends fc.Arbitrary<infer T> ? T : never;
type Arbs = Record<string, fc.Arbitrary<unknown>>;

/**
 * An object with `required` keys always present and `optional` keys present or not — all present
 * when `full` is set.
 */
function object<R extends Arbs, O extends Arbs>(
  required: R,
  optional: O,
  full: boolean,
): fc.Arbitrary<{ [K in keyof R]: ArbValue<R[K]> } & { [K in keyof O]?: ArbValue<O[K]> }> {
  const all = { ...required, ...optional };
  const requiredKeys = full ? Object.keys(all) : Object.keys(required);
  return fc.record(all, { requiredKeys }) as unknown as fc.Arbitrary<
    { [K in keyof R]: ArbValue<R[K]> } & { [K in keyof O]?: ArbValue<O[K]> }
  >;
}

interface NumberRange {
  readonly min: number;
  readonly max: number;
  readonly minExcluded?: boolean;
  readonly maxExcluded?: boolean;
}

/** Any finite double in the range, its bounds (when included) and whole numbers weighted in. */
function number(range: NumberRange): fc.Arbitrary<number> {
  const { min, max, minExcluded = false, maxExcluded = false } = range;
  const bounds: number[] = [];
  if (!minExcluded) bounds.push(min);
  if (!maxExcluded) bounds.push(max);
  const lo = Math.ceil(Math.max(min, -1e9));
  const hi = Math.floor(Math.min(max, 1e9));
  const whole = fc
    .integer({ min: Math.max(lo, -(2 ** 31)), max: Math.min(hi, 2 ** 31 - 1) })
    .filter((n) => (minExcluded ? n > min : n >= min) && (maxExcluded ? n < max : n <= max));
  return fc.oneof(
    { weight: 4, arbitrary: fc.double({ min, max, minExcluded, maxExcluded, noNaN: true }) },
    { weight: 1, arbitrary: bounds.length > 0 ? fc.constantFrom(...bounds) : whole },
    { weight: 1, arbitrary: whole },
  );
}

const integer = (min: number, max: number): fc.Arbitrary<number> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min, max }) },
    { weight: 1, arbitrary: fc.constantFrom(min, max) },
  );

/** The length of a string as the schema counts it: in code points, as JSON Schema does. */
export const codePoints = (text: string): number => {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
};

/** Cuts a string to at most `max` code points. */
export function fitLength(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  let n = 0;
  for (const ch of text) {
    if (n === max) break;
    out += ch;
    n += 1;
  }
  return out;
}

/** The characters of an ASCII string, one by one. */
const chars = (ascii: string): string[] => Array.from(ascii);

const ASCII_SAMPLE = chars('abcxyzABCXYZ0189 -_.:/@#%&"\'\\<>{}[]');
/**
 * Characters that make senders and storage work: accents, Cyrillic, CJK, RTL, emoji, joiners, and
 * lone surrogates (JSON can carry them escaped, and the schema does not forbid them).
 */
const UNICODE_SAMPLE = [
  'é',
  'ß',
  'Ї',
  'ї',
  'Ґ',
  'ы',
  'Ёж',
  '中',
  '文',
  'ع',
  'ש',
  '\u200d',
  '\u2028',
  '\u2029',
  '\ufeff',
  '😀',
  '🇺🇦',
  '𝔘',
  '\u0301',
  '\ud800',
  '\udfff',
];

/** One unit of free text: ASCII, chosen unicode, any printable grapheme, or any code point. */
const textUnit = (controls: boolean): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...ASCII_SAMPLE) },
    { weight: 2, arbitrary: fc.constantFrom(...UNICODE_SAMPLE) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
    {
      weight: 1,
      arbitrary: fc
        .string({ unit: 'binary', minLength: 1, maxLength: 1 })
        .filter((ch) => controls || !hasControl(ch)),
    },
  );

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const hasControl = (text: string): boolean => CONTROL.test(text);

const UNPAIRED = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Free text of at most `max` code points (what the schema counts), now and then exactly `max` long
 * — with astral characters that is up to twice as many UTF-16 code units.
 * @param min the fewest code units
 * @param controls whether control characters (newlines, NUL…) may appear; when not, neither may an
 *   unpaired surrogate (text a column keeps: ids), which becomes U+FFFD
 */
export function text(max: number, min = 0, controls = true): fc.Arbitrary<string> {
  const storable = (s: string): string => (controls ? s : s.replace(UNPAIRED, '\uFFFD'));
  const short = fc
    .string({ unit: textUnit(controls), minLength: min, maxLength: Math.min(max, 24) })
    .map((s) => storable(fitLength(s, max)))
    .filter((s) => codePoints(s) >= min);
  const exact = fc
    .string({ unit: textUnit(controls), minLength: 1, maxLength: Math.min(max, 64) })
    .map((s) => storable(fitLength(s.repeat(Math.ceil(max / codePoints(s))), max)));
  return fc.oneof({ weight: 6, arbitrary: short }, { weight: 1, arbitrary: exact });
}

const IDENTIFIER_FIRST = chars('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
const IDENTIFIER_REST = [...IDENTIFIER_FIRST, '.', '_', ':', '-'];

/** An identifier as the schema defines it: `^[A-Za-z0-9][A-Za-z0-9._:-]*$`, 1–64 characters. */
export const identifier = (maxLength = 64): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.constantFrom(...IDENTIFIER_FIRST),
      fc.oneof(
        { weight: 5, arbitrary: fc.string({ unit: fc.constantFrom(...IDENTIFIER_REST), maxLength: 12 }) },
        {
          weight: 1,
          arbitrary: fc.string({
            unit: fc.constantFrom(...IDENTIFIER_REST),
            minLength: maxLength - 1,
            maxLength: maxLength - 1,
          }),
        },
      ),
    )
    .map(([first, rest]) => first + rest);

/** A source's record id: 1–128 code points, no control characters, unicode welcome. */
export const recordId = (): fc.Arbitrary<string> => text(OBSERVATION_LIMITS.idLength, 1, false);

const sha256Hex = fc.string({
  unit: fc.constantFrom(...chars('0123456789abcdef')),
  minLength: 64,
  maxLength: 64,
});

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * Formats `ms` as RFC 3339 in the zone `offsetMin` minutes east of UTC (`null`: `Z`), with
 * `fraction` as the digits after the seconds.
 */
function rfc3339(ms: number, offsetMin: number | null, fraction: string): string {
  const offset = offsetMin ?? 0;
  const local = new Date(ms + offset * 60_000);
  const date = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  const zone =
    offsetMin === null
      ? 'Z'
      : `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${date}T${time}${fraction === '' ? '' : `.${fraction}`}${zone}`;
}

/**
 * An RFC 3339 instant the server must accept: from 1990-01-01 to 24 h after `now` (both bounds
 * included), in any zone offset, with 0–9 fraction digits.
 */
export function instant(now: number): fc.Arbitrary<string> {
  const latest = now + OBSERVATION_LIMITS.maxFutureSkewMs;
  const general = fc
    .record({
      date: fc.date({ min: new Date(EARLIEST_MS), max: new Date(latest - 1000), noInvalidDate: true }),
      offsetMin: fc.oneof(
        fc.constant(null),
        fc.constant(0),
        fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
      ),
      digits: fc.integer({ min: 0, max: 9 }),
      extra: fc.string({ unit: fc.constantFrom(...chars('0123456789')), minLength: 6, maxLength: 6 }),
    })
    .map(({ date, offsetMin, digits, extra }) => {
      const ms = date.getTime();
      // The fraction never rounds the instant up: it is the milliseconds, cut or extended.
      const fraction = digits === 0 ? '' : `${pad(ms % 1000, 3)}${extra}`.slice(0, digits);
      return rfc3339(ms - (ms % 1000), offsetMin, fraction);
    });
  const edges = fc.constantFrom(
    ...[
      OBSERVATION_LIMITS.earliestObservedAt,
      '1990-01-01T02:00:00+02:00',
      '1989-12-31T19:00:00-05:00',
      new Date(latest).toISOString(),
      rfc3339(latest, 180, ''),
      '2024-02-29T23:59:59.999999999Z',
    ].filter((value) => Date.parse(value) <= latest),
  );
  return fc.oneof({ weight: 8, arbitrary: general }, { weight: 1, arbitrary: edges });
}

const latitude = number({ min: -90, max: 90 });
const longitude = number({ min: -180, max: 180 });
const degrees = number({ min: 0, max: 360, maxExcluded: true });
const metres = number({ min: 0, max: OBSERVATION_LIMITS.maxCircularErrorM, minExcluded: true });
const snrDb = number({ min: -50, max: 200 });
const count = integer(1, 100_000);

const position = (full: boolean) => object({ lat: latitude, lon: longitude, ceM: metres }, {}, full);

const pointEstimate = (full: boolean) =>
  object(
    {
      lat: latitude,
      lon: longitude,
      ellipse: object(
        {
          semiMajorM: metres,
          semiMinorM: metres,
          orientationDeg: number({ min: 0, max: 180, maxExcluded: true }),
        },
        {},
        full,
      ),
    },
    {},
    full,
  );

/** A distance band: 0 ≤ minKm < maxKm ≤ 200. */
const distanceBand = fc
  .tuple(number({ min: 0, max: 200 }), number({ min: 0, max: 200 }))
  .filter(([a, b]) => a !== b)
  .map(([a, b]) => ({ minKm: Math.min(a, b), maxKm: Math.max(a, b) }));

// ---------------------------------------------------------------------------------------------
// Records

function common(options: ObservationArbOptions, full: boolean): fc.Arbitrary<JsonObject> {
  const fields = object(
    {
      id: options.id ?? recordId(),
      sourceId: options.sourceId ?? identifier(),
      observedAt: instant(options.now),
      timeUncertaintyMs: number({ min: 0, max: OBSERVATION_LIMITS.maxTimeUncertaintyMs }),
    },
    {
      weaponClass: identifier(),
      grading: object(
        { reliability: fc.constantFrom(...SOURCE_RELIABILITY), credibility: integer(1, 6) },
        {},
        full,
      ),
      evidence: fc.array(sha256Hex, { minLength: full ? 1 : 0, maxLength: OBSERVATION_LIMITS.evidenceItems }),
      text: text(OBSERVATION_LIMITS.textLength),
    },
    full,
  );
  if (options.transport === false) return fields;
  // Transport fields come and go whatever `full` says: the server must ignore them either way.
  const transport = object({}, { batchId: text(128, 1, false), receivedAt: text(64) }, false);
  return fc.tuple(fields, transport).map(([head, extra]) => ({ ...head, ...extra }));
}

const sighting = { objectType: fc.constantFrom(...SIGHTED_OBJECTS) } satisfies Arbs;

function payloadOf(
  kind: ObservationKind,
  options: ObservationArbOptions,
  full: boolean,
): fc.Arbitrary<unknown> {
  switch (kind) {
    case 'acoustic':
      return object(
        { signal: fc.constantFrom(...ACOUSTIC_SIGNALS) },
        {
          bearingDeg: degrees,
          bearingSigmaDeg: number({ min: 0, max: 180, minExcluded: true }),
          peakPa: number({ min: 0, max: Number.MAX_VALUE }),
          snrDb,
        },
        full,
      );
    case 'seismic':
      return object(
        {},
        { peakVelocityMmS: number({ min: 0, max: 1e6 }), magnitude: number({ min: -3, max: 10 }), snrDb },
        full,
      );
    case 'radar':
      return fc
        .record({
          track: fc.constantFrom(...RADAR_TRACKS),
          rest: object({}, { trackId: text(128), weaponClassGuess: identifier() }, full),
          origin: pointEstimate(full),
          impact: pointEstimate(full),
          keepOrigin: fc.boolean(),
          keepImpact: fc.boolean(),
        })
        .map(({ track, rest, origin, impact, keepOrigin, keepImpact }) => {
          const payload: JsonObject = { track, ...rest };
          if (full || track !== 'impact' || keepOrigin) payload.origin = origin;
          if (full || track !== 'origin' || keepImpact) payload.impact = impact;
          return payload;
        });
    case 'camera':
      return object(
        { ...sighting, count },
        { bearingDeg: degrees, rangeM: number({ min: 0, max: 1e6, minExcluded: true }) },
        full,
      );
    case 'drone':
      return object(
        { flightId: text(128, 1), status: fc.constantFrom(...DRONE_STATUSES) },
        {
          altitudeM: number({ min: -500, max: 30_000 }),
          objectType: fc.constantFrom(...SIGHTED_OBJECTS),
          count,
        },
        full,
      );
    case 'satellite':
      return object(
        {
          passId: text(128, 1),
          sensor: fc.constantFrom(...SATELLITE_SENSORS),
          resolutionM: number({ min: 0, max: 1000, minExcluded: true }),
        },
        {
          objectType: fc.constantFrom(...SIGHTED_OBJECTS),
          count,
          cloudCoverPct: number({ min: 0, max: 100 }),
        },
        full,
      );
    case 'patrol':
      return fc
        .constantFrom(...(options.reports ?? PATROL_REPORTS))
        .chain((report): fc.Arbitrary<unknown> => {
          const patrolCommon = { observer: position(full) };
          const patrolOptional = { patrolId: text(128), place: text(200) };
          switch (report) {
            case 'fire':
              return object(
                {
                  ...patrolCommon,
                  report: fc.constant(report),
                  mode: fc.constantFrom(...PERCEPTION_MODES),
                  eventType: fc.constantFrom(...FIRE_EVENT_TYPES),
                  direction: fc.constantFrom(...FIRE_DIRECTIONS),
                  count,
                },
                { ...patrolOptional, distanceBand, bearingDeg: degrees },
                full,
              );
            case 'sighting':
              return object(
                { ...patrolCommon, report: fc.constant(report), ...sighting },
                { ...patrolOptional, count, distanceBand, bearingDeg: degrees },
                full,
              );
            case 'impediment':
              return object(
                { ...patrolCommon, report: fc.constant(report), impediment: fc.constantFrom(...IMPEDIMENTS) },
                { ...patrolOptional, delayMinutes: integer(0, 100_000) },
                full,
              );
          }
        });
    case 'complaint':
      return object(
        { complainant: identifier(), allegation: identifier() },
        { accused: identifier(), summary: text(2000) },
        full,
      );
    case 'osint':
      return object(
        { origin: fc.constantFrom(...OSINT_ORIGINS) },
        {
          externalId: text(128),
          url: text(2048),
          headline: text(1000),
          adm1: text(200),
          parties: text(500),
          deaths: object(
            {},
            { best: integer(0, 2 ** 31 - 1), low: integer(0, 1000), high: integer(0, 2 ** 31 - 1) },
            full,
          ),
        },
        full,
      );
    case 'heartbeat':
      return object(
        { state: fc.constantFrom(...SENSOR_STATES) },
        { batteryPct: number({ min: 0, max: 100 }), note: text(500) },
        full,
      );
  }
}

/** Kinds whose `location` may be left out. */
const LOCATION_OPTIONAL: readonly ObservationKind[] = ['patrol', 'heartbeat'];

/** One valid observation of one of the kinds the options allow. */
export function observation(options: ObservationArbOptions): fc.Arbitrary<Observation> {
  const full = options.full ?? false;
  const kinds = options.kinds ?? OBSERVATION_KINDS;
  return fc.constantFrom(...kinds).chain((kind) =>
    fc
      .record({
        common: common(options, full),
        payload: payloadOf(kind, options, full),
        location: position(full),
        withLocation: fc.boolean(),
      })
      .map(({ common: head, payload, location, withLocation }) => {
        const record: JsonObject = { ...head, kind };
        if (full || withLocation || !LOCATION_OPTIONAL.includes(kind)) record.location = location;
        record.payload = payload;
        return record as unknown as Observation;
      }),
  );
}

/** The key of a record for idempotency: (source, the source's record id). */
export const recordKey = (record: { readonly sourceId: string; readonly id: string }): string =>
  `${record.sourceId}\u0000${record.id}`;

export interface ObservationBatch {
  /** Sources to register first: every record's source, of the record's kind. */
  readonly sources: readonly SourceRegistration[];
  /** Valid records with distinct (source, record id). */
  readonly records: readonly Observation[];
}

/**
 * A batch of valid records from 1–4 registered sources: each record comes from a source of its
 * kind (or is a heartbeat, which any source may send); (source, record id) never repeats.
 */
export function observationBatch(
  options: Omit<ObservationArbOptions, 'sourceId' | 'kinds'> & {
    readonly minLength?: number;
    readonly maxLength?: number;
  },
): fc.Arbitrary<ObservationBatch> {
  const sources = fc.uniqueArray(
    fc.record({
      id: identifier(),
      kind: fc.constantFrom(...SOURCE_KINDS),
      organisation: identifier(),
    }),
    { minLength: 1, maxLength: 4, selector: (s) => s.id },
  );
  return sources.chain((registered) => {
    const oneRecord = fc
      .record({ source: fc.constantFrom(...registered), heartbeat: fc.integer({ min: 0, max: 9 }) })
      .chain(({ source, heartbeat }) =>
        observation({
          ...options,
          kinds: [heartbeat === 0 ? 'heartbeat' : source.kind],
          sourceId: fc.constant(source.id),
        }),
      );
    return fc
      .uniqueArray(oneRecord, {
        minLength: options.minLength ?? 1,
        maxLength: options.maxLength ?? 20,
        selector: recordKey,
      })
      .map((records) => ({ sources: registered, records }));
  });
}

/** A source registration of `kind` for `id` (organisation "test"). */
export const sourceOf = (id: string, kind: SourceKind): SourceRegistration => ({
  id,
  kind,
  organisation: 'test',
});

/** The record without its transport fields, as the server stores and returns it. */
export function withoutTransport(record: Observation | JsonObject): JsonObject {
  const { batchId: _batchId, receivedAt: _receivedAt, ...rest } = record as JsonObject;
  return rest;
}

/** What a JSON round trip makes of a value (-0 becomes 0, undefined members disappear). */
export const jsonRoundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

// ---------------------------------------------------------------------------------------------
// Single-field corruptions

/** A source id no test registers: a record naming it is rejected at `sourceId`. */
export const UNREGISTERED_SOURCE_ID = 'unregistered.source';

export type CorruptionHow =
  | 'missing'
  | 'wrong-type'
  | 'out-of-range'
  | 'unknown-field'
  | 'bad-enum'
  | 'bad-format'
  | 'bad-date'
  | 'future'
  | 'too-long'
  | 'too-short'
  | 'too-many'
  | 'not-registered';

type Segment = string | number;

export interface Corruption {
  /** What is done, for messages: `location.lat = 90.000001`. */
  readonly name: string;
  /** The path the rejection must name, formatted as the API does: `payload.distanceBand.maxKm`. */
  readonly path: string;
  readonly how: CorruptionHow;
  /** Which records it applies to (drawn with `full`, so every optional field is there to corrupt). */
  readonly kinds: readonly ObservationKind[];
  readonly reports?: readonly PatrolReport[];
  /** A further condition on the base record. */
  readonly when?: (record: JsonObject) => boolean;
  /** A corrupted copy of a valid record; `now` is the server's clock. */
  readonly apply: (record: Observation, now: number) => JsonObject;
}

/** Formats path segments as the API does: `a.b[2].c`. */
export function formatPath(segments: readonly Segment[]): string {
  let out = '';
  for (const part of segments) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out === '' ? '(root)' : out;
}

const clone = (record: Observation | JsonObject): JsonObject => structuredClone(record);

/** The object that holds the last segment of `path` in `root` (which must exist). */
function parentOf(root: JsonObject, path: readonly Segment[]): Record<Segment, unknown> {
  let node: unknown = root;
  for (const part of path.slice(0, -1)) node = (node as Record<Segment, unknown>)[part];
  if (typeof node !== 'object' || node === null) throw new Error(`no parent for ${formatPath(path)}`);
  return node as Record<Segment, unknown>;
}

/** Sets `path` to `value` as an own data property (so `__proto__` becomes a key, not a prototype). */
function setAt(record: Observation | JsonObject, path: readonly Segment[], value: unknown): JsonObject {
  const copy = clone(record);
  const last = path.at(-1);
  if (last === undefined) throw new Error('empty path');
  Object.defineProperty(parentOf(copy, path), last, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return copy;
}

function deleteAt(record: Observation | JsonObject, path: readonly Segment[]): JsonObject {
  const copy = clone(record);
  const last = path.at(-1);
  if (last === undefined) throw new Error('empty path');
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
  delete parentOf(copy, path)[last];
  return copy;
}

const ALL: readonly ObservationKind[] = OBSERVATION_KINDS;
const LOCATED: readonly ObservationKind[] = ALL.filter((k) => !LOCATION_OPTIONAL.includes(k));
const show = (value: unknown): string =>
  typeof value === 'string' && value.length > 24
    ? `"${value.slice(0, 12)}…" (${value.length} chars)`
    : JSON.stringify(value);

interface Scope {
  readonly kinds: readonly ObservationKind[];
  readonly reports?: readonly PatrolReport[];
  readonly when?: (record: JsonObject) => boolean;
}

const set = (path: readonly Segment[], value: unknown, how: CorruptionHow, scope: Scope): Corruption => ({
  name: `${formatPath(path)} = ${show(value)}`,
  path: formatPath(path),
  how,
  ...scope,
  apply: (record) => setAt(record, path, value),
});

const missing = (path: readonly Segment[], scope: Scope): Corruption => ({
  name: `${formatPath(path)} left out`,
  path: formatPath(path),
  how: 'missing',
  ...scope,
  apply: (record) => deleteAt(record, path),
});

const unknownField = (parent: readonly Segment[], key: string, scope: Scope): Corruption => ({
  name: `unknown field ${formatPath([...parent, key])}`,
  path: formatPath([...parent, key]),
  how: 'unknown-field',
  ...scope,
  apply: (record) => setAt(record, [...parent, key], key === '__proto__' ? { polluted: true } : 1),
});

/** Out-of-range and wrong-type corruptions of a number field with inclusive/exclusive bounds. */
function numberField(
  path: readonly Segment[],
  range: { readonly below?: number; readonly above?: number; readonly fraction?: number },
  scope: Scope,
  required = false,
): Corruption[] {
  const out: Corruption[] = [set(path, '1', 'wrong-type', scope), set(path, null, 'wrong-type', scope)];
  if (range.below !== undefined) out.push(set(path, range.below, 'out-of-range', scope));
  if (range.above !== undefined) out.push(set(path, range.above, 'out-of-range', scope));
  if (range.fraction !== undefined) out.push(set(path, range.fraction, 'out-of-range', scope));
  if (required) out.push(missing(path, scope));
  return out;
}

/** Corruptions of a bounded string field. */
function stringField(
  path: readonly Segment[],
  limits: { readonly max: number; readonly min?: number },
  scope: Scope,
  required = false,
): Corruption[] {
  const out: Corruption[] = [
    set(path, 42, 'wrong-type', scope),
    set(path, 'x'.repeat(limits.max + 1), 'too-long', scope),
    set(path, 'Ї'.repeat(limits.max) + 'é', 'too-long', scope),
    set(path, '🇺🇦'.repeat(Math.ceil((limits.max + 1) / 2)), 'too-long', scope),
  ];
  if (limits.min !== undefined && limits.min > 0) out.push(set(path, '', 'too-short', scope));
  if (required) out.push(missing(path, scope));
  return out;
}

function identifierField(path: readonly Segment[], scope: Scope, required = false): Corruption[] {
  return [
    set(path, 7, 'wrong-type', scope),
    set(path, '', 'too-short', scope),
    set(path, 'a'.repeat(65), 'too-long', scope),
    set(path, 'has space', 'bad-format', scope),
    set(path, '-leading-dash', 'bad-format', scope),
    set(path, 'Київ', 'bad-format', scope),
    ...(required ? [missing(path, scope)] : []),
  ];
}

const enumField = (path: readonly Segment[], scope: Scope, required = false): Corruption[] => [
  set(path, 'not-a-member', 'bad-enum', scope),
  set(path, 3, 'wrong-type', scope),
  ...(required ? [missing(path, scope)] : []),
];

/** Corruptions of a `{lat, lon, ceM}` position at `path`. */
function positionField(path: readonly Segment[], scope: Scope, required: boolean): Corruption[] {
  return [
    set(path, 'here', 'wrong-type', scope),
    set(path, [50, 30], 'wrong-type', scope),
    ...(required ? [missing(path, scope)] : []),
    ...numberField([...path, 'lat'], { below: -90.000001, above: 90.000001 }, scope, true),
    set([...path, 'lat'], 1e308, 'out-of-range', scope),
    ...numberField([...path, 'lon'], { below: -180.5, above: 180.000001 }, scope, true),
    ...numberField(
      [...path, 'ceM'],
      { below: 0, above: OBSERVATION_LIMITS.maxCircularErrorM + 1 },
      scope,
      true,
    ),
    set([...path, 'ceM'], -5, 'out-of-range', scope),
    unknownField(path, 'alt', scope),
  ];
}

function pointEstimateField(path: readonly Segment[], scope: Scope): Corruption[] {
  return [
    set(path, 'x', 'wrong-type', scope),
    ...numberField([...path, 'lat'], { below: -91, above: 91 }, scope, true),
    ...numberField([...path, 'lon'], { below: -181, above: 181 }, scope, true),
    missing([...path, 'ellipse'], scope),
    ...numberField([...path, 'ellipse', 'semiMajorM'], { below: 0, above: 2_000_001 }, scope, true),
    ...numberField([...path, 'ellipse', 'semiMinorM'], { below: 0, above: 2_000_001 }, scope, true),
    ...numberField([...path, 'ellipse', 'orientationDeg'], { below: -0.5, above: 180 }, scope, true),
    unknownField([...path, 'ellipse'], 'tilt', scope),
    unknownField(path, 'alt', scope),
  ];
}

function distanceBandField(scope: Scope): Corruption[] {
  const path = ['payload', 'distanceBand'];
  return [
    set(path, '1-3 km', 'wrong-type', scope),
    ...numberField([...path, 'minKm'], { below: -1, above: 200.5 }, scope, true),
    ...numberField([...path, 'maxKm'], { below: 0, above: 201 }, scope, true),
    {
      name: 'payload.distanceBand.maxKm = minKm',
      path: 'payload.distanceBand.maxKm',
      how: 'out-of-range',
      ...scope,
      when: (record) => ((record.payload as JsonObject).distanceBand as { minKm: number }).minKm > 0,
      apply: (record) => {
        const band = (record.payload as JsonObject).distanceBand as { minKm: number };
        return setAt(record, [...path, 'maxKm'], band.minKm);
      },
    },
    unknownField(path, 'unit', scope),
  ];
}

const DAY_MS = 24 * HOUR_MS;

function buildCorruptions(): Corruption[] {
  const all: Scope = { kinds: ALL };
  const kind = (k: ObservationKind, extra: Omit<Scope, 'kinds'> = {}): Scope => ({ kinds: [k], ...extra });
  const patrol = (reports: readonly PatrolReport[]): Scope => ({ kinds: ['patrol'], reports });
  const p = (...rest: Segment[]): Segment[] => ['payload', ...rest];

  return [
    // The envelope.
    ...stringField(['id'], { max: OBSERVATION_LIMITS.idLength, min: 1 }, all, true),
    set(['id'], 'line\nbreak', 'bad-format', all),
    set(['id'], 'nul\u0000', 'bad-format', all),
    set(['id'], 'del\u007f', 'bad-format', all),
    set(['id'], 'half\ud800', 'bad-format', all),
    set(['id'], '\udc00other-half', 'bad-format', all),
    ...identifierField(['sourceId'], all, true),
    {
      name: `sourceId = ${UNREGISTERED_SOURCE_ID} (a source nobody registered)`,
      path: 'sourceId',
      how: 'not-registered',
      ...all,
      apply: (record) => setAt(record, ['sourceId'], UNREGISTERED_SOURCE_ID),
    },
    set(['kind'], 'sonar', 'bad-enum', all),
    set(['kind'], 'Acoustic', 'bad-enum', all),
    set(['kind'], 1, 'wrong-type', all),
    missing(['kind'], all),
    set(['observedAt'], 1772366400000, 'wrong-type', all),
    set(['observedAt'], '2026-03-01 12:00:00Z', 'bad-format', all),
    set(['observedAt'], '2026-03-01T12:00:00', 'bad-format', all),
    set(['observedAt'], '2026-03-01', 'bad-format', all),
    set(['observedAt'], '01/03/2026 12:00', 'bad-format', all),
    set(['observedAt'], '2026-03-01T12:00:60Z', 'bad-date', all),
    set(['observedAt'], '2026-13-01T12:00:00Z', 'bad-date', all),
    set(['observedAt'], '2026-02-30T12:00:00Z', 'bad-date', all),
    set(['observedAt'], '2025-02-29T12:00:00Z', 'bad-date', all),
    set(['observedAt'], '2026-04-31T12:00:00Z', 'bad-date', all),
    set(['observedAt'], '2026-03-01T24:00:00Z', 'bad-date', all),
    set(['observedAt'], '1989-12-31T23:59:59.999Z', 'out-of-range', all),
    set(['observedAt'], '2100-01-01T00:00:00Z', 'out-of-range', all),
    {
      name: 'observedAt = now + 24 h + 1 s',
      path: 'observedAt',
      how: 'future',
      ...all,
      apply: (record, now) => setAt(record, ['observedAt'], new Date(now + DAY_MS + 1000).toISOString()),
    },
    {
      name: 'observedAt = now + 24 h + 1 ms, in the +05:00 zone',
      path: 'observedAt',
      how: 'future',
      ...all,
      apply: (record, now) => {
        const t = now + DAY_MS + 1;
        return setAt(record, ['observedAt'], rfc3339(t - (t % 1000), 300, pad(t % 1000, 3)));
      },
    },
    missing(['observedAt'], all),
    ...numberField(
      ['timeUncertaintyMs'],
      { below: -1, above: OBSERVATION_LIMITS.maxTimeUncertaintyMs + 1 },
      all,
      true,
    ),
    ...identifierField(['weaponClass'], all),
    set(['grading'], 'A1', 'wrong-type', all),
    ...enumField(['grading', 'reliability'], all, true),
    set(['grading', 'reliability'], 'a', 'bad-enum', all),
    ...numberField(['grading', 'credibility'], { below: 0, above: 7, fraction: 2.5 }, all, true),
    unknownField(['grading'], 'note', all),
    set(['evidence'], 'a'.repeat(64), 'wrong-type', all),
    set(
      ['evidence'],
      Array.from({ length: 33 }, () => 'a'.repeat(64)),
      'too-many',
      all,
    ),
    set(['evidence', 0], 'A'.repeat(64), 'bad-format', all),
    set(['evidence', 0], 'a'.repeat(63), 'bad-format', all),
    set(['evidence', 0], 'g'.repeat(64), 'bad-format', all),
    set(['evidence', 0], 64, 'wrong-type', all),
    ...stringField(['text'], { max: OBSERVATION_LIMITS.textLength }, all),
    set(['text'], '😀'.repeat(OBSERVATION_LIMITS.textLength + 1), 'too-long', all),
    ...stringField(['batchId'], { max: 128, min: 1 }, all),
    set(['batchId'], 'nul\u0000', 'bad-format', all),
    set(['batchId'], 'half\ud800', 'bad-format', all),
    ...stringField(['receivedAt'], { max: 64 }, all),
    unknownField([], 'extra', all),
    unknownField([], 'signature', all),
    unknownField([], 'Kind', all),
    unknownField([], '__proto__', all),
    unknownField([], 'constructor', all),
    unknownField([], 'prototype', all),
    unknownField([], 'toString', all),
    ...positionField(['location'], { kinds: ALL }, false),
    ...LOCATED.map((k) => missing(['location'], kind(k))),
    set(['payload'], 'boom', 'wrong-type', all),
    set(['payload'], [], 'wrong-type', all),
    set(['payload'], null, 'wrong-type', all),
    missing(['payload'], all),
    ...LOCATED.concat(['heartbeat']).map((k) => unknownField(['payload'], 'extra', kind(k))),
    ...(['fire', 'sighting', 'impediment'] as const).map((r) =>
      unknownField(['payload'], 'extra', patrol([r])),
    ),

    // acoustic
    ...enumField(p('signal'), kind('acoustic'), true),
    ...numberField(p('bearingDeg'), { below: -1, above: 360 }, kind('acoustic')),
    ...numberField(p('bearingSigmaDeg'), { below: 0, above: 181 }, kind('acoustic')),
    ...numberField(p('peakPa'), { below: -0.001 }, kind('acoustic')),
    ...numberField(p('snrDb'), { below: -51, above: 201 }, kind('acoustic')),
    // seismic
    ...numberField(p('peakVelocityMmS'), { below: -1 }, kind('seismic')),
    ...numberField(p('magnitude'), { below: -3.5, above: 10.5 }, kind('seismic')),
    ...numberField(p('snrDb'), { below: -50.5, above: 200.5 }, kind('seismic')),
    // radar
    ...enumField(p('track'), kind('radar'), true),
    ...stringField(p('trackId'), { max: 128 }, kind('radar')),
    ...identifierField(p('weaponClassGuess'), kind('radar')),
    ...pointEstimateField(p('origin'), kind('radar')),
    ...pointEstimateField(p('impact'), kind('radar')),
    missing(p('origin'), kind('radar', { when: (r) => (r.payload as JsonObject).track !== 'impact' })),
    missing(p('impact'), kind('radar', { when: (r) => (r.payload as JsonObject).track !== 'origin' })),
    // camera
    ...enumField(p('objectType'), kind('camera'), true),
    ...numberField(p('count'), { below: 0, above: 100_001, fraction: 1.5 }, kind('camera'), true),
    ...numberField(p('bearingDeg'), { below: -0.001, above: 360 }, kind('camera')),
    ...numberField(p('rangeM'), { below: 0 }, kind('camera')),
    // drone
    ...stringField(p('flightId'), { max: 128, min: 1 }, kind('drone'), true),
    ...enumField(p('status'), kind('drone'), true),
    ...numberField(p('altitudeM'), { below: -501, above: 30_001 }, kind('drone')),
    ...enumField(p('objectType'), kind('drone')),
    ...numberField(p('count'), { below: 0, above: 100_001, fraction: 2.25 }, kind('drone')),
    // satellite
    ...stringField(p('passId'), { max: 128, min: 1 }, kind('satellite'), true),
    ...enumField(p('sensor'), kind('satellite'), true),
    ...numberField(p('resolutionM'), { below: 0, above: 1000.5 }, kind('satellite'), true),
    ...enumField(p('objectType'), kind('satellite')),
    ...numberField(p('count'), { below: -1, above: 1e6 }, kind('satellite')),
    ...numberField(p('cloudCoverPct'), { below: -0.1, above: 100.1 }, kind('satellite')),
    // patrol, every report
    ...enumField(p('report'), patrol(['fire', 'sighting', 'impediment']), true),
    ...positionField(p('observer'), patrol(['fire', 'sighting', 'impediment']), true),
    ...stringField(p('patrolId'), { max: 128 }, patrol(['fire', 'sighting', 'impediment'])),
    ...stringField(p('place'), { max: 200 }, patrol(['fire', 'sighting', 'impediment'])),
    // patrol fire
    ...enumField(p('mode'), patrol(['fire']), true),
    ...enumField(p('eventType'), patrol(['fire']), true),
    ...enumField(p('direction'), patrol(['fire']), true),
    ...numberField(p('count'), { below: 0, above: 100_001, fraction: 0.5 }, patrol(['fire']), true),
    ...numberField(p('bearingDeg'), { below: -1, above: 360 }, patrol(['fire', 'sighting'])),
    ...distanceBandField(patrol(['fire', 'sighting'])),
    // patrol sighting
    ...enumField(p('objectType'), patrol(['sighting']), true),
    ...numberField(p('count'), { below: 0, above: 100_001 }, patrol(['sighting'])),
    // patrol impediment
    ...enumField(p('impediment'), patrol(['impediment']), true),
    ...numberField(p('delayMinutes'), { below: -1, above: 100_001, fraction: 0.5 }, patrol(['impediment'])),
    // complaint
    ...identifierField(p('complainant'), kind('complaint'), true),
    ...identifierField(p('accused'), kind('complaint')),
    ...identifierField(p('allegation'), kind('complaint'), true),
    ...stringField(p('summary'), { max: 2000 }, kind('complaint')),
    // osint
    ...enumField(p('origin'), kind('osint'), true),
    ...stringField(p('externalId'), { max: 128 }, kind('osint')),
    ...stringField(p('url'), { max: 2048 }, kind('osint')),
    ...stringField(p('headline'), { max: 1000 }, kind('osint')),
    ...stringField(p('adm1'), { max: 200 }, kind('osint')),
    ...stringField(p('parties'), { max: 500 }, kind('osint')),
    set(p('deaths'), 12, 'wrong-type', kind('osint')),
    ...numberField(p('deaths', 'best'), { below: -1, fraction: 1.5 }, kind('osint')),
    ...numberField(p('deaths', 'low'), { below: -1, fraction: 0.1 }, kind('osint')),
    ...numberField(p('deaths', 'high'), { below: -2, fraction: 9.9 }, kind('osint')),
    unknownField(p('deaths'), 'civilians', kind('osint')),
    // heartbeat
    ...enumField(p('state'), kind('heartbeat'), true),
    set(p('state'), 'UP', 'bad-enum', kind('heartbeat')),
    ...numberField(p('batteryPct'), { below: -1, above: 100.5 }, kind('heartbeat')),
    ...stringField(p('note'), { max: 500 }, kind('heartbeat')),
  ];
}

const scopeLabel = (c: Corruption): string => {
  const kinds = c.kinds.length === ALL.length ? 'any kind' : c.kinds.join('/');
  return c.reports === undefined ? kinds : `${kinds} (${c.reports.join('/')})`;
};

/** Every single-field corruption the tests try; each name is unique. */
export const CORRUPTIONS: readonly Corruption[] = buildCorruptions().map((c) => ({
  ...c,
  name: `${scopeLabel(c)}: ${c.name}`,
}));

/** The valid records a corruption starts from: every optional field present, of its kinds. */
export function corruptionBase(
  corruption: Corruption,
  options: Omit<ObservationArbOptions, 'full' | 'kinds'>,
) {
  const base = observation({
    ...options,
    full: true,
    kinds: corruption.kinds,
    reports: corruption.reports ?? options.reports,
  });
  const when = corruption.when;
  return when === undefined ? base : base.filter((record) => when(record as unknown as JsonObject));
}

export interface CorruptedRecord {
  readonly corruption: Corruption;
  readonly valid: Observation;
  readonly corrupted: JsonObject;
}

/** A corruption of the catalogue applied to a valid record it fits. */
export function corruptedRecord(
  options: Omit<ObservationArbOptions, 'full' | 'kinds'>,
): fc.Arbitrary<CorruptedRecord> {
  return fc.constantFrom(...CORRUPTIONS).chain((corruption) =>
    corruptionBase(corruption, options).map((valid) => ({
      corruption,
      valid,
      corrupted: corruption.apply(valid, options.now),
    })),
  );
}
