/**
 * @module Deadlines are stored in UTC and shown in the agreement's time zone: a party told "reply by
 * 2026-06-04 15:00" must not have to guess whose clock that is, so the text names the zone and its
 * offset at that instant (which changes with daylight saving).
 */
import { TrucelineError } from '../errors.ts';

const partsFormat = (timeZone: string): Intl.DateTimeFormat =>
  new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });

/**
 * `ms` as `YYYY-MM-DD HH:MM <zone> (UTC±HH:MM)` in `timeZone`, e.g.
 * `2026-06-04 15:00 Europe/Kyiv (UTC+03:00)`.
 * @throws TrucelineError `E_VALIDATION` for a time zone Intl does not know, or a time that is not finite
 */
export function formatInZone(ms: number, timeZone: string): string {
  let format: Intl.DateTimeFormat;
  try {
    format = partsFormat(timeZone);
  } catch {
    throw new TrucelineError('E_VALIDATION', `unknown time zone ${JSON.stringify(timeZone)}`, {
      issues: [{ path: 'timeZone', reason: 'must be an IANA time zone such as Europe/Kyiv' }],
    });
  }
  if (!Number.isFinite(ms))
    throw new TrucelineError('E_VALIDATION', 'the time is not a number', {
      issues: [{ path: 'ms', reason: 'must be a finite number of milliseconds' }],
    });
  const parts = Object.fromEntries(format.formatToParts(ms).map((part) => [part.type, part.value]));
  const field = (name: string): number => Number(parts[name]);
  // The offset: the wall-clock reading taken as UTC, minus the instant, to the minute.
  const wall = Date.UTC(
    field('year'),
    field('month') - 1,
    field('day'),
    field('hour'),
    field('minute'),
    field('second'),
  );
  const offsetMinutes = Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const pad = (n: number) => String(n).padStart(2, '0');
  const offset = `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return `${parts.year ?? ''}-${parts.month ?? ''}-${parts.day ?? ''} ${parts.hour ?? ''}:${parts.minute ?? ''} ${timeZone} (UTC${offset})`;
}
