/**
 * @module What happens on the ground: fire missions and their rounds (with a daily rhythm and
 * escalation episodes), heavy weapons placed in or out of their zones, troops in the buffer zone or a
 * disengagement area, and the parties' drones over the line. Sensing comes after, in sensing.ts.
 */
import { containsPoint, distanceToLineKm, sideOf, type Terms } from '../../core/agreement/index.ts';
import type { EventKind } from '../../core/agreement/index.ts';
import {
  BASE_ROUNDS_PER_HOUR,
  BATTERY_RADIUS_M,
  ESCALATION_EXTRA_RATE,
  ESCALATION_MINUTES,
  ESCALATION_WIDTH_KM,
  ESCALATIONS_PER_DAY,
  IMPACT_DISPERSION_M,
  IMPACT_DISTANCE_KM,
  LAUNCH_DISTANCE_KM,
  MEAN_FLIGHT_SPEED_MS,
  MISSION_MIX,
  OWN_SIDE_IMPACT_SHARE,
  PARTY_DRONE_FLIGHTS_PER_DAY,
  PEAK_LOCAL_HOUR,
  PLACEMENTS,
  ROUNDS_PER_MISSION,
  SECONDS_BETWEEN_ROUNDS,
  TROOP_PRESENCES_PER_DAY,
} from './defaults.ts';
import { destination, inverse, roundPoint, type LineFrame } from './geo.ts';
import type { Sides } from './network.ts';
import type { Prng } from './prng.ts';
import {
  WEAPON_TYPES,
  type DroneFlightTruth,
  type EscalationTruth,
  type Intensity,
  type TroopPresenceTruth,
  type TruthPoint,
  type WeaponPlacementTruth,
  type WeaponType,
} from './truth.ts';

/** One round before anyone senses it. */
export interface Round {
  readonly id: string;
  readonly missionId: string;
  readonly party: string;
  readonly weaponType: WeaponType;
  readonly escalationId: string | null;
  readonly launch: TruthPoint & { readonly timeMs: number };
  readonly impact: TruthPoint & { readonly timeMs: number };
}

export interface World {
  readonly rounds: readonly Round[];
  readonly escalations: readonly EscalationTruth[];
  readonly placements: WeaponPlacementTruth[];
  readonly troops: TroopPresenceTruth[];
  readonly drones: DroneFlightTruth[];
}

export interface WorldContext {
  readonly terms: Terms;
  readonly frame: LineFrame;
  readonly sides: Sides;
  readonly intensity: Intensity;
  readonly startMs: number;
  readonly endMs: number;
}

/** The prohibited-conduct id that covers `kind` (in `zone`, when given), or null. */
export function conductFor(terms: Terms, kind: EventKind, zone: string | null): string | null {
  const found = terms.prohibitedConduct.find(
    (c) =>
      c.eventKinds.includes(kind) && (c.zones === undefined || (zone !== null && c.zones.includes(zone))),
  );
  return found?.id ?? null;
}

/** The local hour (fractional) in the agreement's time zone. */
function localHours(timeZone: string): (ms: number) => number {
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  });
  return (ms) => {
    const parts = format.formatToParts(new Date(ms));
    const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
    const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
    return hour + minute / 60;
  };
}

/** The daily rhythm: 1 at the quietest hour, 2 at `PEAK_LOCAL_HOUR`. */
export const rhythm = (localHour: number): number =>
  1 + (1 + Math.cos((2 * Math.PI * (localHour - PEAK_LOCAL_HOUR)) / 24)) / 2;

const meanRoundsPerMission = WEAPON_TYPES.reduce(
  (sum, t) => sum + MISSION_MIX[t] * ((ROUNDS_PER_MISSION[t].min + ROUNDS_PER_MISSION[t].max) / 2),
  0,
);

/** Signed distance from `party`'s reference line: positive on its own side. */
export function signedDistanceKm(terms: Terms, party: string, p: TruthPoint): number {
  const d = distanceToLineKm(terms, party, p.lat, p.lon);
  return sideOf(terms, p.lat, p.lon) === party ? d : -d;
}

