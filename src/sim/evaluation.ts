/**
 * @module How well fusion, attribution and the rules did against the simulator's ground truth. Pure:
 * it takes the truth records and what the store holds, and computes the figures `truceline evaluate`
 * prints and writes (every rate a fraction between 0 and 1). The definitions follow the text;
 * each function says which one it implements.
 */
import { acousticCrlb } from '../core/fusion/acoustic/crlb.ts';
import { lowerBound } from '../core/sorted.ts';
import type { FusedEvent, GaussianPoint } from '../core/fusion/event.ts';
import { isInsideConfidenceEllipse, confidenceEllipse } from '../core/fusion/gaussian.ts';
import { LocalFrame } from '../core/fusion/local-frame.ts';
import type { PotentialViolation } from '../core/rules/potential-violation.ts';
import type { RoundTruth, TruthRecord } from './simulator/truth.ts';

export interface EvaluationInput {
  readonly truth: readonly TruthRecord[];
  /** The latest revision of every event, with its commit time. */
  readonly events: readonly { readonly event: FusedEvent; readonly committedAtMs: number }[];
  /** Every revision of every potential violation, with its commit time. */
  readonly violationRevisions: readonly {
    readonly violation: PotentialViolation;
    readonly committedAtMs: number;
  }[];
  /** Commit time of an observation by its sequence (for latency). */
  readonly observationCommitMs: (seq: number) => number | undefined;
  /** True positions of sensors by source id. */
  readonly sensorPositions: ReadonlyMap<string, { readonly lat: number; readonly lon: number }>;
  /** Ids of the acoustic sensors (for the coverage figures). */
  readonly acousticSensors: ReadonlySet<string>;
  /** The stored heartbeats: what the store says of which sensors were up when. */
  readonly heartbeats: readonly {
    readonly sourceId: string;
    readonly timeMs: number;
    readonly state: string;
  }[];
}

export interface Evaluation {
  readonly attributedEvents: number;
  readonly falseAttributionRate: number;
  readonly falseAttributionUpper95: number;
  readonly attributionCoverage: number;
  readonly eligibleFireMissions: number;
  readonly recallEligibleFireMissions: number;
  readonly localisation: {
    readonly matched: number;
    readonly medianErrorM: number | null;
    readonly p90ErrorM: number | null;
    readonly medianErrorToCrlbRatio: number | null;
  };
  readonly calibration: {
    readonly n: number;
    readonly ece: number | null;
    readonly brier: number | null;
    readonly ellipse95Coverage: number | null;
  };
  readonly latencyMs: { readonly p99: number | null };
  readonly recallByClause: Readonly<
    Record<string, { readonly truths: number; readonly found: number; readonly recall: number | null }>
  >;
  readonly coverage: {
    /** Share of acoustic sensor-time up during the run, from the stored heartbeats. */
    readonly acousticUptime: number;
    /** Sensor-hours lost to outages, and how many sensors had one. */
    readonly downSensorHours: number;
    readonly sensorsWithOutages: number;
  };
}

/** Time tolerance for matching a sensor-derived event to a truth, ms. */
const SENSOR_MATCH_MS = 5_000;
/** Events whose ellipse's semi-major axis exceeds this do not count toward recall, m. */
const RECALL_MAX_SEMI_MAJOR_M = 5_000;
/** Attribution coverage counts launches at least this far from the line, km. */
const COVERAGE_MIN_DISTANCE_KM = 2;

/** A fire event's point for its phase: the origin of a launch, the impact of an impact. */
function firePoint(event: FusedEvent, phase: 'launch' | 'impact'): GaussianPoint | null {
  return phase === 'launch' ? (event.origin ?? event.location) : (event.impact ?? event.location);
}

const isSensorDerived = (event: FusedEvent): boolean => event.method !== 'single-report';

/**
 * One-to-one pairs of true launches and events, nearest in time first: every admissible pair (same
 * type, within 5 s for a sensor-derived event or 15 min for a patrol-only one, and whatever `admits`
 * adds) is considered in order of the time between them, and taken when neither side is taken yet.
 * So each truth gets the nearest-in-time event still free, and an event goes to the truth nearest to
 * it — two rounds fired seconds apart from one place do not take each other's events.
 */
