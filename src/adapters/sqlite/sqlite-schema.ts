/** @module The SQLite store's tables as Kysely sees them (created by sqlite-migrations.ts). */
import type { PolicyRow } from '../common/access-rows.ts';
import type { Generated } from 'kysely';

/** The one-row table of counters, updated inside every write transaction. */
export interface SqliteStoreStateTable {
  id: number;
  /** The commit sequence: one counter over every committed fact. */
  last_seq: number;
  last_quarantine_id: number;
  /** Bytes of rejected records kept, against the quota. */
  quarantine_head_bytes: number;
  observation_count: number;
  /** The earliest and latest observed time (ms) of any observation stored; null while there is none. */
  first_observed_at: number | null;
  last_observed_at: number | null;
  /** The highest observation sequence fusion has accounted for; never moves back. */
  fusion_cursor: number;
}

export interface SqliteObservationsTable {
  seq: number;
  source_id: string;
  record_id: string;
  kind: string;
  observed_at: number;
  time_uncertainty_ms: number;
  received_at: number;
  lat: number | null;
  lon: number | null;
  ce_m: number | null;
  /** The grid key of (lat, lon) on its day (src/adapters/common/spatial-grid.ts). */
  grid_key: number | null;
  weapon_class: string | null;
  batch_id: string | null;
  content_sha256: string;
  content: string;
  /** The marking's TLP level (migration 0003; default from `DEFAULT_MARKINGS`). */
  tlp: string;
  /** The marking's releasability list, JSON array text. */
  releasable_to: string;
}

export interface SqliteQuarantineTable {
  id: number;
  received_at: number;
  origin: string;
  position: number;
  source_id: string | null;
  record_id: string | null;
  field: string;
  reason: string;
  sha256: string;
  size_bytes: number;
  head: Uint8Array;
  /** 1 or 0. */
  head_kept: number;
}

export interface SqliteSourcesTable {
  id: string;
  kind: string;
  organisation: string;
  name: string;
  lat: number | null;
  lon: number | null;
  altitude_m: number | null;
  orientation_deg: number | null;
  /** JSON object. */
  capabilities: string;
  /** JSON array of SourceKey. */
  keys: string;
  registered_at: number;
  /** The marking's TLP level (migration 0003; default from `DEFAULT_MARKINGS`). */
  tlp: string;
  /** The marking's releasability list, JSON array text. */
  releasable_to: string;
}

export interface SqliteSensorStatusTable {
  source_id: string;
  state: string;
  since_ms: number;
  last_heartbeat_ms: number;
}

/** An arrival fusion set aside unused (a crowded sensor's), by its observation's sequence. */
export interface SqliteFusionSetAsideTable {
  seq: number;
  source_id: string;
  observed_at: number;
  reason: string;
}

/** Per source and reason: how many arrivals fusion set aside, and their earliest and latest times. */
export interface SqliteFusionSetAsideSourcesTable {
  source_id: string;
  reason: string;
  arrivals: number;
  first_ms: number;
  last_ms: number;
}

/** Fusion's lease: one row while a pipeline holds it. */
export interface SqliteFusionLeaseTable {
  id: number;
  holder: string;
  pid: number;
  host: string;
  purpose: string;
  claimed_at: number;
  expires_at: number;
}

export interface SqliteAgreementsTable {
  id: string;
  revision: number;
  document_json: string;
  content_sha256: string;
  registered_at: number;
}

/** Every revision of every fused event; `value` is the whole FusedEvent as JSON. */
export interface SqliteEventRevisionsTable {
  /** From the one commit counter (store_state.last_seq). */
  seq: number;
  id: string;
  revision: number;
  type: string;
  time_ms: number;
  /** The event's location, or its origin when it has no location. */
  lat: number | null;
  lon: number | null;
  committed_at: number;
  value: string;
  /** The marking's TLP level (migration 0003; default from `DEFAULT_MARKINGS`). */
  tlp: string;
  /** The marking's releasability list, JSON array text. */
  releasable_to: string;
}