/** Fire missions and their rounds, with the escalation episodes. */
function fire(ctx: WorldContext, prng: Prng): { rounds: Round[]; escalations: EscalationTruth[] } {
  const { terms, frame, sides, startMs, endMs } = ctx;
  const hours = (endMs - startMs) / 3_600_000;
  const escalations: EscalationTruth[] = [];
  const episodes = prng.poisson((ESCALATIONS_PER_DAY[ctx.intensity] * hours) / 24);
  for (let i = 0; i < episodes; i++) {
    const fromMs = Math.round(prng.range(startMs, endMs));
    const toMs = fromMs + Math.round(prng.range(ESCALATION_MINUTES.min, ESCALATION_MINUTES.max) * 60_000);
    const mid = prng.range(
      ESCALATION_WIDTH_KM / 2,
      Math.max(ESCALATION_WIDTH_KM / 2, frame.lengthKm - ESCALATION_WIDTH_KM / 2),
    );
    escalations.push({
      type: 'escalation',
      id: `escalation-${i + 1}`,
      fromMs,
      toMs,
      fromKm: Math.round((mid - ESCALATION_WIDTH_KM / 2) * 1000) / 1000,
      toKm: Math.round((mid + ESCALATION_WIDTH_KM / 2) * 1000) / 1000,
      center: roundPoint(frame.point(mid, 0)),
    });
  }
  escalations.sort((a, b) => a.fromMs - b.fromMs);
  const localHour = localHours(terms.timeZone);
  const base = BASE_ROUNDS_PER_HOUR[ctx.intensity] / 60 / meanRoundsPerMission;
  const rounds: Round[] = [];
  let missionCount = 0;
  const mission = (
    minuteStart: number,
    minuteEnd: number,
    alongKm: () => number,
    escalationId: string | null,
  ): void => {
    const party = prng.pick(sides.parties);
    const other = sides.other[party] ?? party;
    const sign = sides.sign[party] ?? 1;
    const weaponType = prng.weighted(MISSION_MIX);
    for (let attempt = 0; attempt < 20; attempt++) {
      const s = alongKm();
      const launchKm = prng.range(LAUNCH_DISTANCE_KM[weaponType].min, LAUNCH_DISTANCE_KM[weaponType].max);
      const battery = frame.point(s, sign * launchKm);
      if (sideOf(terms, battery.lat, battery.lon) !== party) continue;
      const ownSide = prng.chance(OWN_SIDE_IMPACT_SHARE);
      const impactKm = ownSide
        ? prng.range(0.2, Math.max(0.3, launchKm - 0.5))
        : -prng.range(IMPACT_DISTANCE_KM[weaponType].min, IMPACT_DISTANCE_KM[weaponType].max);
      const aim = frame.point(s + prng.normal() * 2, sign * impactKm);
      if (sideOf(terms, aim.lat, aim.lon) !== (ownSide ? party : other)) continue;
      missionCount++;
      const missionId = `m${String(missionCount).padStart(6, '0')}`;
      const n = prng.int(ROUNDS_PER_MISSION[weaponType].min, ROUNDS_PER_MISSION[weaponType].max);
      const tubes = weaponType === 'mortar' ? 2 : weaponType === 'tube-artillery' ? 4 : 1;
      const tubePositions = Array.from({ length: tubes }, () =>
        roundPoint(
          destination(battery.lat, battery.lon, prng.range(0, 360), prng.range(0, BATTERY_RADIUS_M)),
        ),
      );
      let t = Math.round(prng.range(minuteStart, minuteEnd));
      for (let k = 0; k < n && t < endMs; k++) {
        const launch = tubePositions[k % tubes] ?? roundPoint(battery);
        const sigma = IMPACT_DISPERSION_M[weaponType];
        const dx = prng.normal() * sigma;
        const dy = prng.normal() * sigma;
        const impact = roundPoint(
          destination(aim.lat, aim.lon, (Math.atan2(dx, dy) * 180) / Math.PI, Math.hypot(dx, dy)),
        );
        const flightMs = Math.round(
          (inverse(launch.lat, launch.lon, impact.lat, impact.lon).m / MEAN_FLIGHT_SPEED_MS[weaponType]) *
            1000,
        );
        rounds.push({
          id: `${missionId}/${k + 1}`,
          missionId,
          party,
          weaponType,
          escalationId,
          launch: { ...launch, timeMs: t },
          impact: { ...impact, timeMs: t + flightMs },
        });
        t += Math.round(
          prng.range(SECONDS_BETWEEN_ROUNDS[weaponType].min, SECONDS_BETWEEN_ROUNDS[weaponType].max) * 1000,
        );
      }
      return;
    }
  };
  const margin = Math.min(5, frame.lengthKm / 4);
  for (let m = startMs; m < endMs; m += 60_000) {
    const minuteEnd = Math.min(endMs, m + 60_000);
    const share = (minuteEnd - m) / 60_000;
    const count = prng.poisson(base * rhythm(localHour(m)) * share);
    for (let i = 0; i < count; i++)
      mission(m, minuteEnd, () => prng.range(margin, frame.lengthKm - margin), null);
    for (const e of escalations) {
      if (e.fromMs >= minuteEnd || e.toMs <= m) continue;
      const extra = prng.poisson(base * ESCALATION_EXTRA_RATE * share);
      for (let i = 0; i < extra; i++) mission(m, minuteEnd, () => prng.range(e.fromKm, e.toKm), e.id);
    }
  }
  rounds.sort((a, b) => a.launch.timeMs - b.launch.timeMs || (a.id < b.id ? -1 : 1));
  return { rounds, escalations };
}

