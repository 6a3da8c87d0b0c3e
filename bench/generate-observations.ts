/**
 * @module The benchmarks' input: a deterministic (seeded) NDJSON file of observations as a sensor
 * network along the front produces them, and the sources that send them.
 *
 *   node --import tsx bench/generate-observations.ts [--rows 1000000] [--seed 20260601]
 *
 * writes `bench/data/sources.json` and `bench/data/observations.ndjson` (for another row count,
 * `observations-<rows>.ndjson`), with a manifest beside it holding the counts and the outcome an
 * ingest must report. Every block of 1,000 lines holds exactly 10 exact repeats of earlier lines,
 * 1 conflicting repeat (an earlier record's id with different content) and 5 invalid lines of ten
 * different sorts; the rest are new, valid records. Times are spread over 14 days in file order,
 * with a little jitter (sensors report late), so that a box and a window select ~1,000 rows.
 */
import {
  FIRE_DIRECTIONS,
  FIRE_EVENT_TYPES,
  IMPEDIMENTS,
  PERCEPTION_MODES,
  SIGHTED_OBJECTS,
} from '../src/core/observations/kinds.ts';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { directoryAbove } from '../src/cli/find-above.ts';
import { FRONT_LENGTH_KM, frontPoint, offsetPoint } from './lib/front.ts';
import { Prng } from './lib/prng.ts';

/**
 * bench/ of this repository: the nearest directory above this module that holds bench/run.ts — this
 * file's own when run from the sources, and also when run from the compiled bench worker
 * (bench/data/build/).
 */
export const BENCH_DIR = directoryAbove(
  import.meta.url,
  (dir) => basename(dir) === 'bench' && existsSync(join(dir, 'run.ts')),
  'bench/run.ts',
);
export const DATA_DIR = join(BENCH_DIR, 'data');
export const DEFAULT_ROWS = 1_000_000;
export const DEFAULT_SEED = 20260601;

/** The window the observations fall in (a fixed date, so files do not depend on when they are made). */
export const TIME_FROM = Date.parse('2026-06-01T00:00:00Z');
export const TIME_SPAN_MS = 14 * 24 * 3600 * 1000;

export interface GeneratedData {
  readonly observationsFile: string;
  readonly sourcesFile: string;
  readonly manifestFile: string;
}

export interface Manifest {
  /** SHA-256 of this generator's source files: a changed generator regenerates the data. */
  readonly generator: string;
  readonly rows: number;
  readonly seed: number;
  readonly bytes: number;
  readonly meanLineBytes: number;
  readonly sources: number;
  readonly lines: {
    readonly original: number;
    readonly exactRepeats: number;
    readonly conflictingRepeats: number;
    readonly invalid: number;
  };
  readonly originalByKind: Readonly<Record<string, number>>;
  readonly invalidBySort: Readonly<Record<string, number>>;
  /** What an ingest of the whole file into an empty store must report. */
  readonly expected: {
    readonly accepted: number;
    readonly duplicates: number;
    readonly conflicts: number;
    readonly rejected: number;
  };
}

/** Paths of the data for `rows` lines. */
export function dataPaths(rows: number): GeneratedData {
  const stem = rows === DEFAULT_ROWS ? 'observations' : `observations-${rows}`;
  return {
    observationsFile: join(DATA_DIR, `${stem}.ndjson`),
    sourcesFile: join(DATA_DIR, 'sources.json'),
    manifestFile: join(DATA_DIR, `${stem}.manifest.json`),
  };
}

/** The version of the generator: a hash of its own source and the files it uses. */
export function generatorVersion(): string {
  const hash = createHash('sha256');
  for (const file of ['generate-observations.ts', 'lib/front.ts', 'lib/prng.ts'])
    hash.update(readFileSync(join(BENCH_DIR, file)));
  return hash.digest('hex').slice(0, 16);
}

// ---------------------------------------------------------------------------------------------
// Sources

type SourceKind =
  'acoustic' | 'seismic' | 'radar' | 'camera' | 'drone' | 'satellite' | 'patrol' | 'complaint' | 'osint';
