/**
 * @module What the network makes of the world: acoustic arrivals (with false alarms), radar tracks,
 * camera, drone and satellite sightings, patrol reports and impediments, the parties' complaints and
 * every fixed sensor's heartbeats — as observation lines — and the truth records that say which
 * observation came from what.
 */
import { containsPoint, sideOf, type Terms } from '../../core/agreement/index.ts';
import {
  ARRIVAL_SIGMA_S,
  LEVEL_SIGMA_DB,
  MAX_WIND_MS,
  NOMINAL_SOUND_SPEED_MS,
  SOUND_SPEED_SPREAD,
  spreadingLossDb,
} from '../../core/fusion/propagation.ts';
import {
  ACOUSTIC_BEARING_SIGMA_DEG,
  ACOUSTIC_DETECTION,
  ACOUSTIC_MAX_RANGE_KM,
  ACOUSTIC_MISCLASSIFICATION,
  ACOUSTIC_POSITION_CE_M,
  ACOUSTIC_UNKNOWN,
  CAMERA_FIELD_OF_VIEW_DEG,
  CAMERA_RANGE_KM,
  CAMERA_REPORT_INTERVAL_MS,
  COMPLAINTS_PER_PARTY_DAY,
  DELIVERY_DELAY_MS,
  FALSE_ALARMS_PER_SENSOR_HOUR,
  FALSE_COMPLAINT_SHARE,
  HEARTBEAT_INTERVAL_MS,
  MONITOR_FLIGHT_MINUTES,
  MONITOR_FLIGHTS_PER_DAY,
  MONITOR_JAMMED_SHARE,
  MONITOR_SIGHT_KM,
  MONITOR_TRACK_INTERVAL_MS,
  PATROL_BEARING_SIGMA_DEG,
  PATROL_HEARING_KM,
  PATROL_HOURS,
  PATROL_IMPEDIMENT_PER_DAY,
  PATROL_SEEING_KM,
  PATROL_SIGHT_KM,
  PATROL_SIGHTING,
  RADAR_CLASS_RIGHT,
  RADAR_CROSS_ERROR,
  RADAR_DETECTION,
  RADAR_RANGE_ERROR,
  SATELLITE_DETECTION,
  SATELLITES,
} from './defaults.ts';
import { destination, inverse, normAz, roughKm, roundDeg, roundPoint, type LineFrame } from './geo.ts';
import { behindLine, isUp, type FixedSensor, type Network, type Sides } from './network.ts';
import type { Prng } from './prng.ts';
import type {
  ArrivalTruth,
  ComplaintTruth,
  FalseAlarmTruth,
  ImpedimentTruth,
  Intensity,
  MonitorFlightTruth,
  RoundTruth,
  SensorOutageTruth,
  TruthPoint,
  WeaponType,
} from './truth.ts';
import { conductFor, signedDistanceKm, type Round, type World } from './world.ts';

/** One observation line and when the network delivers it. */
export interface Line {
  readonly deliverMs: number;
  readonly id: string;
  readonly json: string;
}

export interface SensingContext {
  readonly terms: Terms;
  readonly frame: LineFrame;
  readonly sides: Sides;
  readonly intensity: Intensity;
  readonly startMs: number;
  readonly endMs: number;
  readonly weaponClasses: Readonly<Record<WeaponType, string | null>>;
}

type Delivery = keyof typeof DELIVERY_DELAY_MS;

/** Builds observation lines, numbering each source's records. */
class Emitter {
  readonly lines: Line[] = [];
  readonly #counters = new Map<string, number>();
  readonly #prng: Prng;
  /** The run's start, in every record id: runs of different periods can go into one store. */
  readonly #runTag: string;

  constructor(prng: Prng, startMs: number) {
    this.#prng = prng;
    this.#runTag = new Date(startMs).toISOString().slice(0, 16).replace(/[-:]/g, '');
  }

