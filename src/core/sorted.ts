/** @module Binary searches over ascending numbers. */

/** The first place in ascending `sorted` whose value is ≥ `x` (its length when none is). */
export function lowerBound(sorted: ArrayLike<number>, x: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] ?? 0) < x) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The first place in ascending `sorted` whose value is > `x` (its length when none is). */
export function upperBound(sorted: ArrayLike<number>, x: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] ?? 0) <= x) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** How many values of ascending `sorted` lie in [from, to]. */
export const countWithin = (sorted: ArrayLike<number>, from: number, to: number): number =>
  upperBound(sorted, to) - lowerBound(sorted, from);
