/**
 * @module An approximate front line in eastern and southern Ukraine (Vovchansk → Kupiansk → Lyman →
 * Bakhmut → Pokrovsk → Huliaipole → Orikhiv → along the Dnipro to Kherson), ~1,000 km, used only to
 * place generated sensors and events plausibly. It is not the shipped agreement's line.
 */

/** [lat, lon] vertices, north to south-west. */
const VERTICES: readonly (readonly [number, number])[] = [
  [50.36, 36.9],
  [50.18, 37.35],
  [49.95, 37.55],
  [49.71, 37.68],
  [49.35, 37.95],
  [48.98, 37.86],
  [48.87, 38.12],
  [48.6, 37.95],
  [48.35, 37.76],
  [48.28, 37.3],
  [48.0, 37.25],
  [47.84, 36.85],
  [47.66, 36.3],
  [47.53, 35.8],
  [47.45, 35.3],
  [47.2, 34.75],
  [46.95, 34.1],
  [46.76, 33.45],
  [46.68, 33.05],
];

const KM_PER_DEG_LAT = 111.2;
const kmPerDegLon = (lat: number): number => KM_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180);

interface Segment {
  readonly lat0: number;
  readonly lon0: number;
  readonly lat1: number;
  readonly lon1: number;
  readonly startKm: number;
  readonly lengthKm: number;
}

const SEGMENTS: readonly Segment[] = (() => {
  const segments: Segment[] = [];
  let startKm = 0;
  for (let i = 1; i < VERTICES.length; i += 1) {
    const [lat0, lon0] = VERTICES[i - 1]!;
    const [lat1, lon1] = VERTICES[i]!;
    const mid = (lat0 + lat1) / 2;
    const dy = (lat1 - lat0) * KM_PER_DEG_LAT;
    const dx = (lon1 - lon0) * kmPerDegLon(mid);
    const lengthKm = Math.hypot(dx, dy);
    segments.push({ lat0, lon0, lat1, lon1, startKm, lengthKm });
    startKm += lengthKm;
  }
  return segments;
})();

/** Length of the line, km. */
export const FRONT_LENGTH_KM = SEGMENTS.reduce((sum, s) => sum + s.lengthKm, 0);

/**
 * The point `alongKm` along the line, moved `offsetKm` to its side (positive: to the right when
 * walking north to south, i.e. roughly west / the government-controlled side).
 */
export function frontPoint(alongKm: number, offsetKm: number): { lat: number; lon: number } {
  const s = Math.min(Math.max(alongKm, 0), FRONT_LENGTH_KM);
  const seg = SEGMENTS.find((g) => s <= g.startKm + g.lengthKm) ?? SEGMENTS[SEGMENTS.length - 1]!;
  const f = seg.lengthKm === 0 ? 0 : (s - seg.startKm) / seg.lengthKm;
  const lat = seg.lat0 + f * (seg.lat1 - seg.lat0);
  const lon = seg.lon0 + f * (seg.lon1 - seg.lon0);
  const kx = kmPerDegLon(lat);
  // Unit direction in km space, then its right-hand normal.
  const dy = (seg.lat1 - seg.lat0) * KM_PER_DEG_LAT;
  const dx = (seg.lon1 - seg.lon0) * kx;
  const len = Math.hypot(dx, dy) || 1;
  const nx = dy / len;
  const ny = -dx / len;
  return { lat: lat + (ny * offsetKm) / KM_PER_DEG_LAT, lon: lon + (nx * offsetKm) / kx };
}

/** `p` moved by `eastKm` and `northKm`. */
export function offsetPoint(
  p: { lat: number; lon: number },
  eastKm: number,
  northKm: number,
): { lat: number; lon: number } {
  return { lat: p.lat + northKm / KM_PER_DEG_LAT, lon: p.lon + eastKm / kmPerDegLon(p.lat) };
}
