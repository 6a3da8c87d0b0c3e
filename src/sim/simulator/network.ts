/**
 * @module The monitoring network: where the fixed sensors stand (acoustic arrays, counter-battery
 * radars, cameras), the roving sources (monitoring drones, satellites, patrol teams, the parties'
 * complaint desks), their registrations, and when each fixed sensor is down.
 */
import { sideOf, type AreaGeometry, type Terms } from '../../core/agreement/index.ts';
import type { SourceRegistration } from '../../core/sources/source-schema.ts';
import {
  ACOUSTIC_DEPTH_KM,
  ACOUSTIC_BEARING_SIGMA_DEG,
  ACOUSTIC_DETECTION,
  ACOUSTIC_SPACING_KM,
  CAMERA_DEPTH_KM,
  CAMERA_FIELD_OF_VIEW_DEG,
  CAMERA_RANGE_KM,
  CAMERA_SPACING_KM,
  MONITOR_DRONES,
  OUTAGE_MINUTES,
  PATROL_SPACING_KM,
  RADAR_DEPTH_KM,
  RADAR_FRONT_SHARE,
  RADAR_RANGE_ERROR,
  RADAR_SETBACK_KM,
  RADAR_STRETCH_KM,
  SATELLITES,
  SENSOR_DOWN_SHARE,
} from './defaults.ts';
import { inverse, normAz, roundPoint, type LineFrame } from './geo.ts';
import type { Prng } from './prng.ts';
import type { TruthPoint } from './truth.ts';

/** The mission that runs the network: the organisation every monitoring source belongs to. */
export const MISSION_ORGANISATION = 'mission';

export interface Outage {
  readonly fromMs: number;
  readonly toMs: number;
}

/** A fixed sensor: where it stands, which side, and when it was down. */
export interface FixedSensor extends TruthPoint {
  readonly id: string;
  readonly kind: 'acoustic' | 'radar' | 'camera';
  /** The party whose side it stands on. */
  readonly side: string;
  readonly alongKm: number;
  readonly orientationDeg: number | null;
  /** Radars: the area whose launches they can track. */
  readonly coverage: AreaGeometry | null;
  outages: Outage[];
}

/** A patrol team: the side it works on and its stretch of the line. */
export interface PatrolTeam {
  readonly id: string;
  readonly side: string;
  readonly alongKm: number;
}

export interface Network {
  readonly acoustic: readonly FixedSensor[];
  readonly radars: readonly FixedSensor[];
  readonly cameras: readonly FixedSensor[];
  readonly drones: readonly string[];
  readonly patrols: readonly PatrolTeam[];
  /** Complaint desk source id of each party. */
  readonly complaintDesks: Readonly<Record<string, string>>;
  readonly registrations: readonly SourceRegistration[];
  /** Share of the line's length inside some radar's coverage. */
  readonly radarFrontShare: number;
}

/** The two parties of the line and the sign of the offset that lies on each one's side. */
export interface Sides {
  readonly parties: readonly [string, string];
  readonly sign: Readonly<Record<string, 1 | -1>>;
  readonly other: Readonly<Record<string, string>>;
}