function pairNearestInTime(
  rounds: readonly RoundTruth[],
  events: readonly FusedEvent[],
  admits: (round: RoundTruth, event: FusedEvent) => boolean,
): Map<RoundTruth, FusedEvent> {
  const byTime = [...rounds].sort((a, b) => a.launch.timeMs - b.launch.timeMs);
  const times = byTime.map((r) => r.launch.timeMs);
  const candidates: { round: RoundTruth; event: FusedEvent; dt: number }[] = [];
  for (const event of events) {
    const tolerance = isSensorDerived(event) ? SENSOR_MATCH_MS : 15 * 60_000;
    for (let i = lowerBound(times, event.timeMs - tolerance); i < byTime.length; i++) {
      const round = byTime[i];
      if (round === undefined || round.launch.timeMs > event.timeMs + tolerance) break;
      if (admits(round, event))
        candidates.push({ round, event, dt: Math.abs(event.timeMs - round.launch.timeMs) });
    }
  }
  // Ties in time (whole milliseconds meet often) go by ids: the pairs do not depend on the order the
  // store returns events in, which follows when fusion was drained.
  const byId = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  candidates.sort((a, b) => a.dt - b.dt || byId(a.event.id, b.event.id) || byId(a.round.id, b.round.id));
  const pairs = new Map<RoundTruth, FusedEvent>();
  const takenEvents = new Set<FusedEvent>();
  for (const { round, event } of candidates) {
    if (pairs.has(round) || takenEvents.has(event)) continue;
    pairs.set(round, event);
    takenEvents.add(event);
  }
  return pairs;
}

/** Match (recall, false attribution): nearest in time, one-to-one, and the event's 99 % ellipse holds the true point. */
const matchWithEllipse = (rounds: readonly RoundTruth[], events: readonly FusedEvent[]) =>
  pairNearestInTime(rounds, events, (round, event) => {
    const point = firePoint(event, 'launch');
    return point !== null && isInsideConfidenceEllipse(round.launch, point, 0.99);
  });

/** Pairing for localisation and calibration: by type and time only, nearest, one-to-one, no ellipse condition. */
function pairByTime(
  rounds: readonly RoundTruth[],
  events: readonly FusedEvent[],
): Map<FusedEvent, RoundTruth> {
  const pairs = pairNearestInTime(rounds, events, () => true);
  return new Map([...pairs].map(([round, event]) => [event, round]));
}

const distanceM = (a: { lat: number; lon: number }, b: { lat: number; lon: number }): number => {
  const p = new LocalFrame(a.lat, a.lon).toLocal(b.lat, b.lon);
  return Math.hypot(p.east, p.north);
};

function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[at] ?? null;
}

/** Wilson score interval's upper bound at 95 %. */
export function wilsonUpper95(failures: number, n: number): number {
  if (n === 0) return 1;
  const z = 1.959964;
  const p = failures / n;
  const denominator = 1 + (z * z) / n;
  const centre = p + (z * z) / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return Math.min(1, (centre + margin) / denominator);
}

