/** @module The PostgreSQL store's tables as Kysely sees them (created by postgres-migrations.ts). */
import type { GeneratedAlways } from 'kysely';

/** The one-row table of counters; its row lock serializes writers, so seq order is commit order. */
export interface PostgresStoreStateTable {
  id: number;
  /** The commit sequence: one counter over every committed fact. */
  last_seq: number;
  last_quarantine_id: number;
  /** Bytes of rejected records kept, against the quota. */
  quarantine_head_bytes: number;
  observation_count: number;
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
}

export interface PostgresSensorStatusTable {
  source_id: string;
  state: string;
  since_ms: number;
  last_heartbeat_ms: number;
}

export interface PostgresAgreementsTable {
  id: string;
  revision: number;
  document_json: string;
  content_sha256: string;
  registered_at: number;
}

export interface PostgresSchema {
  store_state: PostgresStoreStateTable;
  observations: PostgresObservationsTable;
  quarantine: PostgresQuarantineTable;
  sources: PostgresSourcesTable;
  sensor_status: PostgresSensorStatusTable;
  agreements: PostgresAgreementsTable;
}
