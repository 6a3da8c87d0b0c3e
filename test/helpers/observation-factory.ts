/**
 * @module Test data: valid observations of every kind, built as a source would send them and passed
 * through the core validator (`validateObservation`), so a test holds exactly what ingest would hand
 * the store. Every field a test cares about can be set; everything else gets a plausible value.
 *
 * @example
 * const make = new ObservationFactory();
 * const shot = make.valid({ kind: 'acoustic', point: { lat: 48.1, lon: 37.9 } });
 * const batch = make.batch([shot, make.valid({ kind: 'heartbeat', state: 'down' })]);
 */
import { createHash } from 'node:crypto';
import {
  OBSERVATION_KINDS,
  type ObservationKind,
  type SensorState,
} from '../../src/core/observations/kinds.ts';
import {
  validateObservation,
  type ValidObservation,
} from '../../src/core/observations/validate-observation.ts';
import type { IngestBatch, QuarantineInput } from '../../src/core/ports/observation-store.ts';

/** SHA-256 of a string's UTF-8 bytes, hex (what production injects into the core). */
export const sha256Hex = (text: string | Uint8Array): string =>
  createHash('sha256').update(text).digest('hex');

/** What a test may set; every field is optional. */
export interface ObservationSpec {
  /** Default `acoustic`. */
  readonly kind?: ObservationKind;
  /** Default `sensor-1`. */
  readonly sourceId?: string;
  /** The source's record id; default `rec-<n>`, unique per factory. */
  readonly id?: string;
  /** Default: the factory's base time plus n seconds. */
  readonly observedAtMs?: number;
  readonly timeUncertaintyMs?: number;
  /**
   * The indexed point: the reported location, or the observer's position for a patrol report. `null`
   * leaves it out (allowed for heartbeats only). Default: a point in the Donbas.
   */
  readonly point?: { readonly lat: number; readonly lon: number; readonly ceM?: number } | null;
  /** A heartbeat's state; default `up`. */
  readonly state?: SensorState;
  readonly weaponClass?: string;
  readonly text?: string;
  /** Transport field: not part of the content or its hash. */
  readonly batchId?: string;
}

const DEFAULT_POINT = { lat: 48.0159, lon: 37.8028, ceM: 150 } as const;

/** Builds raw records, validated observations and ingest batches. */
export class ObservationFactory {
  /** The receipt time validation is run against (observations may be at most 24 h later). */
  readonly receivedAtMs: number;
  /** Observed times default to this plus one second per record built. */
  readonly baseTimeMs: number;
  #counter = 0;

  constructor(options: { readonly receivedAtMs?: number; readonly baseTimeMs?: number } = {}) {
    this.receivedAtMs = options.receivedAtMs ?? Date.parse('2026-03-01T00:00:00Z');
    this.baseTimeMs = options.baseTimeMs ?? Date.parse('2026-02-01T00:00:00Z');
  }

