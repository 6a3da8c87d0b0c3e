/**
 * @module Geodesy for the simulator: WGS 84 geodesics (geographiclib, the same ellipsoid the agreement's
 * distances use) and a frame along the reference line — km along it, km off it — to lay out sensors
 * and fire.
 */
import { GEODESIC_MASK, wgs84 } from '../../core/agreement/geodesic.ts';
import type { ReferenceLine } from '../../core/agreement/index.ts';
import type { TruthPoint } from './truth.ts';

const INVERSE = GEODESIC_MASK.distance | GEODESIC_MASK.azimuth;
const DIRECT = GEODESIC_MASK.latitude | GEODESIC_MASK.longitude;

/**
 * Geodesic distance (m) and forward azimuth (degrees clockwise from north) from a to b; `arrivalAzDeg`
 * is the geodesic's azimuth where it reaches b (pointing on, away from a).
 */
export function inverse(
  aLat: number,
  aLon: number,
  bLat: number,
  bLon: number,
): { m: number; azDeg: number; arrivalAzDeg: number } {
  const r = wgs84.Inverse(aLat, aLon, bLat, bLon, INVERSE);
  return { m: r.s12 ?? 0, azDeg: r.azi1 ?? 0, arrivalAzDeg: r.azi2 ?? 0 };
}

/** The point `metres` from (lat, lon) along azimuth `azDeg`. */
export function destination(lat: number, lon: number, azDeg: number, metres: number): TruthPoint {
  const r = wgs84.Direct(lat, lon, azDeg, metres, DIRECT);
  return { lat: r.lat2 ?? lat, lon: r.lon2 ?? lon };
}

/** A cheap lower-bound-ish distance in km (equirectangular), to prune before a geodesic. */
export function roughKm(aLat: number, aLon: number, bLat: number, bLon: number): number {
  const x = (bLon - aLon) * Math.cos(((aLat + bLat) * Math.PI) / 360) * 111.32;
  const y = (bLat - aLat) * 110.57;
  return Math.hypot(x, y);
}

/** Rounds degrees to 1e-6 (about 0.1 m): the precision every written position has. */
export const roundDeg = (x: number): number => Math.round(x * 1e6) / 1e6;
export const roundPoint = (p: TruthPoint): TruthPoint => ({ lat: roundDeg(p.lat), lon: roundDeg(p.lon) });

/** Azimuth in [0, 360). */
export const normAz = (deg: number): number => ((deg % 360) + 360) % 360;

/**
 * A frame along a reference line: `point(alongKm, offsetKm)` is the point `alongKm` along the line
 * moved `offsetKm` perpendicular to it, to the right of the line's direction for positive offsets.
 */
export class LineFrame {
  readonly lengthKm: number;
  readonly #starts: number[] = [];
  readonly #segments: { lat: number; lon: number; azDeg: number; km: number }[] = [];

  constructor(line: ReferenceLine) {
    const coordinates = line.geometry.coordinates;
    let total = 0;
    for (let i = 0; i + 1 < coordinates.length; i++) {
      const a = coordinates[i];
      const b = coordinates[i + 1];
      if (a === undefined || b === undefined) continue;
      const { m, azDeg } = inverse(a[1], a[0], b[1], b[0]);
      if (m === 0) continue;
      this.#starts.push(total);
      this.#segments.push({ lat: a[1], lon: a[0], azDeg, km: m / 1000 });
      total += m / 1000;
    }
    this.lengthKm = total;
  }

  /** The point on the line `alongKm` along it, and the line's direction there. */
  onLine(alongKm: number): TruthPoint & { azDeg: number } {
    const s = Math.min(Math.max(alongKm, 0), this.lengthKm);
    let i = this.#segments.length - 1;
    while (i > 0 && (this.#starts[i] ?? 0) > s) i--;
    const segment = this.#segments[i];
    if (segment === undefined) throw new RangeError('the reference line has no length');
    const into = (s - (this.#starts[i] ?? 0)) * 1000;
    const r = wgs84.Direct(segment.lat, segment.lon, segment.azDeg, into, DIRECT | GEODESIC_MASK.azimuth);
    return { lat: r.lat2 ?? segment.lat, lon: r.lon2 ?? segment.lon, azDeg: r.azi2 ?? segment.azDeg };
  }

  /** The point `offsetKm` to the right (negative: left) of the line at `alongKm`. */
  point(alongKm: number, offsetKm: number): TruthPoint {
    const on = this.onLine(alongKm);
    if (offsetKm === 0) return { lat: on.lat, lon: on.lon };
    return destination(on.lat, on.lon, on.azDeg + 90, offsetKm * 1000);
  }
}
