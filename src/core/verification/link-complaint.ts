/**
 * @module Links a complaint to the fused events it may describe, by time and distance (and kind, when
 * the complaint names one). A link is a lead for the verifier, not a finding: the verification item
 * of the complaint is where it is confirmed or rejected.
 */
import { wgs84 } from '../agreement/geodesic.ts';
import type { EventKind } from '../agreement/kinds.ts';
import type { ProhibitedConduct } from '../agreement/schema.ts';
import type { Complaint } from './complaint.ts';
import type { LatLon } from './impediment.ts';

/**
 * How far apart in time a complaint and an event may be: ± 3 hours. Complaints give times from memory
 * and reports relayed up a chain of command ("around 14:00", "in the afternoon"); a narrower window
 * loses true links, a wider one floods the verifier with shelling that went on all day.
 */
export const COMPLAINT_LINK_WINDOW_MS = 3 * 60 * 60 * 1000;

/**
 * How far apart in space: 10 km, geodesic. Complaints place an event at a settlement or a position,
 * not a grid reference; 10 km covers a town and its outskirts and the error of a fused origin several
 * times over.
 */
export const COMPLAINT_LINK_DISTANCE_KM = 10;

/** What the matcher reads of an event; a `FusedEvent` fits as it is. */
export interface LinkCandidate {
  readonly id: string;
  readonly type: EventKind;
  readonly timeMs: number;
  readonly location: LatLon | null;
  /** Withdrawn events are never linked. */
  readonly status?: 'active' | 'withdrawn';
}

/** One link: the event, how far in time and space, and a score (lower is closer). */
export interface ComplaintLink {
  readonly eventId: string;
  /** Event time minus complaint time, ms. */
  readonly timeDeltaMs: number;
  /** Geodesic distance, km; null when the complaint or the event has no position. */
  readonly distanceKm: number | null;
  /** |Δt| / window + distance / max distance (1 when the distance is unknown): for ordering only. */
  readonly score: number;
}

/** Limits of the matcher; the defaults are the named constants. */
export interface LinkOptions {
  readonly windowMs?: number;
  readonly maxDistanceKm?: number;
  /** The prohibited conduct of the terms: a complaint naming a clause links only to events of its kinds. */
  readonly conduct?: readonly ProhibitedConduct[];
}

/**
 * The events a complaint may describe, closest first. An event links when it is within the time window
 * and, when the complaint names an event kind (or a clause whose kinds `options.conduct` gives), of
 * that kind; and then either both have positions within the distance, or — one of them lacking a
 * position — the kind was checked (time alone never links: every complaint would match every
 * event of its day).
 */
export function linkComplaint(
  complaint: Complaint,
  candidates: readonly LinkCandidate[],
  options: LinkOptions = {},
): readonly ComplaintLink[] {
  const windowMs = options.windowMs ?? COMPLAINT_LINK_WINDOW_MS;
  const maxKm = options.maxDistanceKm ?? COMPLAINT_LINK_DISTANCE_KM;
  const kinds = allegedKinds(complaint, options.conduct);
  const links: ComplaintLink[] = [];
  for (const candidate of candidates) {
    if (candidate.status === 'withdrawn') continue;
    const timeDeltaMs = candidate.timeMs - complaint.when;
    if (Math.abs(timeDeltaMs) > windowMs) continue;
    if (kinds !== null && !kinds.includes(candidate.type)) continue;
    const distanceKm =
      complaint.where === null || candidate.location === null
        ? null
        : geodesicKm(complaint.where, candidate.location);
    if (distanceKm === null ? kinds === null : distanceKm > maxKm) continue;
    const score = Math.abs(timeDeltaMs) / windowMs + (distanceKm === null ? 1 : distanceKm / maxKm);
    links.push({ eventId: candidate.id, timeDeltaMs, distanceKm, score });
  }
  return links.sort(
    (a, b) => a.score - b.score || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0),
  );
}

/** The event kinds the complaint alleges, or null when it constrains none. */
function allegedKinds(
  complaint: Complaint,
  conduct: readonly ProhibitedConduct[] | undefined,
): readonly EventKind[] | null {
  if (complaint.what.eventKind !== null) return [complaint.what.eventKind];
  const clause = complaint.what.clause;
  const entry = clause === null ? undefined : conduct?.find((item) => item.id === clause);
  return entry === undefined ? null : entry.eventKinds;
}

const geodesicKm = (a: LatLon, b: LatLon): number =>
  (wgs84.Inverse(a.lat, a.lon, b.lat, b.lon).s12 ?? 0) / 1000;