export function evaluate(input: EvaluationInput): Evaluation {
  const rounds = input.truth.filter((t): t is RoundTruth => t.type === 'round');
  const active = input.events.filter((e) => e.event.status === 'active');
  const launchEvents = active.map((e) => e.event).filter((e) => e.phase === 'launch');

  // Attribution per event, from its latest fire violation revision.
  const latestViolation = new Map<string, PotentialViolation>();
  for (const { violation } of input.violationRevisions) {
    const current = latestViolation.get(violation.id);
    if (current === undefined || violation.revision > current.revision)
      latestViolation.set(violation.id, violation);
  }
  const attributionOf = new Map<string, PotentialViolation['attribution']>();
  for (const v of latestViolation.values()) attributionOf.set(v.eventId, v.attribution);

  // Recall, coverage and false attribution use the one-to-one match with the 99 % ellipse.
  const matched = matchWithEllipse(rounds, launchEvents);
  const truthOf = new Map<FusedEvent, RoundTruth>([...matched].map(([r, e]) => [e, r]));
  const eligible = rounds.filter((r) => r.launch.detectedBy.length >= 4 || r.radar !== null);
  const recallHits = eligible.filter((r) => {
    const event = matched.get(r);
    const point = event && firePoint(event, 'launch');
    return point != null && confidenceEllipse(point.covariance, 0.3935).semiMajorM <= RECALL_MAX_SEMI_MAJOR_M;
  }).length;

  let attributed = 0;
  let wrong = 0;
  for (const event of launchEvents) {
    const attribution = attributionOf.get(event.id);
    if (attribution?.decision !== 'attributed') continue;
    attributed += 1;
    const truth = truthOf.get(event);
    if (truth === undefined || truth.party !== attribution.party) wrong += 1;
  }
  const far = eligible.filter((r) => Math.abs(r.launch.distanceToLineKm) >= COVERAGE_MIN_DISTANCE_KM);
  const covered = far.filter((r) => {
    const event = matched.get(r);
    const attribution = event && attributionOf.get(event.id);
    return attribution?.decision === 'attributed' && attribution.party === r.party;
  }).length;

  // Localisation and calibration pair by type and time only (nearest, one-to-one), each among the
  // events it is about: localisation among events of four or more acoustic arrivals, calibration among
  // events with a point of origin.
  const arrivalsOf = (e: FusedEvent): number => e.provenance.filter((c) => c.role === 'arrival').length;
  const errors: number[] = [];
  const ratios: number[] = [];
  for (const [event, round] of pairByTime(
    rounds,
    launchEvents.filter((e) => arrivalsOf(e) >= 4),
  )) {
    const point = firePoint(event, 'launch');
    if (point === null) continue;
    const error = distanceM(point, round.launch);
    errors.push(error);
    const sensors = round.launch.detectedBy
      .map((id) => input.sensorPositions.get(id))
      .filter((p): p is { lat: number; lon: number } => p !== undefined)
      .map((p) => ({ ...p, sigmaS: round.timingSigmaMs / 1000 }));
    const bound = acousticCrlb({
      source: round.launch,
      sensors,
      soundSpeedMs: round.soundSpeedMs,
      windMs: [round.windEastMs, round.windNorthMs],
    });
    if (bound !== null) ratios.push(error / bound.sqrtTraceM);
  }
  const calibration: { confidence: number; correct: boolean }[] = [];
  let inside95 = 0;
  let withOrigin = 0;
  for (const [event, round] of pairByTime(
    rounds,
    launchEvents.filter((e) => e.origin !== null),
  )) {
    if (event.origin === null) continue;
    withOrigin += 1;
    if (isInsideConfidenceEllipse(round.launch, event.origin, 0.95)) inside95 += 1;
    const attribution = attributionOf.get(event.id);
    if (attribution !== undefined && attribution.decision !== 'not-attributable') {
      let party: string | null = null;
      let confidence = 0;
      for (const [p, probability] of Object.entries(attribution.probabilities))
        if (probability > confidence) [party, confidence] = [p, probability];
      calibration.push({ confidence, correct: party === round.party });
    }
  }

  // Latency: commit of the last observation that revised a violation → commit of that revision.
  const latencies: number[] = [];
  for (const { violation, committedAtMs } of input.violationRevisions) {
    const last = Math.max(...violation.supportingSeqs);
    const observed = Number.isFinite(last) ? input.observationCommitMs(last) : undefined;
    if (observed !== undefined) latencies.push(Math.max(0, committedAtMs - observed));
  }

  return {
    attributedEvents: attributed,
    falseAttributionRate: attributed === 0 ? 0 : wrong / attributed,
    falseAttributionUpper95: wilsonUpper95(wrong, attributed),
    attributionCoverage: far.length === 0 ? 0 : covered / far.length,
    eligibleFireMissions: eligible.length,
    recallEligibleFireMissions: eligible.length === 0 ? 0 : recallHits / eligible.length,
    localisation: {
      matched: errors.length,
      medianErrorM: quantile(errors, 0.5),
      p90ErrorM: quantile(errors, 0.9),
      medianErrorToCrlbRatio: quantile(ratios, 0.5),
    },
    calibration: {
      n: calibration.length,
      ece: expectedCalibrationError(calibration),
      brier:
        calibration.length === 0
          ? null
          : calibration.reduce((s, c) => s + (c.confidence - (c.correct ? 1 : 0)) ** 2, 0) /
            calibration.length,
      ellipse95Coverage: withOrigin === 0 ? null : inside95 / withOrigin,
    },
    latencyMs: { p99: quantile(latencies, 0.99) },
    recallByClause: recallByClause(rounds, matched),
    coverage: coverageOf(input.truth, input.acousticSensors, input.heartbeats),
  };
}