/** The latest revision of each event, with the columns queries filter on. */
export interface SqliteEventHeadsTable {
  id: string;
  /** The head revision's seq (a row of event_revisions). */
  seq: number;
  revision: number;
  type: string;
  time_ms: number;
  lat: number | null;
  lon: number | null;
}

/** Every revision of every potential violation; `value` is the whole PotentialViolation as JSON. */
export interface SqliteViolationRevisionsTable {
  seq: number;
  id: string;
  revision: number;
  event_id: string;
  event_type: string;
  time_ms: number;
  /** The violation's `location`. */
  lat: number | null;
  lon: number | null;
  party: string | null;
  clause: string;
  committed_at: number;
  value: string;
  /** The marking's TLP level (migration 0003; default from `DEFAULT_MARKINGS`). */
  tlp: string;
  /** The marking's releasability list, JSON array text. */
  releasable_to: string;
}

/** The latest revision of each potential violation, with the columns queries filter on. */
export interface SqliteViolationHeadsTable {
  id: string;
  seq: number;
  revision: number;
  event_type: string;
  time_ms: number;
  lat: number | null;
  lon: number | null;
  party: string | null;
  clause: string;
}

export interface SqliteOrganisationsTable {
  id: string;
  /** One of ORG_KINDS. */
  kind: string;
  name: string;
  created_at: number;
}

export interface SqliteUsersTable {
  id: string;
  name: string;
  org_id: string;
  /** One of ROLES. */
  role: string;
  /** `issuer|subject`. */
  oidc_identity: string | null;
  created_at: number;
  disabled_at: number | null;
}

export interface SqliteApiTokensTable {
  id: string;
  user_id: string;
  /** JSON array of Scope. */
  scopes: string;
  token_sha256: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export interface SqliteSessionsTable {
  id: string;
  user_id: string;
  secret_sha256: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

/** The record of reads: appended to, never changed. */
export interface SqliteReadLogTable {
  id: Generated<number>;
  at: number;
  user_id: string | null;
  org_id: string;
  route: string;
  /** JSON array of record keys. */
  records: string;
}

/** Signed submissions, byte for byte, one per (source, batch id). */
export interface SqliteSubmissionsTable {
  source_id: string;
  batch_id: string;
  key_id: string;
  signed_at: number;
  received_at: number;
  method: string;
  target: string;
  content_type: string;
  content_digest: string;
  signature_input: string;
  signature: string;
  body: Uint8Array;
  body_encoding: string;
  flagged_at: number | null;
  flag_reason: string | null;
}

/** A user's password hash, apart from the (ledgered) user row. */
export interface SqliteUserCredentialsTable {
  user_id: string;
  password_hash: string;
}

export interface SqliteSchema {
  store_state: SqliteStoreStateTable;
  observations: SqliteObservationsTable;
  quarantine: SqliteQuarantineTable;
  sources: SqliteSourcesTable;
  sensor_status: SqliteSensorStatusTable;
  fusion_set_aside: SqliteFusionSetAsideTable;
  fusion_set_aside_sources: SqliteFusionSetAsideSourcesTable;
  fusion_lease: SqliteFusionLeaseTable;
  agreements: SqliteAgreementsTable;
  event_revisions: SqliteEventRevisionsTable;
  event_heads: SqliteEventHeadsTable;
  violation_revisions: SqliteViolationRevisionsTable;
  violation_heads: SqliteViolationHeadsTable;
  organisations: SqliteOrganisationsTable;
  access_policies: PolicyRow;
  users: SqliteUsersTable;
  user_credentials: SqliteUserCredentialsTable;
  api_tokens: SqliteApiTokensTable;
  sessions: SqliteSessionsTable;
  read_log: SqliteReadLogTable;
  submissions: SqliteSubmissionsTable;
}
