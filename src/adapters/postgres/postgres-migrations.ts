/**
 * @module The PostgreSQL store's migrations, kept in code and run by Kysely's Migrator when the store
 * opens. Never edit a migration that has shipped: add the next one. Ids compare with `COLLATE "C"`
 * (byte order), as SQLite does, so both engines list in the same order.
 */
import { sql, type Kysely, type Migration, type RawBuilder } from 'kysely';

const statements = (...list: RawBuilder<unknown>[]): Migration => ({
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of list) await statement.execute(db);
  },
});

/** Migrations by name; names sort in the order they run. */
export const postgresMigrations: Record<string, Migration> = {
  '0001-observations-sources-agreements': statements(
    // Needs a role allowed to create it, unless a DBA has already: then this does nothing.
    sql.raw(`CREATE EXTENSION IF NOT EXISTS postgis`),
    sql.raw(`CREATE TABLE store_state (
      id integer PRIMARY KEY CHECK (id = 1),
      last_seq bigint NOT NULL,
      last_quarantine_id bigint NOT NULL,
      quarantine_head_bytes bigint NOT NULL,
      observation_count bigint NOT NULL
    )`),
    sql.raw(`INSERT INTO store_state VALUES (1, 0, 0, 0, 0)`),
    sql.raw(`CREATE TABLE observations (
      seq bigint PRIMARY KEY,
      source_id text COLLATE "C" NOT NULL,
      record_id text COLLATE "C" NOT NULL,
      kind text NOT NULL,
      observed_at bigint NOT NULL,
      time_uncertainty_ms double precision NOT NULL,
      received_at bigint NOT NULL,
      lat double precision,
      lon double precision,
      ce_m double precision,
      weapon_class text,
      batch_id text,
      content_sha256 text NOT NULL,
      content text NOT NULL,
      geom geometry(Point, 4326) GENERATED ALWAYS AS (
        CASE WHEN lat IS NULL OR lon IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326) END
      ) STORED,
      CONSTRAINT observations_record UNIQUE (source_id, record_id)
    )`),
    sql.raw(`CREATE INDEX observations_geom ON observations USING gist (geom)`),
    sql.raw(`CREATE INDEX observations_time ON observations (observed_at)`),
    sql.raw(`CREATE TABLE quarantine (
      id bigint PRIMARY KEY,
      received_at bigint NOT NULL,
      origin text NOT NULL,
      position bigint NOT NULL,
      source_id text,
      record_id text,
      field text NOT NULL,
      reason text NOT NULL,
      sha256 text NOT NULL,
      size_bytes bigint NOT NULL,
      head bytea NOT NULL,
      head_kept boolean NOT NULL
    )`),
    sql.raw(`CREATE TABLE sources (
      id text COLLATE "C" PRIMARY KEY,
      kind text NOT NULL,
      organisation text NOT NULL,
      name text NOT NULL,
      lat double precision,
      lon double precision,
      altitude_m double precision,
      orientation_deg double precision,
      capabilities text NOT NULL,
      keys text NOT NULL,
      registered_at bigint NOT NULL
    )`),
    sql.raw(`CREATE TABLE sensor_status (
      source_id text COLLATE "C" PRIMARY KEY,
      state text NOT NULL,
      since_ms bigint NOT NULL,
      last_heartbeat_ms bigint NOT NULL
    )`),
    sql.raw(`CREATE TABLE agreements (
      id text COLLATE "C" NOT NULL,
      revision integer NOT NULL,
      document_json text NOT NULL,
      content_sha256 text NOT NULL,
      registered_at bigint NOT NULL,
      PRIMARY KEY (id, revision)
    )`),
  ),
  // Fusion's output: every revision of every event and potential violation (seq from the one commit
  // counter, store_state.last_seq, taken under its row lock), and a heads table holding each one's
  // latest revision with the columns queries filter on, rewritten in the same transaction. The cursor
  // is a column of store_state.
  '0002-fusion-events-violations': statements(
    sql.raw(`ALTER TABLE store_state ADD COLUMN fusion_cursor bigint NOT NULL DEFAULT 0`),
    sql.raw(`CREATE TABLE event_revisions (
      seq bigint PRIMARY KEY,
      id text COLLATE "C" NOT NULL,
      revision integer NOT NULL,
      type text NOT NULL,
      time_ms double precision NOT NULL,
      lat double precision,
      lon double precision,
      committed_at bigint NOT NULL,
      value text NOT NULL,
      CONSTRAINT event_revisions_id UNIQUE (id, revision)
    )`),
    sql.raw(`CREATE TABLE event_heads (
      id text COLLATE "C" PRIMARY KEY,
      seq bigint NOT NULL,
      revision integer NOT NULL,
      type text NOT NULL,
      time_ms double precision NOT NULL,
      lat double precision,
      lon double precision,
      geom geometry(Point, 4326) GENERATED ALWAYS AS (
        CASE WHEN lat IS NULL OR lon IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326) END
      ) STORED,
      CONSTRAINT event_heads_seq UNIQUE (seq)
    )`),
    sql.raw(`CREATE INDEX event_heads_geom ON event_heads USING gist (geom)`),
    sql.raw(`CREATE INDEX event_heads_time ON event_heads (time_ms)`),
    sql.raw(`CREATE TABLE violation_revisions (
      seq bigint PRIMARY KEY,
      id text COLLATE "C" NOT NULL,
      revision integer NOT NULL,
      event_id text COLLATE "C" NOT NULL,
      event_type text NOT NULL,
      time_ms double precision NOT NULL,
      lat double precision,
      lon double precision,
      party text COLLATE "C",
      clause text COLLATE "C" NOT NULL,
      committed_at bigint NOT NULL,
      value text NOT NULL,
      CONSTRAINT violation_revisions_id UNIQUE (id, revision)
    )`),
    sql.raw(`CREATE INDEX violation_revisions_event ON violation_revisions (event_id)`),
    sql.raw(`CREATE TABLE violation_heads (
      id text COLLATE "C" PRIMARY KEY,
      seq bigint NOT NULL,
      revision integer NOT NULL,
      event_type text NOT NULL,
      time_ms double precision NOT NULL,
      lat double precision,
      lon double precision,
      party text COLLATE "C",
      clause text COLLATE "C" NOT NULL,
      geom geometry(Point, 4326) GENERATED ALWAYS AS (
        CASE WHEN lat IS NULL OR lon IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326) END
      ) STORED,
      CONSTRAINT violation_heads_seq UNIQUE (seq)
    )`),
    sql.raw(`CREATE INDEX violation_heads_geom ON violation_heads USING gist (geom)`),
    sql.raw(`CREATE INDEX violation_heads_time ON violation_heads (time_ms)`),
    sql.raw(`CREATE INDEX violation_heads_party ON violation_heads (party)`),
    sql.raw(`CREATE INDEX violation_heads_clause ON violation_heads (clause)`),
  ),
};
