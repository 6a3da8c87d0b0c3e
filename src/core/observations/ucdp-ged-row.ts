/**
 * @module UCDP Georeferenced Event Dataset rows as OSINT observations. Time is the middle of
 * `date_start`..`date_end` (whole days, UTC) with half the span as uncertainty; the circular error
 * comes from `where_prec`, never zero; rows located only to a country or international waters are
 * too imprecise and are rejected.
 */
import type { FieldIssue } from '../errors.ts';

/** The source every UCDP GED import is recorded under (registered automatically on import). */
export const UCDP_GED_SOURCE_ID = 'ucdp-ged';

/** `where_prec` → circular error in metres; 6 (country) and 7 (international waters) have none. */
export const UCDP_PRECISION_CE_M: Readonly<Record<string, number>> = {
  '1': 1_000,
  '2': 25_000,
  '3': 50_000,
  '4': 150_000,
  '5': 150_000,
};

const DAY_MS = 24 * 3600 * 1000;
const DATE = /^(\d{4}-\d{2}-\d{2})(?:[ T]00:00:00(?:\.0+)?)?$/;

/** The death-count columns, each optional: blank when UCDP has no estimate. */
const DEATH_COUNTS = ['best', 'low', 'high'] as const;
/** A whole number as exports write one: `12`, or `12.0`. */
const WHOLE = /^\d+(?:\.0+)?$/;
/** A decimal number (`Number` alone would also read `0x10`, `0b1` or `Infinity`). */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The start (UTC, ms) of a date column's day, if it is one that exists (`Date.parse` rolls 02-30 over). */
function dayOf(text: string | undefined): number | undefined {
  const day = DATE.exec(text?.trim() ?? '')?.[1];
  if (day === undefined) return undefined;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().startsWith(day) ? ms : undefined;
}

/** A coordinate column as a number, if it is a decimal one. */
function decimalOf(text: string | undefined): number | undefined {
  const trimmed = text?.trim() ?? '';
  return DECIMAL.test(trimmed) ? Number(trimmed) : undefined;
}

/** One CSV row (column name → text) as an observation, or the issues that keep it out. */
export function ucdpGedRowToObservation(
  row: Readonly<Record<string, string>>,
): { readonly value: unknown } | { readonly issues: readonly FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const id = row.id?.trim() ?? '';
  if (id === '') issues.push({ path: 'id', reason: 'is required' });
  const start = dayOf(row.date_start);
  const end = dayOf(row.date_end);
  if (start === undefined)
    issues.push({ path: 'date_start', reason: 'must be a date that exists, like 2015-02-12' });
  if (end === undefined)
    issues.push({ path: 'date_end', reason: 'must be a date that exists, like 2015-02-12' });
  const lat = decimalOf(row.latitude);
  const lon = decimalOf(row.longitude);
  if (lat === undefined) issues.push({ path: 'latitude', reason: 'must be a decimal number' });
  if (lon === undefined) issues.push({ path: 'longitude', reason: 'must be a decimal number' });
  const precision = row.where_prec?.trim() ?? '';
  const ceM = UCDP_PRECISION_CE_M[precision];
  if (ceM === undefined) {
    issues.push({
      path: 'where_prec',
      reason:
        precision === '6' || precision === '7'
          ? `is ${precision} (${precision === '6' ? 'country' : 'international waters'}): too imprecise to locate`
          : 'must be 1 to 5',
    });
  }
  // Blank counts are left out, not set to undefined: the record is then plain JSON (validation's fast
  // path takes it as it is). A count that is there must be one: nothing sent is dropped silently.
  const deaths: Record<string, number> = {};
  for (const column of DEATH_COUNTS) {
    const text = row[column]?.trim() ?? '';
    if (text === '') continue;
    const count = Number(text);
    if (WHOLE.test(text) && Number.isSafeInteger(count)) deaths[column] = count;
    else issues.push({ path: column, reason: 'must be a whole number of deaths (0 or more), or blank' });
  }
  if (
    issues.length > 0 ||
    start === undefined ||
    end === undefined ||
    lat === undefined ||
    lon === undefined ||
    ceM === undefined
  )
    return { issues };

  const from = start;
  const to = end + DAY_MS;
  if (!(to > from)) return { issues: [{ path: 'date_end', reason: 'must not be before date_start' }] };
  const headline = row.source_headline?.trim();
  return {
    value: {
      id: `ged-${id}`,
      sourceId: UCDP_GED_SOURCE_ID,
      kind: 'osint',
      observedAt: new Date((from + to) / 2).toISOString(),
      timeUncertaintyMs: (to - from) / 2,
      location: { lat, lon, ceM },
      payload: {
        origin: 'ucdp-ged',
        externalId: id,
        ...(headline ? { headline: headline.slice(0, 1000) } : {}),
        ...(row.adm_1?.trim() ? { adm1: row.adm_1.trim().slice(0, 200) } : {}),
        ...(row.dyad_name?.trim() ? { parties: row.dyad_name.trim().slice(0, 500) } : {}),
        deaths,
      },
    },
  };
}