/** Expected calibration error over 10 equal-width bins of stated confidence. */
export function expectedCalibrationError(
  items: readonly { confidence: number; correct: boolean }[],
): number | null {
  if (items.length === 0) return null;
  const bins = Array.from({ length: 10 }, () => ({ n: 0, confidence: 0, correct: 0 }));
  for (const item of items) {
    const bin = bins[Math.min(9, Math.floor(item.confidence * 10))];
    if (bin === undefined) continue;
    bin.n += 1;
    bin.confidence += item.confidence;
    bin.correct += item.correct ? 1 : 0;
  }
  return bins.reduce(
    (sum, b) => sum + (b.n === 0 ? 0 : (b.n / items.length) * Math.abs(b.correct / b.n - b.confidence / b.n)),
    0,
  );
}

/** Per prohibited conduct: how many true fire rounds breaking it were found (matched launches). */
function recallByClause(
  rounds: readonly RoundTruth[],
  matched: ReadonlyMap<RoundTruth, FusedEvent>,
): Record<string, { truths: number; found: number; recall: number | null }> {
  const out: Record<string, { truths: number; found: number; recall: number | null }> = {};
  for (const round of rounds) {
    if (round.conduct === null) continue;
    const entry = (out[round.conduct] ??= { truths: 0, found: 0, recall: null });
    entry.truths += 1;
    if (matched.has(round)) entry.found += 1;
  }
  for (const entry of Object.values(out))
    entry.recall = entry.truths === 0 ? null : entry.found / entry.truths;
  return out;
}

/**
 * What the store's heartbeats say of the acoustic network over the run: a sensor is down from a `down`
 * heartbeat until its next `up` one (the run's span comes from the truth's run record).
 */
function coverageOf(
  truth: readonly TruthRecord[],
  acousticSensors: ReadonlySet<string>,
  heartbeats: EvaluationInput['heartbeats'],
): Evaluation['coverage'] {
  const run = truth.find((t) => t.type === 'run');
  if (run === undefined || acousticSensors.size === 0)
    return { acousticUptime: 1, downSensorHours: 0, sensorsWithOutages: 0 };
  const bySensor = new Map<string, { timeMs: number; state: string }[]>();
  for (const h of heartbeats) {
    if (!acousticSensors.has(h.sourceId)) continue;
    const list = bySensor.get(h.sourceId);
    if (list === undefined) bySensor.set(h.sourceId, [h]);
    else list.push(h);
  }
  let downMs = 0;
  let sensorsDown = 0;
  for (const list of bySensor.values()) {
    list.sort((a, b) => a.timeMs - b.timeMs);
    let sensorDown = 0;
    let downSince: number | undefined;
    for (const h of list) {
      if (h.state === 'down') downSince ??= h.timeMs;
      else if (h.state === 'up' && downSince !== undefined) {
        sensorDown += Math.max(0, Math.min(h.timeMs, run.endMs) - Math.max(downSince, run.startMs));
        downSince = undefined;
      }
    }
    if (downSince !== undefined) sensorDown += Math.max(0, run.endMs - Math.max(downSince, run.startMs));
    downMs += sensorDown;
    if (sensorDown > 0) sensorsDown += 1;
  }
  const totalMs = acousticSensors.size * (run.endMs - run.startMs);
  return {
    acousticUptime: 1 - downMs / totalMs,
    downSensorHours: downMs / 3_600_000,
    sensorsWithOutages: sensorsDown,
  };
}