  /** The record as its source would send it (a plain JSON value). */
  raw(spec: ObservationSpec = {}): Record<string, unknown> {
    this.#counter += 1;
    const id = spec.id ?? `rec-${this.#counter}`;
    // Payload details vary with the record id, so the same spec always builds the same content.
    let n = 0;
    for (let i = 0; i < id.length; i++) n = (n * 31 + id.charCodeAt(i)) % 100_003;
    const kind = spec.kind ?? 'acoustic';
    const point = spec.point === undefined ? DEFAULT_POINT : spec.point;
    const position =
      point === null ? undefined : { lat: point.lat, lon: point.lon, ceM: point.ceM ?? DEFAULT_POINT.ceM };
    if (position === undefined && kind !== 'heartbeat')
      throw new Error(`a ${kind} observation needs a point; only heartbeats may leave it out`);
    const record: Record<string, unknown> = {
      id,
      sourceId: spec.sourceId ?? 'sensor-1',
      kind,
      observedAt: new Date(spec.observedAtMs ?? this.baseTimeMs + this.#counter * 1000).toISOString(),
      timeUncertaintyMs: spec.timeUncertaintyMs ?? 250,
    };
    if (spec.weaponClass !== undefined) record.weaponClass = spec.weaponClass;
    if (spec.text !== undefined) record.text = spec.text;
    if (spec.batchId !== undefined) record.batchId = spec.batchId;
    if (kind === 'patrol') {
      record.payload = {
        observer: position,
        patrolId: `patrol-${n % 7}`,
        report: 'fire',
        mode: 'heard',
        eventType: 'explosion',
        direction: 'incoming',
        distanceBand: { minKm: 2, maxKm: 4 },
        bearingDeg: 90,
        count: 1 + (n % 5),
      };
    } else {
      if (position !== undefined) record.location = position;
      record.payload = payloadOf(kind, n, position ?? DEFAULT_POINT, spec.state ?? 'up');
    }
    return record;
  }

  /** A validated observation; throws if the record turns out invalid (a mistake in the test). */
  valid(spec: ObservationSpec = {}): ValidObservation {
    const raw = this.raw(spec);
    const result = validateObservation(raw, this.receivedAtMs, sha256Hex);
    if (!result.ok)
      throw new Error(
        `the factory built an invalid ${String(raw.kind)} record: ${result.issues.map((i) => `${i.path}: ${i.reason}`).join('; ')}`,
      );
    return result.observation;
  }

  /** One valid observation of every kind, sharing `spec`. */
  everyKind(spec: Omit<ObservationSpec, 'kind' | 'id'> = {}): ValidObservation[] {
    return OBSERVATION_KINDS.map((kind) => this.valid({ ...spec, kind }));
  }

  /** A quarantine entry for a record received as `text`. */
  reject(
    text: string | Uint8Array,
    options: {
      readonly position?: number;
      readonly field?: string;
      readonly reason?: string;
      readonly sourceId?: string | null;
      readonly recordId?: string | null;
    } = {},
  ): QuarantineInput {
    const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
    return {
      position: options.position ?? 1,
      sourceId: options.sourceId ?? null,
      recordId: options.recordId ?? null,
      field: options.field ?? '(root)',
      reason: options.reason ?? 'must be a JSON object',
      sha256: sha256Hex(bytes),
      sizeBytes: bytes.byteLength,
      head: bytes.subarray(0, 64 * 1024),
    };
  }

  /** An ingest batch received at the factory's receipt time. */
  batch(
    observations: readonly ValidObservation[],
    rejects: readonly QuarantineInput[] = [],
    origin = 'test',
  ): IngestBatch {
    return { receivedAtMs: this.receivedAtMs, origin, observations, rejects };
  }
}

function payloadOf(
  kind: Exclude<ObservationKind, 'patrol'>,
  n: number,
  at: { readonly lat: number; readonly lon: number },
  state: SensorState,
): Record<string, unknown> {
  const estimate = (dLat: number) => ({
    lat: Math.max(-90, Math.min(90, at.lat + dLat)),
    lon: at.lon,
    ellipse: { semiMajorM: 400, semiMinorM: 150, orientationDeg: 30 },
  });
  switch (kind) {
    case 'acoustic':
      return { signal: 'impact', bearingDeg: (n * 37) % 360, bearingSigmaDeg: 4, peakPa: 12.5, snrDb: 18 };
    case 'seismic':
      return { peakVelocityMmS: 0.8, magnitude: 1.4, snrDb: 11 };
    case 'radar':
      return {
        track: 'origin-and-impact',
        trackId: `trk-${n}`,
        origin: estimate(-0.1),
        impact: estimate(0.05),
      };
    case 'camera':
      return { objectType: 'vehicle', count: 1 + (n % 3), bearingDeg: 120, rangeM: 2400 };
    case 'drone':
      return {
        flightId: `flight-${n % 11}`,
        status: 'detection',
        altitudeM: 350,
        objectType: 'troops',
        count: 4,
      };
    case 'satellite':
      return { passId: `pass-${n % 5}`, sensor: 'sar', resolutionM: 1.5, objectType: 'weapon', count: 2 };
    case 'complaint':
      return {
        complainant: 'party-ua',
        accused: 'party-ru',
        allegation: 'shelling',
        summary: 'Shelling of a village.',
      };
    case 'osint':
      return {
        origin: 'media',
        externalId: `ext-${n}`,
        headline: 'Explosions reported near the line',
        deaths: { best: 0 },
      };
    case 'heartbeat':
      return { state, batteryPct: 80 };
  }
}
