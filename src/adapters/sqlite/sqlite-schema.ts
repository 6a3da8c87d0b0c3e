/** @module The SQLite store's tables as Kysely sees them (created by sqlite-migrations.ts). */

/** The one-row table of counters, updated inside every write transaction. */
export interface SqliteStoreStateTable {
  id: number;
  /** The commit sequence: one counter over every committed fact. */
  last_seq: number;
  last_quarantine_id: number;
  /** Bytes of rejected records kept, against the quota. */
  quarantine_head_bytes: number;
  observation_count: number;
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
}

export interface SqliteSensorStatusTable {
  source_id: string;
  state: string;
  since_ms: number;
  last_heartbeat_ms: number;
}

export interface SqliteAgreementsTable {
  id: string;
  revision: number;
  document_json: string;
  content_sha256: string;
  registered_at: number;
}

export interface SqliteSchema {
  store_state: SqliteStoreStateTable;
  observations: SqliteObservationsTable;
  quarantine: SqliteQuarantineTable;
  sources: SqliteSourcesTable;
  sensor_status: SqliteSensorStatusTable;
  agreements: SqliteAgreementsTable;
}
