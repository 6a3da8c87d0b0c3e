// A small, exact fire scenario near the donbas-2015 line for fusion tests: launches at known points on
// a known side, heard by a ring of acoustic sensors at times computed from the physics (straight-line
// travel at a known speed, a few milliseconds of deterministic jitter), plus false alarms.
import { readFile } from 'node:fs/promises';
import { parseAgreement } from '../../src/core/agreement/parse-agreement.ts';
import { getTermsInForce } from '../../src/core/agreement/terms-in-force.ts';
import { sideOf } from '../../src/core/agreement/side-of.ts';
import type { Agreement } from '../../src/core/agreement/schema.ts';
import { LocalFrame } from '../../src/core/fusion/local-frame.ts';
import { SHIPPED_AGREEMENTS_DIR } from '../../src/cli/shipped-agreements.ts';

export const SCENARIO_START_MS = Date.parse('2019-06-01T10:00:00Z');
const SOUND_SPEED = 340;

export interface Launch {
  readonly lat: number;
  readonly lon: number;
  readonly timeMs: number;
  readonly party: string;
}

export interface Scenario {
  readonly agreementText: string;
  readonly agreement: Agreement;
  readonly sources: {
    id: string;
    kind: 'acoustic';
    organisation: string;
    position: { lat: number; lon: number };
  }[];
  readonly launches: Launch[];
  /** Observation records (the ingest format), in time order. */
  readonly records: Record<string, unknown>[];
}

/** A deterministic jitter in [-1, 1) for an integer key. */
const jitter = (key: number): number => ((((Math.sin(key * 12.9898) * 43758.5453) % 1) + 1) % 1) * 2 - 1;

/** The point `km` kilometres from Donetsk towards Kramatorsk (Donetsk is ru-af's side, Kramatorsk ua's). */
function alongDonetskKramatorsk(km: number): { lat: number; lon: number } {
  const frame = new LocalFrame(48.0159, 37.8028);
  const to = frame.toLocal(48.7232, 37.5563);
  const length = Math.hypot(to.east, to.north);
  return frame.toGeo((to.east / length) * km * 1000, (to.north / length) * km * 1000);
}

/**
 * `count` launches, 10 minutes apart, alternating between a point well inside ua's side and one well
 * inside ru-af's, each heard by the eight sensors of a ring of radius 6–14 km around the middle of
 * the stretch; `falseAlarms` extra arrivals at random-looking times.
 */
export async function fireScenario(count: number, falseAlarms = 3): Promise<Scenario> {
  const agreementText = await readFile(`${SHIPPED_AGREEMENTS_DIR}/donbas-2015.yaml`, 'utf8');
  const { agreement } = parseAgreement(agreementText, 'yaml');
  if (agreement === undefined) throw new Error('donbas-2015 does not parse');
  const terms = getTermsInForce(agreement, SCENARIO_START_MS);
  // Where the line crosses the Donetsk–Kramatorsk road, and points either side of it.
  let crossingKm = 0;
  for (let km = 0; km < 80; km += 0.5)
    if (sideOf(terms, alongDonetskKramatorsk(km).lat, alongDonetskKramatorsk(km).lon) === 'ua') {
      crossingKm = km;
      break;
    }
  const centre = alongDonetskKramatorsk(crossingKm);
  const frame = new LocalFrame(centre.lat, centre.lon);
  const sources = Array.from({ length: 8 }, (_, i) => {
    const angle = (i / 8) * 2 * Math.PI;
    const radius = 6_000 + (i % 3) * 4_000;
    const p = frame.toGeo(radius * Math.sin(angle), radius * Math.cos(angle));
    return { id: `ac-${i + 1}`, kind: 'acoustic' as const, organisation: 'mission', position: p };
  });
  const launches: Launch[] = [];
  for (let k = 0; k < count; k++) {
    const p = alongDonetskKramatorsk(crossingKm + (k % 2 === 0 ? 9 : -9) + (k % 5) * 0.3);
    const party = sideOf(terms, p.lat, p.lon);
    if (party === null) throw new Error('a scenario launch is on nobody’s side');
    launches.push({ ...p, timeMs: SCENARIO_START_MS + k * 600_000, party });
  }
  const records: Record<string, unknown>[] = [];
  const arrival = (sensor: (typeof sources)[number], timeMs: number, id: string, signal: string) => ({
    id,
    sourceId: sensor.id,
    kind: 'acoustic',
    observedAt: new Date(Math.round(timeMs)).toISOString(),
    timeUncertaintyMs: 10,
    location: { lat: sensor.position.lat, lon: sensor.position.lon, ceM: 5 },
    payload: { signal },
  });
  launches.forEach((launch, k) => {
    const at = frame.toLocal(launch.lat, launch.lon);
    sources.forEach((sensor, i) => {
      const s = frame.toLocal(sensor.position.lat, sensor.position.lon);
      const travelS = Math.hypot(at.east - s.east, at.north - s.north) / SOUND_SPEED;
      const noiseMs = 8 * jitter(k * 31 + i);
      records.push(arrival(sensor, launch.timeMs + travelS * 1000 + noiseMs, `l${k}-${i}`, 'launch'));
    });
  });
  for (let f = 0; f < falseAlarms; f++) {
    const sensor = sources[f % sources.length];
    if (sensor === undefined) continue;
    records.push(arrival(sensor, SCENARIO_START_MS + 250_000 + f * 700_000, `fa-${f}`, 'launch'));
  }
  records.sort((a, b) => String(a.observedAt).localeCompare(String(b.observedAt)));
  return { agreementText, agreement, sources, launches, records };
}

/** Records of one source, in the scenario's order: a batch that source can sign. */
export interface SourceRun {
  readonly sourceId: string;
  readonly records: Record<string, unknown>[];
}

/**
 * `records` cut, in order, into runs of consecutive records of one source. A signed batch holds only
 * its source's records; sent run after run, the records are committed in the order given.
 */
export function sourceRuns(records: readonly Record<string, unknown>[]): SourceRun[] {
  const runs: SourceRun[] = [];
  for (const record of records) {
    const sourceId = String(record.sourceId);
    const last = runs.at(-1);
    if (last?.sourceId === sourceId) last.records.push(record);
    else runs.push({ sourceId, records: [record] });
  }
  return runs;
}
