/** @module The PostgreSQL store's tables as Kysely sees them (created by postgres-migrations.ts). */
import type { GeneratedAlways } from 'kysely';
import type { PolicyRow } from '../common/access-rows.ts';

/** The one-row table of counters; its row lock serializes writers, so seq order is commit order. */
export interface PostgresStoreStateTable {
  id: number;
  /** The commit sequence: one counter over every committed fact. */
  last_seq: number;
  last_quarantine_id: number;
  /** Bytes of rejected records kept, against the quota. */
  quarantine_head_bytes: number;
  observation_count: number;
  /** The highest observation sequence fusion has accounted for; never moves back. */
  fusion_cursor: number;
}

export interface PostgresObservationsTable {
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
  weapon_class: string | null;
  batch_id: string | null;
  content_sha256: string;
  content: string;
  /** The marking's TLP level (migration 0003; default from `DEFAULT_MARKINGS`). */
  tlp: string;
  /** The marking's releasability list, JSON array text. */
  releasable_to: string;
  /** PostGIS point (SRID 4326) computed from lon/lat; GiST-indexed. */
  geom: GeneratedAlways<unknown>;
}

export interface PostgresQuarantineTable {
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
  head: Buffer;
  head_kept: boolean;
}

export interface PostgresSourcesTable {
  id: string;
  kind: string;
  organisation: string;
  name: string;
  lat: number | null;
  lon: number | null;
  altitude_m: number | null;
  orientation_deg: number | null;
  /** JSON object, as text (kept byte for byte, unlike jsonb). */
  capabilities: string;
  /** JSON array of SourceKey, as text. */
  keys: string;
  registered_at: number;
  /** The marking's TLP level (migration 0003; default from `DEFAULT_MARKINGS`). */
  tlp: string;
  /** The marking's releasability list, JSON array text. */
  releasable_to: string;
}

export interface PostgresSensorStatusTable {
  source_id: string;
  state: string;
  since_ms: number;
  last_heartbeat_ms: number;
}

/** An arrival fusion set aside unused (a crowded sensor's), by its observation's sequence. */
export interface PostgresFusionSetAsideTable {
  seq: number;
  source_id: string;
  observed_at: number;
  reason: string;
}

/** Per source and reason: how many arrivals fusion set aside, and their earliest and latest times. */
export interface PostgresFusionSetAsideSourcesTable {
  source_id: string;
  reason: string;
  arrivals: number;
  first_ms: number;
  last_ms: number;
}

/** Fusion's lease: one row while a pipeline holds it. */
export interface PostgresFusionLeaseTable {
  id: number;
  holder: string;
  pid: number;
  host: string;
  purpose: string;
  claimed_at: number;
  expires_at: number;
}

export interface PostgresAgreementsTable {
  id: string;
  revision: number;
  document_json: string;
  content_sha256: string;
  registered_at: number;
}

