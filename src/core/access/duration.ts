/** @module Durations as operators write them: `90m`, `1h`, `30d`, `45s`, `2w`. */

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** The longest duration accepted (ten years), so no arithmetic overflows a date. */
export const MAX_DURATION_MS = 3_650 * UNIT_MS.d;

/** Milliseconds, or an error message saying what is wrong with `text`. */
export function parseDuration(text: string): { ms: number } | { error: string } {
  const match = /^(\d{1,6})([smhdw])$/.exec(text.trim());
  if (match === null)
    return { error: 'must be a whole number followed by s, m, h, d or w (for example 90m, 1h, 30d)' };
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (ms <= 0) return { error: 'must be longer than zero' };
  if (ms > MAX_DURATION_MS) return { error: 'must be at most 3650d' };
  return { ms };
}