  /** Writes one observation; returns its id. Fields after `timeUncertaintyMs` come in `rest`'s order. */
  emit(
    kind: Delivery,
    sourceId: string,
    observedAtMs: number,
    timeUncertaintyMs: number,
    rest: Record<string, unknown>,
  ): string {
    const n = (this.#counters.get(sourceId) ?? 0) + 1;
    this.#counters.set(sourceId, n);
    const id = `${sourceId}-${this.#runTag}-${String(n).padStart(6, '0')}`;
    const at = Math.round(observedAtMs);
    const record = { id, sourceId, kind, observedAt: new Date(at).toISOString(), timeUncertaintyMs, ...rest };
    const delay = DELIVERY_DELAY_MS[kind];
    this.lines.push({
      deliverMs: at + Math.round(this.#prng.range(delay.min, delay.max)),
      id,
      json: JSON.stringify(record),
    });
    return id;
  }
}

const position = (p: TruthPoint, ceM: number) => ({ lat: roundDeg(p.lat), lon: roundDeg(p.lon), ceM });

/** Logistic detection probability through 0.9 at p90Km and 0.5 at p50Km. */
function detectionProbability(type: WeaponType, km: number): number {
  const { p90Km, p50Km } = ACOUSTIC_DETECTION[type];
  const scale = (p50Km - p90Km) / Math.log(9);
  return 1 / (1 + Math.exp((km - p50Km) / scale));
}

/** A point displaced by a Gaussian error: `alongM` σ along azimuth `azDeg`, `acrossM` σ across. */
function jitter(prng: Prng, p: TruthPoint, azDeg: number, alongM: number, acrossM: number): TruthPoint {
  const a = prng.normal() * alongM;
  const c = prng.normal() * acrossM;
  const az = azDeg + (Math.atan2(c, a) * 180) / Math.PI;
  return destination(p.lat, p.lon, az, Math.hypot(a, c));
}

const ellipse = (rangeM: number, azDeg: number) => ({
  semiMajorM: Math.max(5, Math.round(rangeM * RADAR_RANGE_ERROR * 10) / 10),
  semiMinorM: Math.max(2.5, Math.round(rangeM * RADAR_CROSS_ERROR * 10) / 10),
  orientationDeg: (Math.round((normAz(azDeg) % 180) * 10) / 10) % 180,
});

export interface Sensed {
  readonly lines: Line[];
  readonly rounds: RoundTruth[];
  readonly falseAlarms: FalseAlarmTruth[];
  readonly outages: SensorOutageTruth[];
  readonly impediments: ImpedimentTruth[];
  readonly complaints: ComplaintTruth[];
  readonly monitorFlights: MonitorFlightTruth[];
}

/** Senses the world with the network. Each kind of sensing draws from its own stream. */
export function sense(
  ctx: SensingContext,
  network: Network,
  world: World,
  streams: Record<'acoustic' | 'radar' | 'delivery' | 'optical' | 'patrol' | 'complaint', Prng>,
): Sensed {
  const { terms, startMs, endMs } = ctx;
  const out = new Emitter(streams.delivery, startMs);
  const acousticPrng = streams.acoustic;

  // Acoustic arrivals and radar tracks of every round.
  const timingSigmaMs = ARRIVAL_SIGMA_S * 1000;
  const hear = (
    round: Round,
    end: 'launch' | 'impact',
    c: number,
    we: number,
    wn: number,
  ): ArrivalTruth[] => {
    const at = round[end];
    const arrivals: ArrivalTruth[] = [];
    for (const sensor of network.acoustic) {
      if (roughKm(at.lat, at.lon, sensor.lat, sensor.lon) > ACOUSTIC_MAX_RANGE_KM * 1.05) continue;
      const { m, azDeg, arrivalAzDeg } = inverse(at.lat, at.lon, sensor.lat, sensor.lon);
      const az = (azDeg * Math.PI) / 180;
      const speed = c + we * Math.sin(az) + wn * Math.cos(az);
      const trueArrivalMs = at.timeMs + (m / speed) * 1000;
      const noise = acousticPrng.normal() * timingSigmaMs;
      if (!acousticPrng.chance(detectionProbability(round.weaponType, m / 1000))) continue;
      if (!isUp(sensor, trueArrivalMs)) continue;
      const u = acousticPrng.next();
      const signal =
        u < ACOUSTIC_UNKNOWN
          ? 'unknown'
          : u < ACOUSTIC_UNKNOWN + ACOUSTIC_MISCLASSIFICATION
            ? end === 'launch'
              ? 'impact'
              : 'launch'
            : end;
      const snrDb = Math.round((45 - spreadingLossDb(m) + acousticPrng.normal() * LEVEL_SIGMA_DB) * 10) / 10;
      const bearing =
        directionOfArrivalDeg(arrivalAzDeg, c, we, wn) + acousticPrng.normal() * ACOUSTIC_BEARING_SIGMA_DEG;
      const recordId = out.emit('acoustic', sensor.id, trueArrivalMs + noise, timingSigmaMs, {
        location: position(sensor, ACOUSTIC_POSITION_CE_M),
        payload: {
          signal,
          snrDb: Math.min(200, Math.max(-50, snrDb)),
          bearingDeg: roundBearing(bearing),
          bearingSigmaDeg: ACOUSTIC_BEARING_SIGMA_DEG,
        },
      });
      arrivals.push({
        sourceId: sensor.id,
        recordId,
        trueArrivalMs: Math.round(trueArrivalMs * 1000) / 1000,
        signal,
      });
    }
    return arrivals;
  };
  const classIds = Object.values(ctx.weaponClasses).filter((c): c is string => c !== null);
  const rounds: RoundTruth[] = world.rounds.map((round) => {
    const c = NOMINAL_SOUND_SPEED_MS * (1 + acousticPrng.range(-SOUND_SPEED_SPREAD, SOUND_SPEED_SPREAD));
    const windSpeed = acousticPrng.range(0, MAX_WIND_MS);
    const windAz = acousticPrng.range(0, 2 * Math.PI);
    const we = windSpeed * Math.sin(windAz);
    const wn = windSpeed * Math.cos(windAz);
    const launchArrivals = hear(round, 'launch', c, we, wn);
    const impactArrivals = hear(round, 'impact', c, we, wn);
    let radar: RoundTruth['radar'] = null;
    const covering = network.radars.find(
      (r) =>
        r.coverage !== null &&
        roughKm(r.lat, r.lon, round.launch.lat, round.launch.lon) < 80 &&
        isUp(r, round.launch.timeMs) &&
        containsLaunch(r, round),
    );
    if (covering !== undefined && streams.radar.chance(RADAR_DETECTION)) {
      const toOrigin = inverse(covering.lat, covering.lon, round.launch.lat, round.launch.lon);
      const toImpact = inverse(covering.lat, covering.lon, round.impact.lat, round.impact.lon);
      const origin = jitter(
        streams.radar,
        round.launch,
        toOrigin.azDeg,
        toOrigin.m * RADAR_RANGE_ERROR,
        toOrigin.m * RADAR_CROSS_ERROR,
      );
      const impact = jitter(
        streams.radar,
        round.impact,
        toImpact.azDeg,
        toImpact.m * RADAR_RANGE_ERROR,
        toImpact.m * RADAR_CROSS_ERROR,
      );
      const trueClass = ctx.weaponClasses[round.weaponType];
      const guess =
        trueClass !== null && streams.radar.chance(RADAR_CLASS_RIGHT)
          ? trueClass
          : classIds.length > 0
            ? streams.radar.pick(classIds)
            : null;
      const payload: Record<string, unknown> = {
        track: 'origin-and-impact',
        trackId: `${covering.id}-${round.id}`,
        origin: { ...roundPoint(origin), ellipse: ellipse(toOrigin.m, toOrigin.azDeg) },
        impact: { ...roundPoint(impact), ellipse: ellipse(toImpact.m, toImpact.azDeg) },
      };
      if (guess !== null) payload.weaponClassGuess = guess;
      const recordId = out.emit(
        'radar',
        covering.id,
        round.launch.timeMs + streams.radar.normal() * 200,
        500,
        {
          location: position(covering, 10),
          payload,
        },
      );
      radar = { sourceId: covering.id, recordId };
    }
    const end = (which: 'launch' | 'impact', arrivals: ArrivalTruth[]) => {
      const p = round[which];
      return {
        lat: p.lat,
        lon: p.lon,
        timeMs: p.timeMs,
        distanceToLineKm: Math.round(signedDistanceKm(terms, round.party, p) * 1000) / 1000,
        side: sideOf(terms, p.lat, p.lon),
        detectedBy: arrivals.map((a) => a.sourceId),
        arrivals,
      };
    };
    return {
      type: 'round',
      id: round.id,
      missionId: round.missionId,
      party: round.party,
      weaponType: round.weaponType,
      weaponClass: ctx.weaponClasses[round.weaponType],
      conduct: conductFor(terms, 'explosion', null),
      escalationId: round.escalationId,
      launch: end('launch', launchArrivals),
      impact: end('impact', impactArrivals),
      soundSpeedMs: Math.round(c * 1e6) / 1e6,
      windEastMs: Math.round(we * 1e6) / 1e6,
      windNorthMs: Math.round(wn * 1e6) / 1e6,
      timingSigmaMs,
      radar,
    };
  });

  // False alarms: a Poisson stream per array while it is up.
  const falseAlarms: FalseAlarmTruth[] = [];
  for (const sensor of network.acoustic) {
    let t = startMs;
    for (;;) {
      t += acousticPrng.exponential(3_600_000 / FALSE_ALARMS_PER_SENSOR_HOUR);
      if (t >= endMs) break;
      if (!isUp(sensor, t)) continue;
      const signal = acousticPrng.pick(['launch', 'impact', 'impulse', 'unknown'] as const);
      const recordId = out.emit('acoustic', sensor.id, t, timingSigmaMs, {
        location: position(sensor, ACOUSTIC_POSITION_CE_M),
        payload: {
          signal,
          snrDb: Math.round(acousticPrng.range(3, 15) * 10) / 10,
          bearingDeg: roundBearing(acousticPrng.range(0, 360)),
          bearingSigmaDeg: ACOUSTIC_BEARING_SIGMA_DEG,
        },
      });
      falseAlarms.push({ type: 'false-alarm', sourceId: sensor.id, recordId, timeMs: Math.round(t) });
    }
  }

  // Heartbeats and outages of every fixed sensor.
  const outages: SensorOutageTruth[] = [];
  for (const sensor of [...network.acoustic, ...network.radars, ...network.cameras]) {
    for (const o of sensor.outages)
      outages.push({ type: 'sensor-outage', sourceId: sensor.id, fromMs: o.fromMs, toMs: o.toMs });
    const beat = (t: number, state: 'up' | 'down') =>
      out.emit('heartbeat', sensor.id, t, 0, { location: position(sensor, 5), payload: { state } });
    beat(startMs, isUp(sensor, startMs) ? 'up' : 'down');
    const changes = sensor.outages.flatMap((o) => [
      { t: o.fromMs, state: 'down' as const },
      { t: o.toMs, state: 'up' as const },
    ]);
    for (const change of changes) if (change.t > startMs && change.t < endMs) beat(change.t, change.state);
    for (let t = startMs + HEARTBEAT_INTERVAL_MS; t < endMs; t += HEARTBEAT_INTERVAL_MS)
      if (isUp(sensor, t)) beat(t, 'up');
  }

  senseSightings(ctx, network, world, out, streams.optical);
  const impediments: ImpedimentTruth[] = [];
  const monitorFlights = monitorDrones(ctx, network, world, out, streams.optical, impediments);
  patrols(ctx, network, world, out, streams.patrol, impediments);
  const complaints = complain(ctx, network, world, out, streams.complaint);
  return { lines: out.lines, rounds, falseAlarms, outages, impediments, complaints, monitorFlights };
}

function containsLaunch(radar: FixedSensor, round: Round): boolean {
  return radar.coverage !== null && containsPoint(radar.coverage, round.launch.lat, round.launch.lon);
}

/** Things that stand still long enough to be seen: weapons and troops. */
interface Sightable extends TruthPoint {
  readonly fromMs: number;
  readonly toMs: number;
  readonly observedBy: string[];
  readonly count: number;
  readonly objectType: 'weapon' | 'troops';
  readonly weaponClass: string | null;
}

function sightables(world: World): Sightable[] {
  return [
    ...world.placements.map((p) => ({
      ...p,
      observedBy: p.observedBy as string[],
      objectType: 'weapon' as const,
      weaponClass: p.weaponClass,
    })),
    ...world.troops.map((t) => ({
      ...t,
      observedBy: t.observedBy as string[],
      objectType: 'troops' as const,
      weaponClass: null,
    })),
  ];
}

/** Cameras and satellites. */
function senseSightings(ctx: SensingContext, network: Network, world: World, out: Emitter, prng: Prng): void {
  const things = sightables(world);
  const inView = (camera: FixedSensor, p: TruthPoint): { m: number; azDeg: number } | undefined => {
    if (roughKm(camera.lat, camera.lon, p.lat, p.lon) > CAMERA_RANGE_KM * 1.1) return undefined;
    const r = inverse(camera.lat, camera.lon, p.lat, p.lon);
    const off = Math.abs(((normAz(r.azDeg) - (camera.orientationDeg ?? 0) + 540) % 360) - 180);
    return r.m <= CAMERA_RANGE_KM * 1000 && off <= CAMERA_FIELD_OF_VIEW_DEG / 2 ? r : undefined;
  };
  for (const camera of network.cameras) {
    for (const thing of things) {
      const view = inView(camera, thing);
      if (view === undefined) continue;
      for (
        let t = Math.max(thing.fromMs, ctx.startMs);
        t < Math.min(thing.toMs, ctx.endMs);
        t += CAMERA_REPORT_INTERVAL_MS
      ) {
        if (!isUp(camera, t)) continue;
        const seen = jitter(prng, thing, view.azDeg, view.m * 0.03, view.m * 0.005);
        const rest: Record<string, unknown> = {
          location: position(seen, Math.max(10, Math.round(view.m * 0.03))),
          payload: {
            objectType: thing.objectType,
            count: thing.count,
            bearingDeg: (Math.round(normAz(view.azDeg) * 10) / 10) % 360,
            rangeM: Math.round(view.m),
          },
        };
        if (thing.weaponClass !== null) rest.weaponClass = thing.weaponClass;
        thing.observedBy.push(out.emit('camera', camera.id, t + prng.range(0, 60_000), 1_000, rest));
      }
    }
    for (const flight of world.drones) {
      const view = inView(camera, flight) ?? inView(camera, flight.takeoff);
      if (view === undefined || !isUp(camera, flight.fromMs)) continue;
      const t = (flight.fromMs + flight.toMs) / 2;
      if (t >= ctx.endMs) continue;
      (flight.observedBy as string[]).push(
        out.emit('camera', camera.id, t, 60_000, {
          location: position(
            jitter(prng, flight, view.azDeg, view.m * 0.05, view.m * 0.01),
            Math.max(20, Math.round(view.m * 0.05)),
          ),
          payload: {
            objectType: 'drone',
            count: 1,
            bearingDeg: (Math.round(normAz(view.azDeg) * 10) / 10) % 360,
            rangeM: Math.round(view.m),
          },
        }),
      );
    }
  }
  for (const sat of SATELLITES) {
    let n = 0;
    for (
      let t = ctx.startMs + sat.firstPassHours * 3_600_000;
      t < ctx.endMs;
      t += sat.revisitHours * 3_600_000
    ) {
      n++;
      const passId = `${sat.id}-pass-${n}`;
      const cloud = sat.sensor === 'optical' ? Math.round(prng.range(0, 100)) : undefined;
      if (cloud !== undefined && cloud >= 70) continue;
      for (const placement of world.placements) {
        if (placement.fromMs > t || placement.toMs <= t || !prng.chance(SATELLITE_DETECTION)) continue;
        const seen = jitter(prng, placement, 0, sat.resolutionM * 3, sat.resolutionM * 3);
        const payload: Record<string, unknown> = {
          passId,
          sensor: sat.sensor,
          resolutionM: sat.resolutionM,
          objectType: 'weapon',
          count: placement.count,
        };
        if (cloud !== undefined) payload.cloudCoverPct = cloud;
        (placement.observedBy as string[]).push(
          out.emit('satellite', sat.id, t, 1_000, {
            weaponClass: placement.weaponClass,
            location: position(seen, sat.resolutionM * 5),
            payload,
          }),
        );
      }
    }
  }
}

/** The mission's drones: flights along the line, sightings, and jamming. */
function monitorDrones(
  ctx: SensingContext,
  network: Network,
  world: World,
  out: Emitter,
  prng: Prng,
  impediments: ImpedimentTruth[],
): MonitorFlightTruth[] {
  const { terms, frame, sides, startMs, endMs } = ctx;
  const flights: MonitorFlightTruth[] = [];
  const things = sightables(world);
  const jamming = conductFor(terms, 'impediment', null);
  for (const drone of network.drones) {
    const count = prng.poisson((MONITOR_FLIGHTS_PER_DAY * (endMs - startMs)) / 86_400_000);
    for (let f = 0; f < count; f++) {
      const flightId = `${drone}-flight-${f + 1}`;
      const fromMs = Math.round(prng.range(startMs, endMs));
      let toMs =
        fromMs + Math.round(prng.range(MONITOR_FLIGHT_MINUTES.min, MONITOR_FLIGHT_MINUTES.max) * 60_000);
      const s0 = prng.range(0, Math.max(0, frame.lengthKm - 40));
      const offset = prng.range(-2, 2);
      const jamAt = prng.chance(MONITOR_JAMMED_SHARE) ? Math.round(prng.range(fromMs, toMs)) : null;
      if (jamAt !== null) toMs = jamAt;
      const at = (t: number) => {
        const phase = (t - fromMs) / Math.max(1, toMs - fromMs);
        return roundPoint(frame.point(s0 + 40 * (1 - Math.abs(1 - 2 * phase)), offset));
      };
      for (let t = fromMs; t < Math.min(toMs, endMs); t += MONITOR_TRACK_INTERVAL_MS) {
        const p = at(t);
        out.emit('drone', drone, t, 1_000, {
          location: position(p, 15),
          payload: { flightId, status: 'track', altitudeM: 1500 },
        });
        for (const thing of things) {
          if (
            thing.fromMs > t ||
            thing.toMs <= t ||
            roughKm(p.lat, p.lon, thing.lat, thing.lon) > MONITOR_SIGHT_KM
          )
            continue;
          const rest: Record<string, unknown> = {
            location: position(jitter(prng, thing, 0, 30, 30), 50),
            payload: {
              flightId,
              status: 'detection',
              altitudeM: 1500,
              objectType: thing.objectType,
              count: thing.count,
            },
          };
          if (thing.weaponClass !== null) rest.weaponClass = thing.weaponClass;
          thing.observedBy.push(out.emit('drone', drone, t + 1_000, 1_000, rest));
        }
      }
      let jammedBy: string | null = null;
      if (jamAt !== null && jamAt < endMs) {
        const p = at(jamAt);
        jammedBy = sideOf(terms, p.lat, p.lon) ?? prng.pick(sides.parties);
        const recordId = out.emit('drone', drone, jamAt, 5_000, {
          location: position(p, 100),
          payload: { flightId, status: 'jammed' },
        });
        out.emit('drone', drone, jamAt + prng.range(30_000, 300_000), 5_000, {
          location: position(p, 500),
          payload: { flightId, status: 'lost' },
        });
        impediments.push({
          type: 'impediment',
          id: `impediment-${flightId}`,
          party: jammedBy,
          impediment: 'jamming',
          sourceId: drone,
          recordId,
          timeMs: jamAt,
          ...p,
          conduct: jamming,
        });
      }
      flights.push({ type: 'monitor-flight', sourceId: drone, flightId, fromMs, toMs, jammedBy });
    }
  }
  return flights.sort((a, b) => a.fromMs - b.fromMs || (a.flightId < b.flightId ? -1 : 1));
}

const BANDS = [
  { minKm: 0, maxKm: 1 },
  { minKm: 1, maxKm: 3 },
  { minKm: 3, maxKm: 5 },
  { minKm: 5, maxKm: 10 },
  { minKm: 10, maxKm: 15 },
] as const;

/** Patrol teams: a post for the day, fire heard and seen from it (one report per mission and end), impediments. */
function patrols(
  ctx: SensingContext,
  network: Network,
  world: World,
  out: Emitter,
  prng: Prng,
  impediments: ImpedimentTruth[],
): void {
  const { terms, frame, sides, startMs, endMs } = ctx;
  const localOffsetMs = (ms: number): number => {
    const local = new Date(ms).toLocaleString('sv-SE', { timeZone: terms.timeZone });
    return Date.parse(local.replace(' ', 'T') + 'Z') - Math.floor(ms / 1000) * 1000;
  };
  const impedimentConduct = conductFor(terms, 'impediment', null);
  const things = sightables(world);
  const firstDay = Math.floor((startMs + localOffsetMs(startMs)) / 86_400_000) * 86_400_000;
  for (let day = firstDay; day < endMs + 86_400_000; day += 86_400_000) {
    const offset = localOffsetMs(day);
    const from = Math.max(startMs, day - offset + PATROL_HOURS.from * 3_600_000);
    const to = Math.min(endMs, day - offset + PATROL_HOURS.to * 3_600_000);
    for (const team of network.patrols) {
      const post = behindLine(
        terms,
        frame,
        sides,
        team.side,
        team.alongKm + prng.range(-20, 20),
        prng.range(2, 6),
      );
      const impeded = prng.chance(PATROL_IMPEDIMENT_PER_DAY);
      const kind = prng.pick(['denied', 'delayed', 'delayed', 'conditional'] as const);
      if (post === undefined || from >= to) continue;
      const observer = position(post, 20);
      const patrolId = `${team.id}-${new Date(day).toISOString().slice(0, 10)}`;
      let outFrom = from;
      if (impeded) {
        const delay = kind === 'delayed' ? prng.int(10, 120) : undefined;
        const payload: Record<string, unknown> = {
          observer,
          patrolId,
          report: 'impediment',
          impediment: kind,
        };
        if (delay !== undefined) payload.delayMinutes = delay;
        const recordId = out.emit('patrol', team.id, from, 300_000, { payload });
        impediments.push({
          type: 'impediment',
          id: `impediment-${team.id}-${from}`,
          party: team.side,
          impediment: kind,
          sourceId: team.id,
          recordId,
          timeMs: from,
          ...post,
          conduct: impedimentConduct,
        });
        if (kind === 'denied') continue;
        outFrom = from + (delay ?? 0) * 60_000;
      }
      const sight = (
        thing: TruthPoint & { fromMs: number; toMs: number },
        withinKm: number,
        what: Record<string, unknown>,
      ): string | undefined => {
        const t0 = Math.max(outFrom, thing.fromMs);
        const t1 = Math.min(to, thing.toMs);
        if (t0 >= t1 || roughKm(post.lat, post.lon, thing.lat, thing.lon) > withinKm) return undefined;
        if (!prng.chance(PATROL_SIGHTING)) return undefined;
        const r = inverse(post.lat, post.lon, thing.lat, thing.lon);
        const band = BANDS.find((b) => r.m / 1000 < b.maxKm) ?? BANDS[BANDS.length - 1];
        const t = Math.round(prng.range(t0, t1) / 60_000) * 60_000;
        return out.emit('patrol', team.id, Math.min(Math.max(t, t0), t1 - 1), 600_000, {
          ...what,
          payload: {
            observer,
            patrolId,
            report: 'sighting',
            ...(what.payload as Record<string, unknown>),
            distanceBand: band,
            bearingDeg: Math.round(normAz(r.azDeg + prng.normal() * PATROL_BEARING_SIGMA_DEG)) % 360,
          },
        });
      };
      for (const thing of things) {
        const what: Record<string, unknown> = {
          payload: { objectType: thing.objectType, count: thing.count },
        };
        if (thing.weaponClass !== null) what.weaponClass = thing.weaponClass;
        const id = sight(thing, PATROL_SIGHT_KM, what);
        if (id !== undefined) thing.observedBy.push(id);
      }
      for (const flight of world.drones) {
        const id = sight(flight, PATROL_SIGHT_KM * 2, { payload: { objectType: 'drone', count: 1 } });
        if (id !== undefined) (flight.observedBy as string[]).push(id);
      }
      const heard = new Map<
        string,
        { first: number; count: number; km: number; azDeg: number; end: 'launch' | 'impact' }
      >();
      for (const round of world.rounds) {
        if (round.launch.timeMs < outFrom - 120_000) continue;
        if (round.launch.timeMs >= to) break;
        for (const end of ['launch', 'impact'] as const) {
          const p = round[end];
          if (
            p.timeMs < outFrom ||
            p.timeMs >= to ||
            roughKm(post.lat, post.lon, p.lat, p.lon) > PATROL_HEARING_KM
          )
            continue;
          const r = inverse(post.lat, post.lon, p.lat, p.lon);
          if (!prng.chance(0.9 - (0.5 * r.m) / (PATROL_HEARING_KM * 1000))) continue;
          const key = `${round.missionId}/${end}`;
          const entry = heard.get(key);
          if (entry === undefined)
            heard.set(key, { first: p.timeMs, count: 1, km: r.m / 1000, azDeg: r.azDeg, end });
          else entry.count++;
        }
      }
      for (const entry of heard.values()) {
        const band = BANDS.find((b) => entry.km < b.maxKm) ?? BANDS[BANDS.length - 1];
        out.emit('patrol', team.id, Math.round(entry.first / 60_000) * 60_000, 60_000, {
          payload: {
            observer,
            patrolId,
            report: 'fire',
            mode: entry.km <= PATROL_SEEING_KM ? 'heard-and-seen' : 'heard',
            eventType: 'explosion',
            direction:
              entry.km > 5 && prng.chance(0.5)
                ? 'undetermined'
                : entry.end === 'launch'
                  ? 'outgoing'
                  : 'incoming',
            distanceBand: band,
            bearingDeg: Math.round(normAz(entry.azDeg + prng.normal() * PATROL_BEARING_SIGMA_DEG)) % 360,
            count: Math.min(100_000, entry.count),
          },
        });
      }
    }
  }
}

/** Complaints by the parties: true ones about missions that hit them, false ones about nothing. */
function complain(
  ctx: SensingContext,
  network: Network,
  world: World,
  out: Emitter,
  prng: Prng,
): ComplaintTruth[] {
  const { terms, sides, startMs, endMs } = ctx;
  const fireConduct = conductFor(terms, 'explosion', null);
  if (fireConduct === null) return [];
  const complaints: ComplaintTruth[] = [];
  const firstRounds = new Map<string, Round>();
  for (const round of world.rounds)
    if (!firstRounds.has(round.missionId)) firstRounds.set(round.missionId, round);
  for (const party of sides.parties) {
    const desk = network.complaintDesks[party];
    const accused = sides.other[party];
    if (desk === undefined || accused === undefined) continue;
    const candidates = [...firstRounds.values()].filter(
      (r) => r.party === accused && sideOf(terms, r.impact.lat, r.impact.lon) === party,
    );
    const n = prng.poisson((COMPLAINTS_PER_PARTY_DAY[ctx.intensity] * (endMs - startMs)) / 86_400_000);
    for (let i = 0; i < n; i++) {
      const target =
        candidates.length > 0 && !prng.chance(FALSE_COMPLAINT_SHARE) ? prng.pick(candidates) : undefined;
      let at: TruthPoint;
      let timeMs: number;
      if (target !== undefined) {
        at = jitter(prng, target.impact, 0, 300, 300);
        timeMs = target.impact.timeMs;
      } else {
        const p = behindLine(
          terms,
          ctx.frame,
          sides,
          party,
          prng.range(5, ctx.frame.lengthKm - 5),
          prng.range(1, 10),
        );
        if (p === undefined) continue;
        at = p;
        timeMs = Math.round(prng.range(startMs, endMs));
      }
      if (timeMs >= endMs) continue;
      const recordId = out.emit('complaint', desk, timeMs, 30 * 60_000, {
        location: position(at, 1000),
        payload: {
          complainant: party,
          accused,
          allegation: fireConduct,
          summary: `Shelling of positions near ${roundDeg(at.lat).toFixed(3)}, ${roundDeg(at.lon).toFixed(3)} at about ${new Date(timeMs).toISOString().slice(11, 16)} UTC`,
        },
      });
      complaints.push({
        type: 'complaint',
        sourceId: desk,
        recordId,
        complainant: party,
        accused,
        allegation: fireConduct,
        true: target !== undefined,
        refersTo: target?.missionId ?? null,
      });
    }
  }
  return complaints;
}

/**
 * The direction an array hears a sound come from, degrees: the wavefront's normal, which a wind across
 * the ray turns away from the geodesic. Sound reaching the array along azimuth `arrivalAzDeg` travels
 * as c·n + w, so its wavefront normal is n ≈ u − w⊥/c (u the ray's direction, w⊥ the wind across it);
 * the array reports where the sound came from, −n.
 */
function directionOfArrivalDeg(arrivalAzDeg: number, c: number, we: number, wn: number): number {
  const az = (arrivalAzDeg * Math.PI) / 180;
  const [ue, un] = [Math.sin(az), Math.cos(az)];
  const along = we * ue + wn * un;
  const ne = ue - (we - along * ue) / c;
  const nn = un - (wn - along * un) / c;
  return (Math.atan2(-ne, -nn) * 180) / Math.PI;
}

/** A bearing in [0, 360), to 0.1°. */
const roundBearing = (deg: number): number => {
  const tenths = Math.round((((deg % 360) + 360) % 360) * 10) % 3600;
  return tenths / 10;
};
