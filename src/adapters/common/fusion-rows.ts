/**
 * @module What the fusion stores share (the SQL ones and the in-memory one): a revision as the row a commit writes (the whole value as
 * JSON plus the columns queries filter on), the checks of a commit, and a stored row back as a value.
 */
import { sql, type QueryExecutorProvider } from 'kysely';
import { TrucelineError, validationError, type FieldIssue } from '../../core/errors.ts';
import type { SetAsideArrival } from '../../core/fusion/engine.ts';
import type { FusedEvent, GaussianPoint } from '../../core/fusion/event.ts';
import type {
  FusionCommit,
  FusionLease,
  FusionStatus,
  SetAsideSummary,
  StoredEvent,
  StoredViolation,
  ViolationQuery,
} from '../../core/ports/fusion-store.ts';
import type { PotentialViolation } from '../../core/rules/potential-violation.ts';
import { DEFAULT_MARKING_COLUMNS, markingOf } from './marking-columns.ts';

/** -0 becomes 0: SQLite cannot tell them apart, so no store does. */
export const plain = (value: number): number => value + 0;

/** What a commit writes for one revision, before it has a sequence. */
export interface Pending {
  readonly id: string;
  readonly revision: number;
  readonly type: string;
  readonly timeMs: number;
  readonly lat: number | null;
  readonly lon: number | null;
  /** Violations only (null for events). */
  readonly eventId: string | null;
  readonly party: string | null;
  readonly clause: string | null;
  /** Whether it stands (a violation without a status stands). */
  readonly status: FusionStatus;
  readonly value: string;
  /** The marking's columns: the default of events or of violations (fusion output is not marked otherwise). */
  readonly tlp: string;
  readonly releasableTo: string;
}

export const pointOf = (point: GaussianPoint | null): { lat: number | null; lon: number | null } =>
  point === null ? { lat: null, lon: null } : { lat: plain(point.lat), lon: plain(point.lon) };

export const eventRow = (e: FusedEvent): Pending => ({
  id: e.id,
  revision: e.revision,
  type: e.type,
  timeMs: plain(e.timeMs),
  ...pointOf(e.location ?? e.origin),
  eventId: null,
  party: null,
  clause: null,
  status: e.status,
  value: JSON.stringify(e),
  ...DEFAULT_MARKING_COLUMNS.event,
});

export const violationRow = (v: PotentialViolation): Pending => ({
  id: v.id,
  revision: v.revision,
  type: v.eventType,
  timeMs: plain(v.timeMs),
  ...pointOf(v.location),
  eventId: v.eventId,
  party: v.party,
  clause: v.clause,
  status: v.status ?? 'active',
  value: JSON.stringify(v),
  ...DEFAULT_MARKING_COLUMNS.violation,
});

/** Whether a query can match nothing: no rows asked for, or a filter with an empty list. */
export const matchesNothing = (limit: number, query: ViolationQuery): boolean =>
  limit === 0 ||
  [query.types, query.parties, query.clauses, query.statuses].some((list) => list?.length === 0);

/** Why fusion may set an arrival aside (see `SetAsideArrival`). */
const SET_ASIDE_REASONS: readonly string[] = ['crowded'] satisfies readonly SetAsideArrival['reason'][];

/** What fusion set aside, per source and reason (the same SQL on SQLite and PostgreSQL). */
export async function readSetAside(
  db: QueryExecutorProvider,
  sourceIds?: readonly string[],
): Promise<SetAsideSummary[]> {
  if (sourceIds?.length === 0) return [];
  const only =
    sourceIds === undefined
      ? sql``
      : sql`WHERE source_id IN (${sql.join([...new Set(sourceIds)].map((id) => sql`${id}`))})`;
  const result = await sql<{
    source_id: string;
    reason: string;
    arrivals: number | string;
    first_ms: number | string;
    last_ms: number | string;
  }>`SELECT source_id, reason, arrivals, first_ms, last_ms FROM fusion_set_aside_sources ${only}
    ORDER BY source_id, reason`.execute(db);
  return result.rows.map((row) => ({
    sourceId: row.source_id,
    reason: row.reason as SetAsideArrival['reason'],
    arrivals: Number(row.arrivals),
    firstMs: Number(row.first_ms),
    lastMs: Number(row.last_ms),
  }));
}

/** Throws `E_VALIDATION` naming each field a store could not keep or index faithfully. */
/** The largest revision number a store keeps. */
export const MAX_REVISION = 2 ** 31 - 1;

