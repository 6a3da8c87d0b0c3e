/**
 * @module The WGS 84 ellipsoid of geographiclib (Karney's algorithms, accurate to nanometres): every
 * legal distance of the agreement — zone widths, distances from a reference line — is a geodesic on it.
 */
import geographiclib from 'geographiclib-geodesic';

/** The WGS 84 geodesic calculator. */
export const wgs84 = geographiclib.Geodesic.WGS84;

/** Output masks of geographiclib, named. */
export const GEODESIC_MASK = {
  latitude: geographiclib.Geodesic.LATITUDE,
  longitude: geographiclib.Geodesic.LONGITUDE,
  azimuth: geographiclib.Geodesic.AZIMUTH,
  distance: geographiclib.Geodesic.DISTANCE,
  distanceIn: geographiclib.Geodesic.DISTANCE_IN,
  area: geographiclib.Geodesic.AREA,
  longUnroll: geographiclib.Geodesic.LONG_UNROLL,
} as const;

/**
 * The area of a polygon or multipolygon in km² on the WGS 84 ellipsoid (holes subtracted). Rings are
 * `[longitude, latitude]` positions, closed or not; their orientation does not matter.
 */
export function geodesicAreaKm2(
  polygons: readonly (readonly (readonly (readonly [number, number])[])[])[],
): number {
  const polygonArea = wgs84.Polygon(false);
  let total = 0;
  for (const polygon of polygons) {
    polygon.forEach((ring, index) => {
      polygonArea.Clear();
      const last =
        ring.length > 1 && sameLonLat(ring[0], ring[ring.length - 1]) ? ring.length - 1 : ring.length;
      for (let i = 0; i < last; i++) {
        const position = ring[i];
        if (position !== undefined) polygonArea.AddPoint(position[1], position[0]);
      }
      const area = Math.abs(polygonArea.Compute(false, true).area ?? 0) / 1e6;
      total += index === 0 ? area : -area;
    });
  }
  return total;
}

const sameLonLat = (
  a: readonly [number, number] | undefined,
  b: readonly [number, number] | undefined,
): boolean => a !== undefined && b !== undefined && a[0] === b[0] && a[1] === b[1];