/** Every revision of every fused event; `value` is the whole FusedEvent as JSON. */
export interface PostgresEventRevisionsTable {
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
export interface PostgresEventHeadsTable {
  id: string;
  /** The head revision's seq (a row of event_revisions). */
  seq: number;
  revision: number;
  type: string;
  time_ms: number;
  lat: number | null;
  lon: number | null;
  /** PostGIS point (SRID 4326) computed from lon/lat; GiST-indexed. */
  geom: GeneratedAlways<unknown>;
}

/** Every revision of every potential violation; `value` is the whole PotentialViolation as JSON. */
export interface PostgresViolationRevisionsTable {
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
export interface PostgresViolationHeadsTable {
  id: string;
  seq: number;
  revision: number;
  event_type: string;
  time_ms: number;
  lat: number | null;
  lon: number | null;
  party: string | null;
  clause: string;
  /** PostGIS point (SRID 4326) computed from lon/lat; GiST-indexed. */
  geom: GeneratedAlways<unknown>;
}

export interface PostgresOrganisationsTable {
  id: string;
  /** One of ORG_KINDS. */
  kind: string;
  name: string;
  created_at: number;
}

export interface PostgresUsersTable {
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

export interface PostgresApiTokensTable {
  id: string;
  user_id: string;
  /** JSON array of Scope. */
  scopes: string;
  token_sha256: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export interface PostgresSessionsTable {
  id: string;
  user_id: string;
  secret_sha256: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

/** The record of reads: appended to, never changed. */
export interface PostgresReadLogTable {
  id: GeneratedAlways<number>;
  at: number;
  user_id: string | null;
  org_id: string;
  route: string;
  /** JSON array of record keys. */
  records: string;
}

/** Signed submissions, byte for byte, one per (source, batch id). */
export interface PostgresSubmissionsTable {
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
  body: Buffer;
  body_encoding: string;
  flagged_at: number | null;
  flag_reason: string | null;
}

/** A user's password hash, apart from the (ledgered) user row. */
export interface PostgresUserCredentialsTable {
  user_id: string;
  password_hash: string;
}

/** The ledger's one state row: the tree's size and frontier; locked by every appending transaction. */
export interface PostgresLedgerStateTable {
  id: number;
  size: number;
  /** The frontier's hashes, largest subtree first, 32 bytes each. */
  frontier: Buffer;
  /** Rows written before the ledger existed wait to be ledgered (when the store next opens). */
  pending_backfill: boolean;
}

/** One leaf of the Merkle log. */
export interface PostgresLedgerEntriesTable {
  idx: number;
  type: string;
  id: Buffer;
  commitment: Buffer;
  salt: Buffer;
  /** The key of the row: an integer key as its decimal text, a composite key as a JSON array. */
  row_key: string;
}

/** A complete subtree above the leaves: node = level × 2^40 + index. */
export interface PostgresLedgerNodesTable {
  node: number;
  hash: Buffer;
}

/** The canonical text of a record a later change of its row superseded, by the index of its leaf. */
export interface PostgresLedgerHistoryTable {
  idx: number;
  record: string;
}

export interface PostgresLedgerCheckpointsTable {
  size: number;
  root: Buffer;
  note: string;
  signed_at: number;
}

export interface PostgresLedgerCosignaturesTable {
  size: number;
  witness: string;
  line: string;
  received_at: number;
}

/** One recorded action of a verification item (`item_id`) or a Commission case (`case_id`). */
interface PostgresActionColumns {
  /** The order of recording in its log (migration 0005). */
  seq: number;
  /** The item's (case's) version after this action: 1 for the opening action. */
  version: number;
  type: string;
  at: number;
  by_user: string;
  /** The action, as JSON text (`JSON.stringify`). */
  action: string;
}

export interface PostgresVerificationActionsTable extends PostgresActionColumns {
  item_id: string;
}

export interface PostgresCaseActionsTable extends PostgresActionColumns {
  case_id: string;
}

/** The state after an item's (case's) latest action, and the columns listings filter on. */
export interface PostgresActionHeadsTable {
  id: string;
  /** The seq of the latest action. */
  seq: number;
  version: number;
  state: string;
  subject_kind: string | null;
  subject_id: string | null;
  updated_at: number;
  /** The state, as JSON text. */
  value: string;
}

/** An evidence attachment's record (the bytes are in the blob store, under `sha256`). */
export interface PostgresAttachmentsTable {
  sha256: string;
  size_bytes: number;
  media_type: string;
  stored_at: number;
  stored_by: string;
  tlp: string;
  /** The releasability list, JSON array text. */
  releasable_to: string;
}

export interface PostgresSchema {
  store_state: PostgresStoreStateTable;
  observations: PostgresObservationsTable;
  quarantine: PostgresQuarantineTable;
  sources: PostgresSourcesTable;
  sensor_status: PostgresSensorStatusTable;
  fusion_set_aside: PostgresFusionSetAsideTable;
  fusion_set_aside_sources: PostgresFusionSetAsideSourcesTable;
  fusion_lease: PostgresFusionLeaseTable;
  agreements: PostgresAgreementsTable;
  event_revisions: PostgresEventRevisionsTable;
  event_heads: PostgresEventHeadsTable;
  violation_revisions: PostgresViolationRevisionsTable;
  violation_heads: PostgresViolationHeadsTable;
  organisations: PostgresOrganisationsTable;
  access_policies: PolicyRow;
  users: PostgresUsersTable;
  user_credentials: PostgresUserCredentialsTable;
  api_tokens: PostgresApiTokensTable;
  sessions: PostgresSessionsTable;
  read_log: PostgresReadLogTable;
  submissions: PostgresSubmissionsTable;
  ledger_state: PostgresLedgerStateTable;
  ledger_entries: PostgresLedgerEntriesTable;
  ledger_nodes: PostgresLedgerNodesTable;
  ledger_history: PostgresLedgerHistoryTable;
  ledger_checkpoints: PostgresLedgerCheckpointsTable;
  ledger_cosignatures: PostgresLedgerCosignaturesTable;
  verification_actions: PostgresVerificationActionsTable;
  verification_items: PostgresActionHeadsTable;
  case_actions: PostgresCaseActionsTable;
  cases: PostgresActionHeadsTable;
  attachments: PostgresAttachmentsTable;
}