type Kind = SourceKind | 'heartbeat';

interface SourceDef {
  readonly id: string;
  readonly kind: SourceKind;
  readonly organisation: string;
  readonly name: string;
  readonly position?: { lat: number; lon: number; altitudeM?: number };
  readonly orientationDeg?: number;
  readonly capabilities?: Record<string, unknown>;
  /** Where along the front it works (km), for the sources without a position. */
  readonly alongKm: number;
}

const SOURCE_COUNTS: Readonly<Record<SourceKind, number>> = {
  acoustic: 120,
  seismic: 40,
  radar: 12,
  camera: 90,
  drone: 24,
  satellite: 4,
  patrol: 36,
  complaint: 2,
  osint: 4,
};

const PREFIX: Readonly<Record<SourceKind, string>> = {
  acoustic: 'ac',
  seismic: 'se',
  radar: 'rd',
  camera: 'cam',
  drone: 'uav',
  satellite: 'sat',
  patrol: 'ptl',
  complaint: 'party',
  osint: 'osint',
};

const FIXED: readonly SourceKind[] = ['acoustic', 'seismic', 'radar', 'camera'];
const MEMBERS = ['smm', 'coalition-fr', 'coalition-uk', 'coalition-de', 'coalition-pl', 'coalition-ca'];
const round = (x: number, digits: number): number => Number(x.toFixed(digits));

function makeSources(prng: Prng): SourceDef[] {
  const sources: SourceDef[] = [];
  for (const kind of Object.keys(SOURCE_COUNTS) as SourceKind[]) {
    const n = SOURCE_COUNTS[kind];
    for (let i = 0; i < n; i += 1) {
      const alongKm = ((i + prng.range(0.1, 0.9)) / n) * FRONT_LENGTH_KM;
      const serial = String(i + 1).padStart(3, '0');
      const id =
        kind === 'complaint'
          ? ['party-ua', 'party-ru'][i]!
          : kind === 'osint'
            ? ['osint-media-monitor', 'osint-social-watch', 'osint-acled-feed', 'osint-local-news'][i]!
            : `${PREFIX[kind]}-${serial}`;
      const organisation =
        kind === 'complaint' ? id : kind === 'osint' ? 'smm-osint-cell' : prng.pick(MEMBERS);
      if (FIXED.includes(kind)) {
        // Fixed sensors stand on both sides of the line, 3–25 km from it.
        const side = prng.chance(0.5) ? 1 : -1;
        const p = frontPoint(alongKm, side * prng.range(3, 25));
        const capabilities: Record<string, unknown> =
          kind === 'acoustic'
            ? { rangeKm: 15, microphones: 4, sampleRateHz: 8000 }
            : kind === 'seismic'
              ? { rangeKm: 8, axes: 3 }
              : kind === 'radar'
                ? { rangeKm: 30, model: 'counter-battery', band: 'S' }
                : { rangeKm: 5, fieldOfViewDeg: 60, thermal: prng.chance(0.5) };
        sources.push({
          id,
          kind,
          organisation,
          name: `${kind} sensor ${serial}`,
          position: { lat: round(p.lat, 5), lon: round(p.lon, 5), altitudeM: prng.int(60, 250) },
          orientationDeg: kind === 'camera' || kind === 'radar' ? prng.int(0, 359) : undefined,
          capabilities,
          alongKm,
        });
      } else {
        sources.push({ id, kind, organisation, name: `${kind} ${id}`, alongKm });
      }
    }
  }
  return sources;
}

/** The registrations, as `registerSource` takes them. */
function registrations(sources: readonly SourceDef[]): unknown[] {
  return sources.map(({ alongKm: _alongKm, ...registration }) => registration);
}

// ---------------------------------------------------------------------------------------------
// Records

const KIND_WEIGHTS: Readonly<Record<Kind, number>> = {
  acoustic: 28,
  seismic: 9,
  radar: 7,
  camera: 12,
  drone: 9,
  satellite: 2,
  patrol: 9,
  complaint: 3,
  osint: 5,
  heartbeat: 16,
};

