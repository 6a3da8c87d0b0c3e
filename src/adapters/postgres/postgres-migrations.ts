/**
 * @module The PostgreSQL store's migrations, kept in code and run by Kysely's Migrator when the store
 * opens. Never edit a migration that has shipped: add the next one. Ids compare with `COLLATE "C"`
 * (byte order), as SQLite does, so both engines list in the same order.
 */
import { sql, type Kysely, type Migration, type RawBuilder } from 'kysely';
import { markingColumnsSql, type MarkedRecord } from '../common/marking-columns.ts';

const statements = (...list: RawBuilder<unknown>[]): Migration => ({
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of list) await statement.execute(db);
  },
});

/** `ALTER TABLE … ADD COLUMN` of the marking columns, with the defaults of `record` (existing rows get them). */
const addMarking = (table: string, record: MarkedRecord): RawBuilder<unknown>[] =>
  markingColumnsSql(record).map((column) => sql.raw(`ALTER TABLE ${table} ADD COLUMN ${column}`));

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
  // Access control: organisations, accounts, API tokens, web sessions and the record of reads; the
  // signed submissions of sources, kept byte for byte; a marking (TLP level and releasability list) on
  // observations, event and violation revisions, and sources. Times are bigint ms, as elsewhere. Adding a
  // column with a constant default rewrites no table (PostgreSQL 11+): existing rows read the default.
  '0003-access-markings-submissions': statements(
    sql.raw(`CREATE TABLE organisations (
      id text COLLATE "C" PRIMARY KEY,
      kind text NOT NULL,
      name text NOT NULL,
      created_at bigint NOT NULL
    )`),
    sql.raw(`CREATE TABLE users (
      id text COLLATE "C" PRIMARY KEY,
      name text COLLATE "C" NOT NULL,
      org_id text COLLATE "C" NOT NULL REFERENCES organisations (id),
      role text NOT NULL,
      password_hash text,
      oidc_identity text COLLATE "C",
      created_at bigint NOT NULL,
      disabled_at bigint,
      CONSTRAINT users_name UNIQUE (name),
      CONSTRAINT users_oidc_identity UNIQUE (oidc_identity)
    )`),
    sql.raw(`CREATE TABLE api_tokens (
      id text COLLATE "C" PRIMARY KEY,
      user_id text COLLATE "C" NOT NULL REFERENCES users (id),
      scopes text NOT NULL,
      token_sha256 text NOT NULL,
      created_at bigint NOT NULL,
      expires_at bigint NOT NULL,
      revoked_at bigint,
      CONSTRAINT api_tokens_sha256 UNIQUE (token_sha256)
    )`),
    sql.raw(`CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at)`),
    sql.raw(`CREATE TABLE sessions (
      id text COLLATE "C" PRIMARY KEY,
      user_id text COLLATE "C" NOT NULL REFERENCES users (id),
      secret_sha256 text NOT NULL,
      csrf_token text NOT NULL,
      created_at bigint NOT NULL,
      expires_at bigint NOT NULL,
      CONSTRAINT sessions_secret UNIQUE (secret_sha256)
    )`),
    sql.raw(`CREATE TABLE read_log (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at bigint NOT NULL,
      user_id text,
      org_id text NOT NULL,
      route text NOT NULL,
      records text NOT NULL
    )`),
    sql.raw(`CREATE INDEX read_log_at ON read_log (at)`),
    sql.raw(`CREATE TABLE submissions (
      source_id text COLLATE "C" NOT NULL,
      batch_id text COLLATE "C" NOT NULL,
      key_id text COLLATE "C" NOT NULL,
      signed_at bigint NOT NULL,
      received_at bigint NOT NULL,
      method text NOT NULL,
      target text NOT NULL,
      content_type text NOT NULL,
      content_digest text NOT NULL,
      signature_input text NOT NULL,
      signature text NOT NULL,
      body bytea NOT NULL,
      body_encoding text NOT NULL,
      flagged_at bigint,
      flag_reason text,
      PRIMARY KEY (source_id, batch_id)
    )`),
    // A revocation flags what the key signed from the compromise on.
    sql.raw(`CREATE INDEX submissions_key ON submissions (key_id, signed_at)`),
    ...addMarking('observations', 'observation'),
    ...addMarking('event_revisions', 'event'),
    ...addMarking('violation_revisions', 'violation'),
    ...addMarking('sources', 'source'),
  ),
  // The ledger (docs/ledger-format.md), as in SQLite's 0004: one row per leaf of the Merkle log (its
  // type, opaque id, commitment and salt, and the key of the row it commits to), the complete subtree
  // hashes above the leaves, the canonical text of records a later change superseded, signed
  // checkpoints and witnesses' co-signatures. Password hashes leave the users table: a user's row is
  // ledgered, and a ledger export for everyone reveals every ledgered record. Rows that exist already
  // are ledgered when the store next opens (`pending_backfill`), by code: the hashes are not SQL's.
  // Appending writers lock the ledger_state row (after store_state, where they take that too), so
  // appends are serialized across transactions and processes and the tree never forks.
  '0004-ledger': statements(
    sql.raw(`CREATE TABLE ledger_state (
      id integer PRIMARY KEY CHECK (id = 1),
      size bigint NOT NULL,
      frontier bytea NOT NULL,
      pending_backfill boolean NOT NULL
    )`),
    sql.raw(`INSERT INTO ledger_state VALUES (1, 0, ''::bytea, TRUE)`),
    // row_key is text: an integer key is kept as its decimal text and read back by the table's key
    // kind; a composite key is the JSON array of its values, as in SQLite.
    sql.raw(`CREATE TABLE ledger_entries (
      idx bigint PRIMARY KEY,
      type text COLLATE "C" NOT NULL,
      id bytea NOT NULL,
      commitment bytea NOT NULL,
      salt bytea NOT NULL,
      row_key text COLLATE "C" NOT NULL
    )`),
    sql.raw(`CREATE INDEX ledger_entries_row ON ledger_entries (type, row_key)`),
    // node = level × 2^40 + index, for levels ≥ 1 (level 0 is the leaves, hashed from their entries).
    sql.raw(`CREATE TABLE ledger_nodes (
      node bigint PRIMARY KEY,
      hash bytea NOT NULL
    )`),
    sql.raw(`CREATE TABLE ledger_history (
      idx bigint PRIMARY KEY,
      record text NOT NULL
    )`),
    sql.raw(`CREATE TABLE ledger_checkpoints (
      size bigint PRIMARY KEY,
      root bytea NOT NULL,
      note text NOT NULL,
      signed_at bigint NOT NULL
    )`),
    sql.raw(`CREATE TABLE ledger_cosignatures (
      size bigint NOT NULL REFERENCES ledger_checkpoints (size),
      witness text COLLATE "C" NOT NULL,
      line text NOT NULL,
      received_at bigint NOT NULL,
      PRIMARY KEY (size, witness)
    )`),
    sql.raw(`CREATE TABLE user_credentials (
      user_id text COLLATE "C" PRIMARY KEY REFERENCES users (id),
      password_hash text NOT NULL
    )`),
    sql.raw(`INSERT INTO user_credentials (user_id, password_hash)
      SELECT id, password_hash FROM users WHERE password_hash IS NOT NULL`),
    sql.raw(`ALTER TABLE users DROP COLUMN password_hash`),
  ),
  // Verification and the Special Commission, as in SQLite's 0005: every step of a verification item
  // and every action on a case an append-only, ledgered row with its own seq (the order of recording in
  // its log), unique per item (case) and version — the constraint two appends from one version cannot
  // both pass; a heads table holding the state after each one's latest action, with the columns
  // listings filter on (not ledgered: derived); the records of evidence attachments (the bytes are in
  // the blob store, under their SHA-256). The tables are new, so there is nothing to ledger here.
  '0005-verification-commission': statements(
    sql.raw(`CREATE TABLE verification_actions (
      seq bigint PRIMARY KEY,
      item_id text COLLATE "C" NOT NULL,
      version integer NOT NULL,
      type text COLLATE "C" NOT NULL,
      at bigint NOT NULL,
      by_user text COLLATE "C" NOT NULL,
      action text NOT NULL,
      CONSTRAINT verification_actions_version UNIQUE (item_id, version)
    )`),
    sql.raw(`CREATE TABLE verification_items (
      id text COLLATE "C" PRIMARY KEY,
      seq bigint NOT NULL,
      version integer NOT NULL,
      state text COLLATE "C" NOT NULL,
      subject_kind text COLLATE "C",
      subject_id text COLLATE "C",
      updated_at bigint NOT NULL,
      value text NOT NULL,
      CONSTRAINT verification_items_seq UNIQUE (seq)
    )`),
    sql.raw(`CREATE INDEX verification_items_subject ON verification_items (subject_kind, subject_id)`),
    sql.raw(`CREATE TABLE case_actions (
      seq bigint PRIMARY KEY,
      case_id text COLLATE "C" NOT NULL,
      version integer NOT NULL,
      type text COLLATE "C" NOT NULL,
      at bigint NOT NULL,
      by_user text COLLATE "C" NOT NULL,
      action text NOT NULL,
      CONSTRAINT case_actions_version UNIQUE (case_id, version)
    )`),
    sql.raw(`CREATE TABLE cases (
      id text COLLATE "C" PRIMARY KEY,
      seq bigint NOT NULL,
      version integer NOT NULL,
      state text COLLATE "C" NOT NULL,
      subject_kind text COLLATE "C",
      subject_id text COLLATE "C",
      updated_at bigint NOT NULL,
      value text NOT NULL,
      CONSTRAINT cases_seq UNIQUE (seq)
    )`),
    sql.raw(`CREATE TABLE attachments (
      sha256 text COLLATE "C" PRIMARY KEY,
      size_bytes bigint NOT NULL,
      media_type text NOT NULL,
      stored_at bigint NOT NULL,
      stored_by text COLLATE "C" NOT NULL,
      tlp text NOT NULL,
      releasable_to text NOT NULL
    )`),
  ),
  // The versions of the access policy the server has run with, each ledgered: a change of the rules
  // is on the record like a change of the agreement.
  '0006-access-policies': statements(
    sql.raw(`CREATE TABLE access_policies (
      version bigint PRIMARY KEY,
      document_json text NOT NULL,
      content_sha256 text COLLATE "C" NOT NULL,
      recorded_at bigint NOT NULL
    )`),
  ),
  // As SQLite's 0007: the notices raised about items and cases, each announced once.
  '0007-raised-notices': statements(
    sql.raw(`CREATE TABLE verification_notices (
      item_id text COLLATE "C" NOT NULL,
      notice_key text COLLATE "C" NOT NULL,
      raised_at bigint NOT NULL,
      PRIMARY KEY (item_id, notice_key)
    )`),
    sql.raw(`CREATE TABLE case_notices (
      case_id text COLLATE "C" NOT NULL,
      notice_key text COLLATE "C" NOT NULL,
      raised_at bigint NOT NULL,
      PRIMARY KEY (case_id, notice_key)
    )`),
  ),
  // As SQLite's 0008: which sources hold which key ids, so a signed request's key is one index lookup.
  '0008-source-key-index': statements(
    sql.raw(`CREATE TABLE source_keys (
      key_id text COLLATE "C" NOT NULL,
      source_id text COLLATE "C" NOT NULL,
      PRIMARY KEY (key_id, source_id)
    )`),
    sql.raw(`CREATE INDEX source_keys_by_source ON source_keys (source_id)`),
    sql.raw(`INSERT INTO source_keys (key_id, source_id)
      SELECT DISTINCT k.value ->> 'keyId', s.id FROM sources AS s, jsonb_array_elements(s.keys::jsonb) AS k
      WHERE k.value ->> 'keyId' IS NOT NULL`),
  ),
  // As SQLite's 0010 (there is no 0009 here: it dropped an index only SQLite had).
  '0010-fusion-set-aside': statements(
    sql.raw(`CREATE TABLE fusion_set_aside (
      seq bigint PRIMARY KEY,
      source_id text COLLATE "C" NOT NULL,
      observed_at bigint NOT NULL,
      reason text COLLATE "C" NOT NULL
    )`),
    sql.raw(`CREATE INDEX fusion_set_aside_source ON fusion_set_aside (source_id, reason, observed_at)`),
  ),
  // As SQLite's 0011.
  '0011-set-aside-per-source': statements(
    sql.raw(`CREATE TABLE IF NOT EXISTS fusion_set_aside_sources (
      source_id text COLLATE "C" NOT NULL,
      reason text COLLATE "C" NOT NULL,
      arrivals bigint NOT NULL,
      first_ms bigint NOT NULL,
      last_ms bigint NOT NULL,
      PRIMARY KEY (source_id, reason)
    )`),
    sql.raw(`DELETE FROM fusion_set_aside_sources`),
    sql.raw(`INSERT INTO fusion_set_aside_sources (source_id, reason, arrivals, first_ms, last_ms)
      SELECT source_id, reason, count(*), min(observed_at), max(observed_at) FROM fusion_set_aside
      GROUP BY source_id, reason`),
    sql.raw(`DROP INDEX IF EXISTS fusion_set_aside_source`),
  ),
  // As SQLite's 0012.
  '0012-fusion-lease': statements(
    sql.raw(`CREATE TABLE fusion_lease (
      id integer PRIMARY KEY CHECK (id = 1),
      holder text NOT NULL,
      pid integer NOT NULL,
      host text NOT NULL,
      purpose text NOT NULL,
      claimed_at bigint NOT NULL,
      expires_at bigint NOT NULL
    )`),
  ),
  // As SQLite's 0013.
  '0013-observation-commit-times': statements(
    sql.raw(`CREATE TABLE observation_commits (
      last_seq bigint PRIMARY KEY,
      committed_at bigint
    )`),
    sql.raw(`INSERT INTO observation_commits (last_seq, committed_at)
      SELECT last_seq, NULL FROM store_state WHERE last_seq > 0`),
  ),
};