export function checkCommit(input: FusionCommit): void {
  const issues: FieldIssue[] = [];
  if (!Number.isSafeInteger(input.cursorSeq) || input.cursorSeq < 0)
    issues.push({ path: 'cursorSeq', reason: 'must be a whole number, 0 or more' });
  if (!Number.isSafeInteger(input.committedAtMs))
    issues.push({ path: 'committedAtMs', reason: 'must be a whole number of milliseconds' });
  const each = (path: string, value: FusedEvent | PotentialViolation, point: GaussianPoint | null) => {
    if (typeof value.id !== 'string' || value.id === '')
      issues.push({ path: `${path}.id`, reason: 'must be a non-empty string' });
    // Every store keeps a revision as a 32-bit integer (PostgreSQL's column is one).
    if (!Number.isSafeInteger(value.revision) || value.revision < 1 || value.revision > MAX_REVISION)
      issues.push({ path: `${path}.revision`, reason: `must be a whole number from 1 to ${MAX_REVISION}` });
    if (!Number.isFinite(value.timeMs))
      issues.push({ path: `${path}.timeMs`, reason: 'must be a finite number' });
    if (point !== null && !(Number.isFinite(point.lat) && Number.isFinite(point.lon)))
      issues.push({ path: `${path}.location`, reason: 'lat and lon must be finite numbers' });
  };
  input.events.forEach((e, i) => each(`events[${i}]`, e, e.location ?? e.origin));
  input.violations.forEach((v, i) => each(`violations[${i}]`, v, v.location));
  input.setAside?.forEach((a, i) => {
    if (!Number.isSafeInteger(a.seq) || a.seq < 1)
      issues.push({ path: `setAside[${i}].seq`, reason: 'must be a whole number, 1 or more' });
    if (typeof a.sourceId !== 'string' || a.sourceId === '')
      issues.push({ path: `setAside[${i}].sourceId`, reason: 'must be a non-empty string' });
    if (!Number.isSafeInteger(a.timeMs))
      issues.push({ path: `setAside[${i}].timeMs`, reason: 'must be a whole number of milliseconds' });
    if (!SET_ASIDE_REASONS.includes(a.reason))
      issues.push({
        path: `setAside[${i}].reason`,
        reason: `must be one of ${SET_ASIDE_REASONS.join(', ')}`,
      });
  });
  if (issues.length > 0) throw validationError('the fusion commit is invalid', issues);
}

/** Throws `E_CONFLICT` when a revision is not after the latest one stored (or earlier in the commit). */
export function checkRevisions(
  what: 'event' | 'potential violation',
  rows: readonly { readonly id: string; readonly revision: number }[],
  latest: (id: string) => number,
): void {
  const seen = new Map<string, number>();
  for (const row of rows) {
    const before = seen.get(row.id) ?? latest(row.id);
    if (row.revision <= before)
      throw new TrucelineError(
        'E_CONFLICT',
        `${what} ${JSON.stringify(row.id)} revision ${row.revision} is not after its revision ${before}`,
        { details: { what, id: row.id, revision: row.revision, latest: before } },
      );
    seen.set(row.id, row.revision);
  }
}

export interface RevisionRow {
  seq: number;
  committed_at: number;
  value: string;
  tlp: string;
  releasable_to: string;
}

export const toEvent = (row: RevisionRow): StoredEvent => ({
  seq: row.seq,
  committedAtMs: row.committed_at,
  event: JSON.parse(row.value) as FusedEvent,
  marking: markingOf(row.tlp, row.releasable_to),
});

export const toViolation = (row: RevisionRow): StoredViolation => ({
  seq: row.seq,
  committedAtMs: row.committed_at,
  violation: JSON.parse(row.value) as PotentialViolation,
  marking: markingOf(row.tlp, row.releasable_to),
});

/** The tables of one kind of output. */
export const TABLES = {
  event: { revisions: 'event_revisions', heads: 'event_heads', type: 'type' },
  violation: { revisions: 'violation_revisions', heads: 'violation_heads', type: 'event_type' },
} as const;

/** A `fusion_lease` row as stored (integers may come back as text from PostgreSQL's bigint). */
export interface FusionLeaseRow {
  readonly holder: string;
  readonly pid: number | string;
  readonly host: string;
  readonly purpose: string;
  readonly claimed_at: number | string;
  readonly expires_at: number | string;
}

/** The lease a `fusion_lease` row holds. */
export const leaseOfRow = (row: FusionLeaseRow): FusionLease => ({
  holder: row.holder,
  pid: Number(row.pid),
  host: row.host,
  purpose: row.purpose,
  claimedAtMs: Number(row.claimed_at),
  expiresAtMs: Number(row.expires_at),
});

/** The columns of a `fusion_lease` row, in the order of its INSERT. */
export const leaseParams = (lease: FusionLease): [string, number, string, string, number, number] => [
  lease.holder,
  lease.pid,
  lease.host,
  lease.purpose,
  lease.claimedAtMs,
  lease.expiresAtMs,
];