const PLACES = [
  'Vovchansk',
  'Kupiansk',
  'Borova',
  'Lyman',
  'Siversk',
  'Bakhmut',
  'Chasiv Yar',
  'Toretsk',
  'Horlivka',
  'Avdiivka',
  'Pokrovsk',
  'Marinka',
  'Kurakhove',
  'Vuhledar',
  'Velyka Novosilka',
  'Huliaipole',
  'Orikhiv',
  'Robotyne',
  'Kamianske',
  'Vasylivka',
  'Enerhodar',
  'Nikopol',
  'Beryslav',
  'Nova Kakhovka',
  'Kherson',
  'Kostiantynivka',
  'Kramatorsk',
  'Sloviansk',
  'Zolote',
  'Shyrokyne',
];
const WEAPONS = [
  'artillery-122mm',
  'artillery-152mm',
  'mortar-120mm',
  'mortar-82mm',
  'mlrs-122mm',
  'tank-125mm',
  'mlrs-220mm',
];
const WEAPON_WORDS: Readonly<Record<string, string>> = {
  'artillery-122mm': '122 mm artillery',
  'artillery-152mm': '152 mm artillery',
  'mortar-120mm': '120 mm mortar',
  'mortar-82mm': '82 mm mortar',
  'mlrs-122mm': '122 mm multiple-launch rocket system',
  'tank-125mm': '125 mm tank gun',
  'mlrs-220mm': '220 mm multiple-launch rocket system',
};
// The enumerations of the observation format itself (same order as before, so the data is unchanged).
const OBJECTS = SIGHTED_OBJECTS;
const DIRECTIONS = FIRE_DIRECTIONS;
const MODES = PERCEPTION_MODES;
const FIRE_TYPES = FIRE_EVENT_TYPES;
const ALLEGATIONS = [
  'shelling-populated-area',
  'heavy-weapons-in-zone',
  'drone-strike',
  'mine-laying',
  'sniper-fire',
];
const COMPASS = ['north', 'north-east', 'east', 'south-east', 'south', 'south-west', 'west', 'north-west'];

