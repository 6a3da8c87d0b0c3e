/**
 * @module How events and potential violations leave the server, shaped by the reader's view: the
 * parties and the public see an event's provenance only as counts by source kind (source ids and
 * per-sensor times would give the sensors away), the parties each uncertainty as a circle rounded up
 * (an ellipse's shape gives its sensor away), and the public locations coarsened.
 */
import type { Marking } from '../../core/access/markings.ts';
import { coarsen, type View } from '../../core/access/policy.ts';
import type { Contribution, GaussianPoint } from '../../core/fusion/event.ts';
import { confidenceEllipse } from '../../core/fusion/gaussian.ts';
import type { StoredEvent, StoredViolation } from '../../core/ports/fusion-store.ts';
import type { EventWire, ViolationWire } from '../../shared/wire.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

type PointWire = EventWire['location'];
const point = (p: GaussianPoint | null, view: View): PointWire =>
  p === null
    ? null
    : view.location === 'coarse'
      ? { lat: coarsen(p.lat), lon: coarsen(p.lon), covariance: null }
      : { lat: p.lat, lon: p.lon, covariance: view.sensorDetails ? [...p.covariance] : roundCircle(p) };

/** The step the circle shown to readers without sensor details is rounded up to, m (1 σ). */
export const SHOWN_SIGMA_STEP_M = 250;

/**
 * A covariance as a circle that holds its ellipse, its radius rounded up to {@link SHOWN_SIGMA_STEP_M}:
 * what readers without sensor details (the parties) are shown. A radar's ellipse lies along its line
 * of sight, its long axis a fixed share of the range: one event's origin and impact ellipses placed
 * the radar within about 100 m. Acoustic ellipses follow the arrays' geometry the same way.
 */
function roundCircle(p: GaussianPoint): [number, number, number] {
  // The long axis of the 1 σ ellipse (39.35 % in two dimensions).
  const longest = confidenceEllipse(p.covariance, 0.3935).semiMajorM;
  const sigma = Math.max(1, Math.ceil(longest / SHOWN_SIGMA_STEP_M)) * SHOWN_SIGMA_STEP_M;
  return [sigma * sigma, 0, sigma * sigma];
}

const markingWire = (m: Marking) => ({ tlp: m.tlp, releasableTo: [...m.releasableTo] });

/** Contributions counted by source kind, in a stable order. */
function provenanceCounts(provenance: readonly Contribution[]): { kind: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const c of provenance) counts.set(c.kind, (counts.get(c.kind) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([kind, count]) => ({ kind, count }));
}

export function presentEvent(stored: StoredEvent, view: View): EventWire {
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
    location: point(e.location, view),
    origin: point(e.origin, view),
    impact: point(e.impact, view),
    method: e.method,
    weaponClass: e.weaponClass,
    count: e.count,
    provenance:
      view.provenance === 'full'
        ? e.provenance.map(({ observedAtMs, ...c }) => ({ ...c, observedAt: iso(observedAtMs) }))
        : provenanceCounts(e.provenance),
    asOfSeq: e.asOfSeq,
    marking: markingWire(stored.marking),
  };
}

export function presentViolation(stored: StoredViolation, view: View): ViolationWire {
  const { timeMs, supportingSeqs, location, ...violation } = stored.violation;
  return {
    seq: stored.seq,
    committedAt: iso(stored.committedAtMs),
    ...violation,
    location: point(location, view),
    // The observations' sequence numbers only mean something to those who may read them.
    ...(view.provenance === 'full' ? { supportingSeqs } : { supportingCount: supportingSeqs.length }),
    time: iso(timeMs),
    marking: markingWire(stored.marking),
  };
}