/** A point on `party`'s side whose distance from its line is in [minKm, maxKm], or undefined. */
function pointAtDistance(
  ctx: WorldContext,
  prng: Prng,
  party: string,
  minKm: number,
  maxKm: number,
): { p: TruthPoint; d: number } | undefined {
  const { terms, frame, sides } = ctx;
  for (let attempt = 0; attempt < 30; attempt++) {
    const s = prng.range(Math.min(5, frame.lengthKm / 4), frame.lengthKm - Math.min(5, frame.lengthKm / 4));
    const p = roundPoint(frame.point(s, (sides.sign[party] ?? 1) * prng.range(minKm, maxKm)));
    if (sideOf(terms, p.lat, p.lon) !== party) continue;
    const d = distanceToLineKm(terms, party, p.lat, p.lon);
    if (d >= minKm && d <= maxKm) return { p, d };
  }
  return undefined;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Heavy weapons in their limitation zones (violations) and legally outside them. */
function placements(ctx: WorldContext, prng: Prng): WeaponPlacementTruth[] {
  const { terms, sides, startMs, endMs } = ctx;
  const out: WeaponPlacementTruth[] = [];
  const binds = (parties: readonly string[] | undefined, party: string) =>
    parties === undefined || parties.includes(party);
  const counts = PLACEMENTS[ctx.intensity];
  for (let i = 0; i < counts.inZone + counts.legal; i++) {
    const party = prng.pick(sides.parties);
    const zones = terms.zones.filter((z) => z.kind === 'limitation' && binds(z.parties, party));
    const zone = zones.length > 0 ? prng.pick(zones) : undefined;
    if (zone?.kind !== 'limitation') break;
    const weaponClass = prng.pick(zone.weaponClasses);
    const classZones = zones.flatMap((z) =>
      z.kind === 'limitation' && z.weaponClasses.includes(weaponClass) ? [z] : [],
    );
    const farthest = Math.max(...classZones.map((z) => z.distanceKm));
    const inZone = i < counts.inZone;
    const at = inZone
      ? pointAtDistance(ctx, prng, party, 0.5, Math.max(0.6, zone.distanceKm - 0.5))
      : pointAtDistance(ctx, prng, party, farthest + 1, farthest + 25);
    if (at === undefined) continue;
    const violated = classZones
      .filter((z) => at.d < z.distanceKm)
      .sort((a, b) => a.distanceKm - b.distanceKm)[0];
    const zoneId = violated?.id ?? null;
    const fromMs = inZone && prng.chance(0.5) ? Math.round(prng.range(startMs, endMs)) : startMs;
    out.push({
      type: 'weapon-placement',
      id: `placement-${i + 1}`,
      party,
      ...at.p,
      fromMs,
      toMs: endMs,
      distanceToLineKm: round3(at.d),
      zone: zoneId,
      conduct: zoneId === null ? null : conductFor(terms, 'weapon-sighting', zoneId),
      observedBy: [],
      weaponClass,
      count: prng.int(1, 6),
    });
  }
  return out;
}

/** Troops in a buffer zone or disengagement area, and some legally just outside a buffer zone. */
function troops(ctx: WorldContext, prng: Prng): TroopPresenceTruth[] {
  const { terms, sides, startMs, endMs } = ctx;
  const buffers = terms.zones.filter((z) => z.kind === 'buffer');
  const areas = terms.zones.filter((z) => z.kind === 'disengagement-area');
  if (buffers.length === 0 && areas.length === 0) return [];
  const out: TroopPresenceTruth[] = [];
  const n = prng.poisson((TROOP_PRESENCES_PER_DAY[ctx.intensity] * (endMs - startMs)) / 86_400_000);
  for (let i = 0; i < n; i++) {
    const party = prng.pick(sides.parties);
    const fromMs = Math.round(prng.range(startMs, endMs));
    const toMs = fromMs + Math.round(prng.range(1, 8) * 3_600_000);
    const legal = prng.chance(0.25);
    let point: TruthPoint | undefined;
    let zoneId: string | null = null;
    const zone = prng.pick([...buffers, ...areas]);
    if (zone.kind === 'buffer') {
      const at = legal
        ? pointAtDistance(ctx, prng, party, zone.distanceKm + 0.5, zone.distanceKm + 5)
        : pointAtDistance(ctx, prng, party, 0.2, Math.max(0.3, zone.distanceKm - 0.2));
      point = at?.p;
      zoneId = legal ? null : zone.id;
    } else if (!legal) {
      const ring =
        zone.geometry.type === 'Polygon' ? zone.geometry.coordinates[0] : zone.geometry.coordinates[0]?.[0];
      const lons = (ring ?? []).map((c) => c[0]);
      const lats = (ring ?? []).map((c) => c[1]);
      for (let attempt = 0; attempt < 50 && point === undefined; attempt++) {
        const p = roundPoint({
          lat: prng.range(Math.min(...lats), Math.max(...lats)),
          lon: prng.range(Math.min(...lons), Math.max(...lons)),
        });
        if (containsPoint(zone.geometry, p.lat, p.lon)) point = p;
      }
      zoneId = zone.id;
    }
    if (point === undefined) continue;
    const d = distanceToLineKm(terms, party, point.lat, point.lon);
    out.push({
      type: 'troop-presence',
      id: `troops-${i + 1}`,
      party,
      ...point,
      fromMs,
      toMs,
      distanceToLineKm: round3(d),
      zone: zoneId,
      conduct: zoneId === null ? null : conductFor(terms, 'troop-presence', zoneId),
      observedBy: [],
      count: prng.int(5, 40),
    });
  }
  return out;
}

/** The parties' drones: from a few km behind their line to a few km beyond it, and back. */
function partyDrones(ctx: WorldContext, prng: Prng): DroneFlightTruth[] {
  const { terms, frame, sides, startMs, endMs } = ctx;
  const out: DroneFlightTruth[] = [];
  const n = prng.poisson((PARTY_DRONE_FLIGHTS_PER_DAY[ctx.intensity] * (endMs - startMs)) / 86_400_000);
  const buffer = terms.zones.find((z) => z.kind === 'buffer');
  for (let i = 0; i < n; i++) {
    const party = prng.pick(sides.parties);
    const sign = sides.sign[party] ?? 1;
    const s = prng.range(5, frame.lengthKm - 5);
    const takeoff = roundPoint(frame.point(s, sign * prng.range(3, 10)));
    const turn = roundPoint(frame.point(s + prng.normal() * 3, -sign * prng.range(1, 8)));
    if (sideOf(terms, takeoff.lat, takeoff.lon) !== party) continue;
    const fromMs = Math.round(prng.range(startMs, endMs));
    const zoneId = buffer?.id ?? null;
    out.push({
      type: 'drone-flight',
      id: `drone-flight-${i + 1}`,
      party,
      ...turn,
      fromMs,
      toMs: fromMs + Math.round(prng.range(20, 90) * 60_000),
      distanceToLineKm: round3(distanceToLineKm(terms, party, turn.lat, turn.lon)),
      zone: zoneId,
      conduct: conductFor(terms, 'drone-flight', zoneId),
      observedBy: [],
      takeoff,
    });
  }
  return out.sort((a, b) => a.fromMs - b.fromMs);
}

/** Everything that happens on the ground over the run. Each part draws from its own stream. */
export function buildWorld(
  ctx: WorldContext,
  streams: { fire: Prng; placements: Prng; troops: Prng; drones: Prng },
): World {
  const { rounds, escalations } = fire(ctx, streams.fire);
  return {
    rounds,
    escalations,
    placements: placements(ctx, streams.placements),
    troops: troops(ctx, streams.troops),
    drones: partyDrones(ctx, streams.drones),
  };
}