interface Ctx {
  readonly prng: Prng;
  readonly sources: readonly SourceDef[];
  readonly byKind: ReadonlyMap<SourceKind, readonly SourceDef[]>;
  readonly fixed: readonly SourceDef[];
  readonly counters: Map<string, number>;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const compass = (deg: number): string => COMPASS[Math.round(deg / 45) % 8]!;

function nextRecordId(ctx: Ctx, sourceId: string, t: number): string {
  const n = (ctx.counters.get(sourceId) ?? 0) + 1;
  ctx.counters.set(sourceId, n);
  return `${sourceId}/${iso(t).slice(0, 10)}/${String(n).padStart(7, '0')}`;
}

function near(ctx: Ctx, source: SourceDef, sigmaKm: number): { lat: number; lon: number } {
  const base = source.position ?? frontPoint(source.alongKm + ctx.prng.normal() * 20, ctx.prng.normal() * 6);
  return offsetPoint(base, ctx.prng.normal() * sigmaKm, ctx.prng.normal() * sigmaKm);
}

const loc = (p: { lat: number; lon: number }, ceM: number) => ({
  lat: round(p.lat, 5),
  lon: round(p.lon, 5),
  ceM: round(ceM, 1),
});

function evidence(prng: Prng, min: number, max: number): string[] {
  const out: string[] = [];
  for (let i = prng.int(min, max); i > 0; i -= 1) out.push(prng.hex(64));
  return out;
}

function grading(prng: Prng, reliability: readonly string[]): { reliability: string; credibility: number } {
  return { reliability: prng.pick(reliability), credibility: prng.int(1, 4) };
}

/** A new valid record of `kind` observed at `t`. */
function makeRecord(ctx: Ctx, kind: Kind, t: number): Record<string, unknown> {
  const { prng } = ctx;
  const source = kind === 'heartbeat' ? prng.pick(ctx.fixed) : prng.pick(ctx.byKind.get(kind)!);
  const common = {
    id: nextRecordId(ctx, source.id, t),
    sourceId: source.id,
    kind,
    observedAt: iso(t),
  };
  const weapon = prng.pick(WEAPONS);
  switch (kind) {
    case 'acoustic': {
      const p = near(ctx, source, 6);
      const bearing = round(prng.range(0, 359.9), 1);
      const signal = prng.pick(['launch', 'impact', 'impulse', 'unknown'] as const);
      const snr = round(prng.range(6, 40), 1);
      const known = prng.chance(0.6);
      return {
        ...common,
        timeUncertaintyMs: prng.int(5, 250),
        location: loc(p, prng.range(80, 1500)),
        ...(known ? { weaponClass: weapon } : {}),
        grading: grading(prng, ['A', 'B', 'B', 'C']),
        payload: {
          signal,
          bearingDeg: bearing,
          bearingSigmaDeg: round(prng.range(0.5, 6), 2),
          peakPa: round(prng.range(2, 900), 2),
          snrDb: snr,
        },
        evidence: evidence(prng, 1, 1),
        text: `${source.id}: ${signal} at ${bearing}° (${compass(bearing)}), SNR ${snr} dB; ${known ? `classified as ${WEAPON_WORDS[weapon]!}` : 'class not determined'}; localised from ${prng.int(2, 5)} arrays.`,
        batchId: `gw-${source.id}-${iso(t).slice(0, 13)}`,
      };
    }
    case 'seismic': {
      const p = near(ctx, source, 4);
      const magnitude = round(prng.range(-1, 2.5), 2);
      return {
        ...common,
        timeUncertaintyMs: prng.int(10, 400),
        location: loc(p, prng.range(300, 3000)),
        grading: grading(prng, ['B', 'C']),
        payload: {
          peakVelocityMmS: round(prng.range(0.01, 12), 3),
          magnitude,
          snrDb: round(prng.range(3, 30), 1),
        },
        evidence: evidence(prng, 1, 1),
        text: `${source.id}: ground-coupled impulse, local magnitude ${magnitude}, ${prng.pick(['single', 'double', 'multiple'])} arrival; consistent with a surface detonation within ${prng.int(2, 8)} km.`,
        batchId: `gw-${source.id}-${iso(t).slice(0, 13)}`,
      };
    }
    case 'radar': {
      const track = prng.pick(['origin', 'impact', 'origin-and-impact'] as const);
      const origin = near(ctx, source, 12);
      const impact = near(ctx, source, 12);
      const ellipse = () => {
        const major = round(prng.range(50, 600), 1);
        return {
          semiMajorM: major,
          semiMinorM: round(major * prng.range(0.2, 1), 1),
          orientationDeg: round(prng.range(0, 179.9), 1),
        };
      };
      const estimate = (q: { lat: number; lon: number }) => ({
        lat: round(q.lat, 5),
        lon: round(q.lon, 5),
        ellipse: ellipse(),
      });
      return {
        ...common,
        timeUncertaintyMs: prng.int(20, 500),
        location: loc(source.position!, 25),
        weaponClass: weapon,
        grading: grading(prng, ['A', 'B']),
        payload: {
          track,
          trackId: `${source.id}-trk-${prng.hex(8)}`,
          ...(track !== 'impact' ? { origin: estimate(origin) } : {}),
          ...(track !== 'origin' ? { impact: estimate(impact) } : {}),
          weaponClassGuess: weapon,
        },
        text: `${source.id}: ballistic track, ${track}, ${WEAPON_WORDS[weapon]!} (guess).`,
      };
    }
    case 'camera': {
      const objectType = prng.pick(OBJECTS);
      const bearing = round(prng.range(0, 359.9), 1);
      const rangeM = round(prng.range(200, 5000), 0);
      const count = prng.int(1, 12);
      return {
        ...common,
        timeUncertaintyMs: prng.int(1, 1000),
        location: loc(near(ctx, source, 2), prng.range(30, 400)),
        grading: grading(prng, ['A', 'B']),
        payload: { objectType, count, bearingDeg: bearing, rangeM },
        evidence: evidence(prng, 1, 2),
        text: `${source.id}: ${count} × ${objectType} at ${rangeM} m, bearing ${bearing}° (${compass(bearing)}); frames attached.`,
      };
    }
    case 'drone': {
      const status = prng.pick(['detection', 'track', 'lost', 'jammed'] as const);
      const objectType = prng.pick(OBJECTS);
      const flightId = `${source.id}-flt-${iso(t).slice(0, 10)}-${prng.int(1, 9)}`;
      return {
        ...common,
        timeUncertaintyMs: prng.int(1, 2000),
        location: loc(near(ctx, source, 8), prng.range(10, 200)),
        grading: grading(prng, ['A', 'B', 'C']),
        payload: { flightId, status, altitudeM: prng.int(80, 2500), objectType, count: prng.int(1, 20) },
        evidence: evidence(prng, 1, 3),
        text: `${flightId}: ${status}; ${objectType} observed near ${prng.pick(PLACES)}${status === 'jammed' ? '; GNSS jamming, position from inertial navigation' : ''}.`,
      };
    }
    case 'satellite': {
      const sensor = prng.pick(['optical', 'sar'] as const);
      const objectType = prng.pick(OBJECTS);
      return {
        ...common,
        timeUncertaintyMs: prng.int(100, 5000),
        location: loc(near(ctx, source, 30), prng.range(5, 50)),
        grading: grading(prng, ['A', 'B']),
        payload: {
          passId: `${source.id}-pass-${iso(t).slice(0, 13)}`,
          sensor,
          resolutionM: round(prng.range(0.3, 3), 2),
          objectType,
          count: prng.int(1, 40),
          ...(sensor === 'optical' ? { cloudCoverPct: prng.int(0, 80) } : {}),
        },
        evidence: evidence(prng, 1, 2),
        text: `${source.id} ${sensor} pass: ${objectType} near ${prng.pick(PLACES)} compared with the previous pass.`,
      };
    }
    case 'patrol': {
      const place = prng.pick(PLACES);
      const observer = near(ctx, source, 10);
      const report = prng.weighted({ fire: 6, sighting: 3, impediment: 1 });
      const patrolId = `${source.id}-${iso(t).slice(0, 10)}`;
      const base = { observer: loc(observer, prng.range(5, 50)), patrolId, place };
      const bearing = prng.int(0, 359);
      const minKm = prng.int(0, 8);
      if (report === 'fire') {
        const count = prng.int(1, 40);
        const mode = prng.pick(MODES);
        const eventType = prng.pick(FIRE_TYPES);
        const direction = prng.pick(DIRECTIONS);
        return {
          ...common,
          timeUncertaintyMs: prng.int(30_000, 600_000),
          grading: grading(prng, ['A', 'B']),
          payload: {
            ...base,
            report,
            mode,
            eventType,
            direction,
            distanceBand: { minKm, maxKm: minKm + prng.int(1, 5) },
            bearingDeg: bearing,
            count,
          },
          text: `Positioned in ${place}, the patrol ${mode.replaceAll('-', ' ')} ${count} ${direction} ${eventType.replaceAll('-', ' ')}(s) ${minKm}–${minKm + 3} km ${compass(bearing)}.`,
        };
      }
      if (report === 'sighting') {
        const objectType = prng.pick(OBJECTS);
        const count = prng.int(1, 15);
        return {
          ...common,
          timeUncertaintyMs: prng.int(30_000, 600_000),
          location: loc(offsetPoint(observer, prng.normal() * 2, prng.normal() * 2), prng.range(100, 2000)),
          grading: grading(prng, ['A', 'B']),
          payload: {
            ...base,
            report,
            objectType,
            count,
            distanceBand: { minKm, maxKm: minKm + prng.int(1, 5) },
            bearingDeg: bearing,
          },
          evidence: evidence(prng, 0, 2),
          text: `Near ${place} the patrol saw ${count} ${objectType}(s) ${compass(bearing)}, outside designated storage sites.`,
        };
      }
      const impediment = prng.pick(IMPEDIMENTS);
      return {
        ...common,
        timeUncertaintyMs: prng.int(60_000, 900_000),
        grading: grading(prng, ['A']),
        payload: { ...base, report, impediment, delayMinutes: prng.int(0, 240) },
        text: `At a checkpoint near ${place} the patrol was ${impediment.replaceAll('-', ' ')}; armed personnel cited orders from their command.`,
      };
    }
    case 'complaint': {
      const accused = source.id === 'party-ua' ? 'party-ru' : 'party-ua';
      const allegation = prng.pick(ALLEGATIONS);
      const place = prng.pick(PLACES);
      return {
        ...common,
        timeUncertaintyMs: prng.int(300_000, 7_200_000),
        location: loc(frontPoint(prng.range(0, FRONT_LENGTH_KM), prng.normal() * 8), prng.range(500, 5000)),
        grading: grading(prng, ['D', 'E', 'F']),
        payload: {
          complainant: source.id,
          accused,
          allegation,
          summary: `${allegation.replaceAll('-', ' ')} reported in and around ${place}; ${prng.int(0, 6)} civilians reported injured.`,
        },
        evidence: evidence(prng, 0, 3),
      };
    }
    case 'osint': {
      const place = prng.pick(PLACES);
      const externalId = `${prng.int(100000, 999999)}`;
      return {
        ...common,
        timeUncertaintyMs: prng.int(600_000, 43_200_000),
        location: loc(near(ctx, source, 15), prng.range(1000, 25000)),
        grading: grading(prng, ['C', 'D', 'F']),
        payload: {
          origin: prng.pick(['media', 'social', 'acled', 'other'] as const),
          externalId,
          url: `https://news.example.org/${iso(t).slice(0, 10)}/${place.toLowerCase().replaceAll(' ', '-')}-${externalId}`,
          headline: `Shelling reported near ${place}, ${prng.int(0, 9)} houses damaged`,
          adm1: prng.pick(['Kharkiv', 'Donetsk', 'Luhansk', 'Zaporizhzhia', 'Kherson']),
        },
      };
    }
    case 'heartbeat': {
      const state = prng.weighted({ up: 94, degraded: 4, down: 2 });
      return {
        ...common,
        timeUncertaintyMs: prng.int(1, 50),
        location: loc(source.position!, 5),
        payload: {
          state,
          batteryPct: prng.int(5, 100),
          ...(state !== 'up'
            ? { note: state === 'down' ? 'no signal from the array after self-test' : 'one channel noisy' }
            : {}),
        },
        batchId: `gw-${source.id}-${iso(t).slice(0, 13)}`,
      };
    }
  }
}

const INVALID_SORTS = [
  'not-json',
  'latitude-out-of-range',
  'unknown-enum',
  'missing-field',
  'unknown-source',
  'kind-not-of-source',
  'unknown-field',
  'far-future',
  'time-without-zone',
  'radar-without-origin',
] as const;
type InvalidSort = (typeof INVALID_SORTS)[number];

/** An invalid line of the given sort, from a fresh valid record. */
function makeInvalid(ctx: Ctx, sort: InvalidSort, t: number): string {
  const { prng } = ctx;
  switch (sort) {
    case 'not-json': {
      const line = JSON.stringify(makeRecord(ctx, 'acoustic', t));
      return line.slice(0, prng.int(20, line.length - 10));
    }
    case 'latitude-out-of-range': {
      const r = makeRecord(ctx, 'camera', t) as { location: { lat: number } };
      r.location.lat = 123.4;
      return JSON.stringify(r);
    }
    case 'unknown-enum': {
      const r = makeRecord(ctx, 'acoustic', t) as { payload: { signal: string } };
      r.payload.signal = 'boom';
      return JSON.stringify(r);
    }
    case 'missing-field': {
      const { observedAt: _observedAt, ...r } = makeRecord(ctx, 'seismic', t);
      return JSON.stringify(r);
    }
    case 'unknown-source':
      return JSON.stringify({ ...makeRecord(ctx, 'drone', t), sourceId: 'uav-999' });
    case 'kind-not-of-source': {
      // A well-formed seismic record claimed by an acoustic sensor.
      const r = makeRecord(ctx, 'seismic', t);
      return JSON.stringify({ ...r, sourceId: prng.pick(ctx.byKind.get('acoustic')!).id });
    }
    case 'unknown-field':
      return JSON.stringify({ ...makeRecord(ctx, 'osint', t), confidence: 0.7 });
    case 'far-future':
      return JSON.stringify({ ...makeRecord(ctx, 'camera', t), observedAt: '2099-06-01T00:00:00Z' });
    case 'time-without-zone':
      return JSON.stringify({ ...makeRecord(ctx, 'acoustic', t), observedAt: iso(t).slice(0, 19) });
    case 'radar-without-origin': {
      const r = makeRecord(ctx, 'radar', t) as { payload: Record<string, unknown> };
      r.payload.track = 'origin-and-impact';
      delete r.payload.origin;
      return JSON.stringify(r);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The file

type Category = 'original' | 'repeat' | 'conflict' | 'invalid';
const BLOCK = 1000;
const PER_BLOCK: readonly [Category, number][] = [
  ['repeat', 10],
  ['conflict', 1],
  ['invalid', 5],
];
/** How far back a repeat may reach (lines): some repeats fall in the same batch, most in an earlier one. */
const REPEAT_HORIZON = 50_000;

function blockCategories(prng: Prng): Category[] {
  const categories: Category[] = [];
  for (const [category, n] of PER_BLOCK) for (let i = 0; i < n; i += 1) categories.push(category);
  while (categories.length < BLOCK) categories.push('original');
  for (let i = categories.length - 1; i > 0; i -= 1) {
    const j = Math.floor(prng.next() * (i + 1));
    [categories[i], categories[j]] = [categories[j]!, categories[i]!];
  }
  return categories;
}

/** Generates the files for `rows` lines (overwriting them) and returns the manifest. */
export function generate(rows: number, seed: number = DEFAULT_SEED): Manifest {
  const paths = dataPaths(rows);
  mkdirSync(DATA_DIR, { recursive: true });
  const sources = makeSources(new Prng(seed));
  const byKind = new Map<SourceKind, SourceDef[]>();
  for (const s of sources) byKind.set(s.kind, [...(byKind.get(s.kind) ?? []), s]);
  const prng = new Prng(seed ^ 0x5bd1e995);
  const ctx: Ctx = {
    prng,
    sources,
    byKind,
    fixed: sources.filter((s) => FIXED.includes(s.kind)),
    counters: new Map(),
  };

  // The last REPEAT_HORIZON originals: their line (for exact repeats) and record (for conflicts).
  const ringLines: string[] = [];
  const ringRecords: Record<string, unknown>[] = [];
  let ringNext = 0;

  const lines = { original: 0, exactRepeats: 0, conflictingRepeats: 0, invalid: 0 };
  const originalByKind: Record<string, number> = {};
  const invalidBySort: Record<string, number> = {};
  let bytes = 0;
  const tmp = `${paths.observationsFile}.tmp`;
  const fd = openSync(tmp, 'w');
  let chunk: string[] = [];
  const flush = (): void => {
    if (chunk.length === 0) return;
    writeSync(fd, chunk.join(''));
    chunk = [];
  };
  let categories: Category[] = [];
  for (let i = 0; i < rows; i += 1) {
    if (i % BLOCK === 0) categories = blockCategories(prng);
    let category = categories[i % BLOCK]!;
    if (category !== 'original' && category !== 'invalid' && ringLines.length === 0) category = 'original';
    // File order is roughly time order; sensors deliver up to a few minutes late.
    const t = Math.round(TIME_FROM + (TIME_SPAN_MS * (i + 0.5)) / rows - prng.exponential(60_000));
    let line: string;
    if (category === 'original') {
      const kind = prng.weighted(KIND_WEIGHTS);
      const record = makeRecord(ctx, kind, t);
      line = JSON.stringify(record);
      if (ringLines.length < REPEAT_HORIZON) {
        ringLines.push(line);
        ringRecords.push(record);
      } else {
        ringLines[ringNext] = line;
        ringRecords[ringNext] = record;
        ringNext = (ringNext + 1) % REPEAT_HORIZON;
      }
      lines.original += 1;
      originalByKind[kind] = (originalByKind[kind] ?? 0) + 1;
    } else if (category === 'repeat') {
      line = ringLines[Math.floor(prng.next() * ringLines.length)]!;
      lines.exactRepeats += 1;
    } else if (category === 'conflict') {
      // The same source and id, with content that differs: a corrected uncertainty and a note.
      const earlier = ringRecords[Math.floor(prng.next() * ringRecords.length)]!;
      line = JSON.stringify({
        ...earlier,
        timeUncertaintyMs: (earlier.timeUncertaintyMs as number) + 1000,
        text: 'resent after clock correction',
      });
      lines.conflictingRepeats += 1;
    } else {
      const sort = prng.pick(INVALID_SORTS);
      line = makeInvalid(ctx, sort, t);
      lines.invalid += 1;
      invalidBySort[sort] = (invalidBySort[sort] ?? 0) + 1;
    }
    line += '\n';
    bytes += Buffer.byteLength(line);
    chunk.push(line);
    if (chunk.length >= 4096) flush();
  }
  flush();
  closeSync(fd);
  renameSync(tmp, paths.observationsFile);
  writeFileSync(paths.sourcesFile, `${JSON.stringify(registrations(sources), null, 1)}\n`);

  const manifest: Manifest = {
    generator: generatorVersion(),
    rows,
    seed,
    bytes,
    meanLineBytes: Math.round((bytes / rows) * 10) / 10,
    sources: sources.length,
    lines,
    originalByKind,
    invalidBySort,
    expected: {
      accepted: lines.original,
      duplicates: lines.exactRepeats,
      conflicts: lines.conflictingRepeats,
      rejected: lines.invalid,
    },
  };
  writeFileSync(paths.manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** The manifest of up-to-date data for `rows` lines and this seed, or undefined. */
export function currentManifest(rows: number, seed: number = DEFAULT_SEED): Manifest | undefined {
  try {
    const manifest = JSON.parse(readFileSync(dataPaths(rows).manifestFile, 'utf8')) as Manifest;
    if (manifest.generator === generatorVersion() && manifest.rows === rows && manifest.seed === seed) {
      readFileSync(dataPaths(rows).sourcesFile);
      return manifest;
    }
  } catch {
    // missing or unreadable: regenerate
  }
  return undefined;
}

/** Generates the data unless it is there and up to date; returns the paths and manifest. */
export function ensureData(
  rows: number,
  seed: number = DEFAULT_SEED,
): GeneratedData & { manifest: Manifest } {
  let manifest = currentManifest(rows, seed);
  if (manifest === undefined) {
    const started = performance.now();
    process.stderr.write(`generating ${rows.toLocaleString('en')} observations (seed ${seed})… `);
    manifest = generate(rows, seed);
    process.stderr.write(`${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
  return { ...dataPaths(rows), manifest };
}

// Run as a script from its source; never from a compiled bundle that holds this module.
if (import.meta.url.endsWith('.ts') && process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(name);
    return i === -1 ? undefined : process.argv[i + 1];
  };
  const rows = Number(arg('--rows') ?? DEFAULT_ROWS);
  const seed = Number(arg('--seed') ?? DEFAULT_SEED);
  if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(seed)) {
    process.stderr.write('usage: generate-observations.ts [--rows N] [--seed S]\n');
    process.exit(2);
  }
  const manifest = generate(rows, seed);
  process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
}