/** Which party lies to the right of the line (positive offsets), by looking a few km off it. */
export function sidesOf(terms: Terms, frame: LineFrame): Sides {
  const votes = new Map<string, number>();
  for (let i = 1; i < 10; i++) {
    const probe = frame.point((frame.lengthKm * i) / 10, 5);
    const right = sideOf(terms, probe.lat, probe.lon);
    if (right !== null) votes.set(right, (votes.get(right) ?? 0) + 1);
  }
  const right = [...votes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const parties = terms.parties.map((p) => p.id);
  const left = parties.find((p) => p !== right);
  if (right === undefined || left === undefined || parties.length !== 2)
    throw new Error(
      'the simulator needs an agreement with two parties whose sides meet along a reference line',
    );
  return {
    parties: [left, right],
    sign: { [right]: 1, [left]: -1 },
    other: { [right]: left, [left]: right },
  };
}

/** A point `depthKm` behind the line on `party`'s side, or undefined when that point is not on its side. */
export function behindLine(
  terms: Terms,
  frame: LineFrame,
  sides: Sides,
  party: string,
  alongKm: number,
  depthKm: number,
): TruthPoint | undefined {
  const p = roundPoint(frame.point(alongKm, (sides.sign[party] ?? 1) * depthKm));
  return sideOf(terms, p.lat, p.lon) === party ? p : undefined;
}

/** Outages of one sensor over [startMs, endMs]: an alternating renewal process, stationary from the start. */
function outagesOf(prng: Prng, startMs: number, endMs: number): Outage[] {
  const { min, max } = OUTAGE_MINUTES;
  // Log-uniform outage lengths; their mean fixes the mean time up for the share of time down.
  const meanDownMin = (max - min) / Math.log(max / min);
  const meanUpMin = (meanDownMin * (1 - SENSOR_DOWN_SHARE)) / SENSOR_DOWN_SHARE;
  const downMs = (): number => min * Math.pow(max / min, prng.next()) * 60_000;
  const outages: Outage[] = [];
  let t = startMs;
  if (prng.chance(SENSOR_DOWN_SHARE)) {
    // Down at the start: the outage in progress is length-biased (uniform for log-uniform lengths).
    const length = prng.range(min, max) * 60_000;
    const left = Math.round(length * prng.next());
    outages.push({ fromMs: Math.round(startMs - (length - left)), toMs: startMs + left });
    t = startMs + left;
  }
  for (;;) {
    t += Math.round(prng.exponential(meanUpMin * 60_000));
    if (t >= endMs) break;
    const to = t + Math.round(downMs());
    outages.push({ fromMs: t, toMs: to });
    t = to;
  }
  return outages;
}

/** Whether the sensor was up at `timeMs`. */
export function isUp(sensor: FixedSensor, timeMs: number): boolean {
  for (const o of sensor.outages) if (timeMs >= o.fromMs && timeMs < o.toMs) return false;
  return true;
}

/** The radar's coverage: a polygon spanning its stretch of the line, `RADAR_DEPTH_KM` either side. */
function coverageOf(frame: LineFrame, fromKm: number, toKm: number): AreaGeometry {
  const steps = 6;
  const ring: [number, number][] = [];
  for (let i = 0; i <= steps; i++) {
    const p = roundPoint(frame.point(fromKm + ((toKm - fromKm) * i) / steps, RADAR_DEPTH_KM));
    ring.push([p.lon, p.lat]);
  }
  for (let i = steps; i >= 0; i--) {
    const p = roundPoint(frame.point(fromKm + ((toKm - fromKm) * i) / steps, -RADAR_DEPTH_KM));
    ring.push([p.lon, p.lat]);
  }
  const first = ring[0];
  if (first !== undefined) ring.push([first[0], first[1]]);
  return { type: 'Polygon', coordinates: [ring] };
}

/** Lays out the network along the line and draws every fixed sensor's outages. */
export function buildNetwork(
  terms: Terms,
  frame: LineFrame,
  sides: Sides,
  prng: Prng,
  startMs: number,
  endMs: number,
  /** Where the outages are drawn from (default: `prng`, after the places). */
  outagePrng: Prng = prng,
): Network {
  const acoustic: FixedSensor[] = [];
  const radars: FixedSensor[] = [];
  const cameras: FixedSensor[] = [];
  const registrations: SourceRegistration[] = [];
  const place = (
    kind: FixedSensor['kind'],
    id: string,
    party: string,
    alongKm: number,
    depth: { min: number; max: number },
    coverage: AreaGeometry | null = null,
  ): FixedSensor | undefined => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const at = behindLine(terms, frame, sides, party, alongKm, prng.range(depth.min, depth.max));
      if (at === undefined) continue;
      const onLine = frame.onLine(alongKm);
      const facing =
        kind === 'acoustic'
          ? null
          : Math.round(normAz(inverse(at.lat, at.lon, onLine.lat, onLine.lon).azDeg));
      return {
        ...at,
        id,
        kind,
        side: party,
        alongKm,
        orientationDeg: facing === 360 ? 0 : facing,
        coverage,
        outages: [],
      };
    }
    return undefined;
  };
  for (const party of sides.parties) {
    const n = Math.max(1, Math.round(frame.lengthKm / ACOUSTIC_SPACING_KM));
    for (let i = 0; i < n; i++) {
      const s = ((i + 0.5) / n) * frame.lengthKm;
      const sensor = place(
        'acoustic',
        `ac-${party}-${String(i + 1).padStart(2, '0')}`,
        party,
        s,
        ACOUSTIC_DEPTH_KM,
      );
      if (sensor !== undefined) acoustic.push(sensor);
    }
    const c = Math.max(1, Math.round(frame.lengthKm / CAMERA_SPACING_KM));
    for (let i = 0; i < c; i++) {
      const s = ((i + prng.range(0.2, 0.8)) / c) * frame.lengthKm;
      const sensor = place(
        'camera',
        `cam-${party}-${String(i + 1).padStart(2, '0')}`,
        party,
        s,
        CAMERA_DEPTH_KM,
      );
      if (sensor !== undefined) cameras.push(sensor);
    }
  }
  // Radars, evenly spaced, alternating sides, their stretches adding up to at most the front share.
  const radarCount = Math.floor((RADAR_FRONT_SHARE * frame.lengthKm) / RADAR_STRETCH_KM);
  for (let i = 0; i < radarCount; i++) {
    const s = ((i + 0.5) / radarCount) * frame.lengthKm;
    const party = sides.parties[i % 2] ?? sides.parties[0];
    const coverage = coverageOf(frame, s - RADAR_STRETCH_KM / 2, s + RADAR_STRETCH_KM / 2);
    const depth = { min: RADAR_SETBACK_KM, max: RADAR_SETBACK_KM + 2 };
    const sensor = place('radar', `rd-${String(i + 1).padStart(2, '0')}`, party, s, depth, coverage);
    if (sensor !== undefined) radars.push(sensor);
  }
  for (const sensor of [...acoustic, ...radars, ...cameras])
    sensor.outages = outagesOf(outagePrng, startMs, endMs);

  const position = (s: FixedSensor) => ({ lat: s.lat, lon: s.lon });
  for (const s of acoustic)
    registrations.push({
      id: s.id,
      kind: 'acoustic',
      organisation: MISSION_ORGANISATION,
      name: `Acoustic array ${s.id} (${s.side} side)`,
      position: position(s),
      capabilities: {
        microphones: 4,
        maxRangeKm: 40,
        detectionKm: ACOUSTIC_DETECTION,
        timingSigmaMs: 10,
        bearingSigmaDeg: ACOUSTIC_BEARING_SIGMA_DEG,
      },
    });
  for (const s of radars)
    registrations.push({
      id: s.id,
      kind: 'radar',
      organisation: MISSION_ORGANISATION,
      name: `Counter-battery radar ${s.id} (${s.side} side)`,
      position: position(s),
      orientationDeg: s.orientationDeg ?? 0,
      capabilities: { model: 'counter-battery', rangeErrorShare: RADAR_RANGE_ERROR, coverage: s.coverage },
    });
  for (const s of cameras)
    registrations.push({
      id: s.id,
      kind: 'camera',
      organisation: MISSION_ORGANISATION,
      name: `Long-range camera ${s.id} (${s.side} side)`,
      position: position(s),
      orientationDeg: s.orientationDeg ?? 0,
      capabilities: { rangeKm: CAMERA_RANGE_KM, fieldOfViewDeg: CAMERA_FIELD_OF_VIEW_DEG, thermal: true },
    });
  const drones = Array.from({ length: MONITOR_DRONES }, (_, i) => `uav-${String(i + 1).padStart(2, '0')}`);
  for (const id of drones)
    registrations.push({
      id,
      kind: 'drone',
      organisation: MISSION_ORGANISATION,
      name: `Monitoring drone ${id}`,
      capabilities: { sightKm: 3, enduranceMinutes: 180 },
    });
  for (const sat of SATELLITES)
    registrations.push({
      id: sat.id,
      kind: 'satellite',
      organisation: MISSION_ORGANISATION,
      name: `Satellite ${sat.id}`,
      capabilities: { sensor: sat.sensor, revisitHours: sat.revisitHours, resolutionM: sat.resolutionM },
    });
  const patrols: PatrolTeam[] = [];
  for (const party of sides.parties) {
    const n = Math.max(1, Math.round(frame.lengthKm / PATROL_SPACING_KM));
    for (let i = 0; i < n; i++) {
      const id = `ptl-${party}-${String(i + 1).padStart(2, '0')}`;
      patrols.push({ id, side: party, alongKm: ((i + 0.5) / n) * frame.lengthKm });
      registrations.push({
        id,
        kind: 'patrol',
        organisation: MISSION_ORGANISATION,
        name: `Patrol team ${id}`,
      });
    }
  }
  const complaintDesks: Record<string, string> = {};
  for (const party of sides.parties) {
    const id = `complaints-${party}`;
    complaintDesks[party] = id;
    registrations.push({ id, kind: 'complaint', organisation: party, name: `Complaints of ${party}` });
  }
  // Share of the line inside some radar's coverage, by sampling every 0.5 km.
  let covered = 0;
  let samples = 0;
  for (let s = 0.25; s < frame.lengthKm; s += 0.5) {
    samples++;
    if (radars.some((r) => Math.abs(r.alongKm - s) <= RADAR_STRETCH_KM / 2)) covered++;
  }
  return {
    acoustic,
    radars,
    cameras,
    drones,
    patrols,
    complaintDesks,
    registrations,
    radarFrontShare: samples === 0 ? 0 : Math.round((covered / samples) * 1e4) / 1e4,
  };
}
