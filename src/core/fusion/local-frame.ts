/**
 * @module A local plane of east/north metres around a reference point, where fusion does its geometry:
 * an azimuthal equidistant projection on the WGS 84 ellipsoid (distance and azimuth from the reference
 * are kept), accurate to millimetres over ±60 km and cheap enough to run for every sensor of every fix.
 */
import { hypot } from '../hypot.ts';
import type { GaussianPoint } from './event.ts';

/** A position in a local frame, metres east and north of its reference. */
export interface EastNorth {
  readonly east: number;
  readonly north: number;
}

/** A geographic position, degrees (WGS 84). */
export interface LatLon {
  readonly lat: number;
  readonly lon: number;
}

/** A 2-D Gaussian in a local frame: the mean in metres and the covariance `[ee, en, nn]` in m². */
export interface LocalGaussian extends EastNorth {
  readonly covariance: readonly [ee: number, en: number, nn: number];
}

const A = 6378137;
const F = 1 / 298.257223563;
const E2 = F * (2 - F);
const RAD = Math.PI / 180;

/**
 * An azimuthal equidistant projection around (lat0, lon0). A point's local coordinates are its
 * distance s and azimuth α from the reference: `(s sin α, s cos α)`. The distance is the normal-section
 * arc found from the 3-D chord with the ellipsoid's radius of curvature in that azimuth (Euler), within
 * millimetres of the geodesic at 60 km; distances between two non-reference points are stretched by at
 * most 1 + s²/6R² (1.5 × 10⁻⁵ at 60 km), far below any sensor's timing error.
 *
 * The frame's north is the reference's meridian: away from it, true north turns by the meridian
 * convergence (≈ Δlon·sin lat, a fraction of a degree at these ranges). {@link LocalFrame.toLocalGaussian}
 * and {@link LocalFrame.toGaussianPoint} rotate covariances accordingly.
 *
 * @example
 * const frame = new LocalFrame(48.0, 37.8);
 * const p = frame.toLocal(48.1, 37.9); // { east: 7447.9…, north: 11121.5… }
 * frame.toGeo(p.east, p.north); // { lat: 48.1, lon: 37.9 } to < 1 µm
 */
export class LocalFrame {
  readonly lat0: number;
  readonly lon0: number;
  readonly #x0: number;
  readonly #y0: number;
  readonly #z0: number;
  readonly #sinLat0: number;
  readonly #cosLat0: number;
  readonly #sinLon0: number;
  readonly #cosLon0: number;
  /** Meridional and prime-vertical radii of curvature at the reference. */
  readonly #m0: number;
  readonly #n0: number;

  constructor(lat0: number, lon0: number) {
    if (!Number.isFinite(lat0) || Math.abs(lat0) > 89.9) {
      throw new RangeError(`lat0 must be a finite latitude within ±89.9°, got ${lat0}`);
    }
    if (!Number.isFinite(lon0)) throw new RangeError(`lon0 must be a finite longitude, got ${lon0}`);
    this.lat0 = lat0;
    this.lon0 = lon0;
    const phi = lat0 * RAD;
    const lambda = lon0 * RAD;
    this.#sinLat0 = Math.sin(phi);
    this.#cosLat0 = Math.cos(phi);
    this.#sinLon0 = Math.sin(lambda);
    this.#cosLon0 = Math.cos(lambda);
    const w2 = 1 - E2 * this.#sinLat0 * this.#sinLat0;
    this.#n0 = A / Math.sqrt(w2);
    this.#m0 = (A * (1 - E2)) / (w2 * Math.sqrt(w2));
    this.#x0 = this.#n0 * this.#cosLat0 * this.#cosLon0;
    this.#y0 = this.#n0 * this.#cosLat0 * this.#sinLon0;
    this.#z0 = this.#n0 * (1 - E2) * this.#sinLat0;
  }

  /** A frame centred on the mean latitude and longitude of `points` (at least one). */
  static around(points: readonly LatLon[]): LocalFrame {
    if (points.length === 0) throw new RangeError('LocalFrame.around needs at least one point');
    let lat = 0;
    let lon = 0;
    const lon0 = points[0]?.lon ?? 0;
    for (const p of points) {
      lat += p.lat;
      lon += wrapDegrees(p.lon - lon0);
    }
    return new LocalFrame(lat / points.length, wrapDegrees(lon0 + lon / points.length));
  }

