/** @module How events and potential violations leave the server. (The access issue adds redaction by reader here.) */
import type { GaussianPoint } from '../../core/fusion/event.ts';
import type { StoredEvent, StoredViolation } from '../../core/ports/fusion-store.ts';
import type { EventWire, ViolationWire } from '../../shared/wire.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

type PointWire = EventWire['location'];
const point = (p: GaussianPoint | null): PointWire =>
  p === null ? null : { lat: p.lat, lon: p.lon, covariance: [...p.covariance] };

export function presentEvent(stored: StoredEvent): EventWire {
  const e = stored.event;
  return {
    seq: stored.seq,
    committedAt: iso(stored.committedAtMs),
    id: e.id,
    revision: e.revision,
    type: e.type,
    phase: e.phase,
    status: e.status,
    time: iso(e.timeMs),
    timeSigmaMs: e.timeSigmaMs,
    location: point(e.location),
    origin: point(e.origin),
    impact: point(e.impact),
    method: e.method,
    weaponClass: e.weaponClass,
    count: e.count,
    provenance: e.provenance.map(({ observedAtMs, ...c }) => ({ ...c, observedAt: iso(observedAtMs) })),
    asOfSeq: e.asOfSeq,
  };
}

export function presentViolation(stored: StoredViolation): ViolationWire {
  const { timeMs, ...violation } = stored.violation;
  return { seq: stored.seq, committedAt: iso(stored.committedAtMs), ...violation, time: iso(timeMs) };
}
