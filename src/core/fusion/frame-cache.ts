/**
 * @module Local frames around sensors, and sensors' places in them, computed once. Association puts
 * every candidate arrival into its seed's frame — a worst day asks ~400,000 times — but arrays do not
 * move: the same few hundred positions meet again and again. Answers are kept by exact position, so a
 * sensor that reports another position gets its own; the cache is emptied when it grows past a bound.
 */
import { LocalFrame, type EastNorth } from './local-frame.ts';

/**
 * The most positions (frames and places in them together) kept before the cache starts over: a few
 * megabytes. A front's arrays need ~10,000 (each seed's frame and the arrays within hearing of it).
 */
const MAX_KEPT = 50_000;

/** Values kept by exact position: latitude, then longitude. */
type ByPosition<V> = Map<number, Map<number, V>>;

const lookUp = <V>(table: ByPosition<V>, lat: number, lon: number): V | undefined => table.get(lat)?.get(lon);

function keep<V>(table: ByPosition<V>, lat: number, lon: number, value: V): void {
  const byLon = table.get(lat);
  if (byLon === undefined) table.set(lat, new Map([[lon, value]]));
  else byLon.set(lon, value);
  kept += 1;
}

/** A frame whose {@link CachedFrame.toLocal} remembers its answers. */
export class CachedFrame {
  readonly frame: LocalFrame;
  readonly #places: ByPosition<EastNorth> = new Map();

  constructor(frame: LocalFrame) {
    this.frame = frame;
  }

  /** How many positions it holds. */
  get size(): number {
    let size = 0;
    for (const byLon of this.#places.values()) size += byLon.size;
    return size;
  }

  /** {@link LocalFrame.toLocal}, computed once per position. */
  toLocal(lat: number, lon: number): EastNorth {
    const known = lookUp(this.#places, lat, lon);
    if (known !== undefined) return known;
    const place = this.frame.toLocal(lat, lon);
    if (kept >= MAX_KEPT) {
      // A frame held across many positions starts over too, not only the cache of frames.
      startOver();
      this.#places.clear();
    }
    keep(this.#places, lat, lon, place);
    return place;
  }
}

let kept = 0;
const frames: ByPosition<CachedFrame> = new Map();

function startOver(): void {
  frames.clear();
  kept = 0;
}

/** The frame centred on (lat, lon), shared by every caller while the cache holds it. */
export function cachedFrameAt(lat: number, lon: number): CachedFrame {
  if (kept >= MAX_KEPT) startOver();
  let frame = lookUp(frames, lat, lon);
  if (frame === undefined) {
    frame = new CachedFrame(new LocalFrame(lat, lon));
    keep(frames, lat, lon, frame);
  }
  return frame;
}