  /** Local east/north metres of (lat, lon). */
  toLocal(lat: number, lon: number): EastNorth {
    const phi = lat * RAD;
    const lambda = lon * RAD;
    const sinPhi = Math.sin(phi);
    const cosPhi = Math.cos(phi);
    const n = A / Math.sqrt(1 - E2 * sinPhi * sinPhi);
    const dx = n * cosPhi * Math.cos(lambda) - this.#x0;
    const dy = n * cosPhi * Math.sin(lambda) - this.#y0;
    const dz = n * (1 - E2) * sinPhi - this.#z0;
    const e = -this.#sinLon0 * dx + this.#cosLon0 * dy;
    const t = this.#cosLon0 * dx + this.#sinLon0 * dy;
    const nn = -this.#sinLat0 * t + this.#cosLat0 * dz;
    const horizontal = hypot(e, nn);
    // Within a micrometre the plane is the surface (and the azimuth below would be 0/0).
    if (horizontal < 1e-6) return { east: e, north: nn };
    const chord = Math.sqrt(dx * dx + dy * dy + dz * dz);
    const cos2 = (nn * nn) / (horizontal * horizontal);
    const radius = 1 / (cos2 / this.#m0 + (1 - cos2) / this.#n0);
    const arc = 2 * radius * Math.asin(Math.min(1, chord / (2 * radius)));
    const scale = arc / horizontal;
    return { east: e * scale, north: nn * scale };
  }

  /** The geographic position of local (east, north): the inverse of {@link toLocal}, to micrometres. */
  toGeo(east: number, north: number): LatLon {
    let lat = this.lat0 + north / this.#m0 / RAD;
    let lon = this.lon0 + east / (this.#n0 * this.#cosLat0) / RAD;
    for (let i = 0; i < 8; i++) {
      const p = this.toLocal(lat, lon);
      const de = east - p.east;
      const dn = north - p.north;
      if (de * de + dn * dn < 1e-14) break;
      const phi = lat * RAD;
      const sinPhi = Math.sin(phi);
      const w2 = 1 - E2 * sinPhi * sinPhi;
      const m = (A * (1 - E2)) / (w2 * Math.sqrt(w2));
      const nRadius = A / Math.sqrt(w2);
      // The frame's axes are turned by about the meridian convergence at the point.
      const gamma = -(lon - this.lon0) * RAD * sinPhi;
      const cg = Math.cos(gamma);
      const sg = Math.sin(gamma);
      const trueEast = cg * de - sg * dn;
      const trueNorth = sg * de + cg * dn;
      lat += trueNorth / m / RAD;
      lon += trueEast / (nRadius * Math.cos(phi)) / RAD;
    }
    return { lat, lon: wrapDegrees(lon) };
  }

  /**
   * The angle, radians clockwise, from the frame's north to true north at (lat, lon): a vector of true
   * components (e', n') there has frame components R(γ)·(e', n') with R = [[cos γ, sin γ], [−sin γ, cos γ]].
   */
  convergence(lat: number, lon: number): number {
    const here = this.toLocal(lat, lon);
    const north = this.toLocal(lat + 1e-4, lon);
    return Math.atan2(north.east - here.east, north.north - here.north);
  }

  /** A geographic Gaussian in this frame: the mean projected, the covariance turned into the frame's axes. */
  toLocalGaussian(point: GaussianPoint): LocalGaussian {
    const { east, north } = this.toLocal(point.lat, point.lon);
    const gamma = this.convergence(point.lat, point.lon);
    return { east, north, covariance: rotateCovariance(point.covariance, gamma) };
  }

  /** A local Gaussian as a {@link GaussianPoint}: the covariance turned into true east/north at the mean. */
  toGaussianPoint(east: number, north: number, covariance: LocalGaussian['covariance']): GaussianPoint {
    const { lat, lon } = this.toGeo(east, north);
    const gamma = this.convergence(lat, lon);
    return { lat, lon, covariance: rotateCovariance(covariance, -gamma) };
  }
}

/**
 * The covariance of R·v for v of covariance `c`, with R = [[cos γ, sin γ], [−sin γ, cos γ]] (a turn of
 * the axes by γ, clockwise as azimuths are).
 */
export function rotateCovariance(
  c: readonly [number, number, number],
  gamma: number,
): readonly [ee: number, en: number, nn: number] {
  if (gamma === 0) return [c[0], c[1], c[2]];
  const cg = Math.cos(gamma);
  const sg = Math.sin(gamma);
  const [ee, en, nn] = c;
  return [
    cg * cg * ee + 2 * cg * sg * en + sg * sg * nn,
    -cg * sg * ee + (cg * cg - sg * sg) * en + cg * sg * nn,
    sg * sg * ee - 2 * cg * sg * en + cg * cg * nn,
  ];
}

/**
 * The surface distance in metres between two points of the ellipsoid, within centimetres of the geodesic
 * up to ~100 km (the normal-section arc of the chord; see {@link LocalFrame}). Cheap: for association
 * gates and other hot paths.
 */
export function surfaceDistanceM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const p = new LocalFrame(lat1, lon1).toLocal(lat2, lon2);
  return hypot(p.east, p.north);
}

/**
 * Metres per degree of latitude, and of longitude at `lat`, on a sphere fitted to the region: the
 * equirectangular projection cheap gates use (within about 0.5 % at tens of kilometres).
 */
export const METRES_PER_DEGREE_LAT = 110_574;
export const metresPerDegreeLon = (lat: number): number => 111_320 * Math.cos((lat * Math.PI) / 180);

function wrapDegrees(lon: number): number {
  return lon > 180 || lon < -180 ? ((((lon + 180) % 360) + 360) % 360) - 180 : lon;
}
