/**
 * @module The SQLite store's migrations, kept in code and run by Kysely's Migrator when the store
 * opens. Never edit a migration that has shipped: add the next one.
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
export const sqliteMigrations: Record<string, Migration> = {
  '0001-observations-sources-agreements': statements(
    sql.raw(`CREATE TABLE store_state (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      last_seq INTEGER NOT NULL,
      last_quarantine_id INTEGER NOT NULL,
      quarantine_head_bytes INTEGER NOT NULL,
      observation_count INTEGER NOT NULL
    )`),
    sql.raw(`INSERT INTO store_state VALUES (1, 0, 0, 0, 0)`),
    // seq is the rowid: the table is stored in commit order and listAfter is a range scan.
    sql.raw(`CREATE TABLE observations (
      seq INTEGER PRIMARY KEY,
      source_id TEXT NOT NULL,
      record_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      observed_at INTEGER NOT NULL,
      time_uncertainty_ms REAL NOT NULL,
      received_at INTEGER NOT NULL,
      lat REAL,
      lon REAL,
      ce_m REAL,
      grid_key INTEGER,
      weapon_class TEXT,
      batch_id TEXT,
      content_sha256 TEXT NOT NULL,
      content TEXT NOT NULL
    )`),
    sql.raw(`CREATE UNIQUE INDEX observations_record ON observations (source_id, record_id)`),
    // Box + window queries: one seek per covering (day, cell) key, the time range inside it, and the
    // exact coordinates checked in the index before any table row is read (docs/decisions/0004).
    sql.raw(`CREATE INDEX observations_grid ON observations (grid_key, observed_at, lat, lon)`),
    // Windows without a box, or with a box too large to enumerate its cells; lat/lon again so the box
    // is checked in the index. Dropped by 0009-windows-by-grid (docs/decisions/0015).
    sql.raw(`CREATE INDEX observations_time ON observations (observed_at, lat, lon)`),
    sql.raw(`CREATE TABLE quarantine (
      id INTEGER PRIMARY KEY,
      received_at INTEGER NOT NULL,
      origin TEXT NOT NULL,
      position INTEGER NOT NULL,
      source_id TEXT,
      record_id TEXT,
      field TEXT NOT NULL,
      reason TEXT NOT NULL,
      sha256 TEXT NOT NULL,
      size_bytes INTEGER NOT NULL,
      head BLOB NOT NULL,
      head_kept INTEGER NOT NULL
    )`),
    sql.raw(`CREATE TABLE sources (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      organisation TEXT NOT NULL,
      name TEXT NOT NULL,
      lat REAL,
      lon REAL,
      altitude_m REAL,
      orientation_deg REAL,
      capabilities TEXT NOT NULL,
      keys TEXT NOT NULL,
      registered_at INTEGER NOT NULL
    )`),
    sql.raw(`CREATE TABLE sensor_status (
      source_id TEXT PRIMARY KEY,
      state TEXT NOT NULL,
      since_ms INTEGER NOT NULL,
      last_heartbeat_ms INTEGER NOT NULL
    )`),
    sql.raw(`CREATE TABLE agreements (
      id TEXT NOT NULL,
      revision INTEGER NOT NULL,
      document_json TEXT NOT NULL,
      content_sha256 TEXT NOT NULL,
      registered_at INTEGER NOT NULL,
      PRIMARY KEY (id, revision)
    )`),
  ),
  // Fusion's output: every revision of every event and potential violation (seq from the one commit
  // counter, store_state.last_seq), and a heads table holding each one's latest revision with the
  // columns queries filter on, rewritten in the same transaction. The cursor is a column of store_state.
  '0002-fusion-events-violations': statements(
    sql.raw(`ALTER TABLE store_state ADD COLUMN fusion_cursor INTEGER NOT NULL DEFAULT 0`),
    sql.raw(`CREATE TABLE event_revisions (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL,
      revision INTEGER NOT NULL,
      type TEXT NOT NULL,
      time_ms REAL NOT NULL,
      lat REAL,
      lon REAL,
      committed_at INTEGER NOT NULL,
      value TEXT NOT NULL
    )`),
    sql.raw(`CREATE UNIQUE INDEX event_revisions_id ON event_revisions (id, revision)`),
    sql.raw(`CREATE TABLE event_heads (
      id TEXT PRIMARY KEY,
      seq INTEGER NOT NULL,
      revision INTEGER NOT NULL,
      type TEXT NOT NULL,
      time_ms REAL NOT NULL,
      lat REAL,
      lon REAL
    )`),
    sql.raw(`CREATE UNIQUE INDEX event_heads_seq ON event_heads (seq)`),
    sql.raw(`CREATE INDEX event_heads_time ON event_heads (time_ms, lat, lon)`),
    sql.raw(`CREATE INDEX event_heads_place ON event_heads (lat, lon)`),
    sql.raw(`CREATE TABLE violation_revisions (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL,
      revision INTEGER NOT NULL,
      event_id TEXT NOT NULL,
      event_type TEXT NOT NULL,
      time_ms REAL NOT NULL,
      lat REAL,
      lon REAL,
      party TEXT,
      clause TEXT NOT NULL,
      committed_at INTEGER NOT NULL,
      value TEXT NOT NULL
    )`),
    sql.raw(`CREATE UNIQUE INDEX violation_revisions_id ON violation_revisions (id, revision)`),
    sql.raw(`CREATE INDEX violation_revisions_event ON violation_revisions (event_id)`),
    sql.raw(`CREATE TABLE violation_heads (
      id TEXT PRIMARY KEY,
      seq INTEGER NOT NULL,
      revision INTEGER NOT NULL,
      event_type TEXT NOT NULL,
      time_ms REAL NOT NULL,
      lat REAL,
      lon REAL,
      party TEXT,
      clause TEXT NOT NULL
    )`),
    sql.raw(`CREATE UNIQUE INDEX violation_heads_seq ON violation_heads (seq)`),
    sql.raw(`CREATE INDEX violation_heads_time ON violation_heads (time_ms, lat, lon)`),
    sql.raw(`CREATE INDEX violation_heads_place ON violation_heads (lat, lon)`),
    sql.raw(`CREATE INDEX violation_heads_party ON violation_heads (party)`),
    sql.raw(`CREATE INDEX violation_heads_clause ON violation_heads (clause)`),
  ),
  // Access control: organisations, accounts, API tokens, web sessions and the record of reads; the
  // signed submissions of sources, kept byte for byte; a marking (TLP level and releasability list) on
  // observations, event and violation revisions, and sources. Times are integer ms, as elsewhere.
  '0003-access-markings-submissions': statements(
    sql.raw(`CREATE TABLE organisations (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      name TEXT NOT NULL,
      created_at INTEGER NOT NULL
    )`),
    sql.raw(`CREATE TABLE users (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      org_id TEXT NOT NULL REFERENCES organisations (id),
      role TEXT NOT NULL,
      password_hash TEXT,
      oidc_identity TEXT UNIQUE,
      created_at INTEGER NOT NULL,
      disabled_at INTEGER
    )`),
    sql.raw(`CREATE TABLE api_tokens (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users (id),
      scopes TEXT NOT NULL,
      token_sha256 TEXT NOT NULL UNIQUE,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      revoked_at INTEGER
    )`),
    sql.raw(`CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at)`),
    sql.raw(`CREATE TABLE sessions (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users (id),
      secret_sha256 TEXT NOT NULL UNIQUE,
      csrf_token TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    )`),
    // Append-only; AUTOINCREMENT so an id is never reused, even after the last row is gone.
    sql.raw(`CREATE TABLE read_log (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at INTEGER NOT NULL,
      user_id TEXT,
      org_id TEXT NOT NULL,
      route TEXT NOT NULL,
      records TEXT NOT NULL
    )`),
    sql.raw(`CREATE INDEX read_log_at ON read_log (at)`),
    sql.raw(`CREATE TABLE submissions (
      source_id TEXT NOT NULL,
      batch_id TEXT NOT NULL,
      key_id TEXT NOT NULL,
      signed_at INTEGER NOT NULL,
      received_at INTEGER NOT NULL,
      method TEXT NOT NULL,
      target TEXT NOT NULL,
      content_type TEXT NOT NULL,
      content_digest TEXT NOT NULL,
      signature_input TEXT NOT NULL,
      signature TEXT NOT NULL,
      body BLOB NOT NULL,
      body_encoding TEXT NOT NULL,
      flagged_at INTEGER,
      flag_reason TEXT,
      PRIMARY KEY (source_id, batch_id)
    )`),
    // A revocation flags what the key signed from the compromise on.
    sql.raw(`CREATE INDEX submissions_key ON submissions (key_id, signed_at)`),
    ...addMarking('observations', 'observation'),
    ...addMarking('event_revisions', 'event'),
    ...addMarking('violation_revisions', 'violation'),
    ...addMarking('sources', 'source'),
  ),
  // The ledger (docs/ledger-format.md): one row per leaf of the Merkle log (its type, opaque id,
  // commitment and salt, and the key of the row it commits to), the complete subtree hashes above the
  // leaves, the canonical text of records a later change superseded, signed checkpoints and witnesses'
  // co-signatures. Password hashes leave the users table: a user's row is ledgered, and a ledger export
  // for everyone reveals every ledgered record. Rows that exist already are ledgered when the store
  // next opens (`pending_backfill`), by code: the hashes cannot be computed in SQL.
  '0004-ledger': statements(
    sql.raw(`CREATE TABLE ledger_state (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      size INTEGER NOT NULL,
      frontier BLOB NOT NULL,
      pending_backfill INTEGER NOT NULL
    )`),
    sql.raw(`INSERT INTO ledger_state VALUES (1, 0, x'', 1)`),
    // row_key has no declared type: integer keys stay integers (appended in order to the index), text stays text.
    sql.raw(`CREATE TABLE ledger_entries (
      idx INTEGER PRIMARY KEY,
      type TEXT NOT NULL,
      id BLOB NOT NULL,
      commitment BLOB NOT NULL,
      salt BLOB NOT NULL,
      row_key NOT NULL
    )`),
    sql.raw(`CREATE INDEX ledger_entries_row ON ledger_entries (type, row_key)`),
    // node = level × 2^40 + index, for levels ≥ 1 (level 0 is the leaves, hashed from their entries).
    sql.raw(`CREATE TABLE ledger_nodes (
      node INTEGER PRIMARY KEY,
      hash BLOB NOT NULL
    )`),
    sql.raw(`CREATE TABLE ledger_history (
      idx INTEGER PRIMARY KEY,
      record TEXT NOT NULL
    )`),
    sql.raw(`CREATE TABLE ledger_checkpoints (
      size INTEGER PRIMARY KEY,
      root BLOB NOT NULL,
      note TEXT NOT NULL,
      signed_at INTEGER NOT NULL
    )`),
    sql.raw(`CREATE TABLE ledger_cosignatures (
      size INTEGER NOT NULL REFERENCES ledger_checkpoints (size),
      witness TEXT NOT NULL,
      line TEXT NOT NULL,
      received_at INTEGER NOT NULL,
      PRIMARY KEY (size, witness)
    )`),
    sql.raw(`CREATE TABLE user_credentials (
      user_id TEXT PRIMARY KEY REFERENCES users (id),
      password_hash TEXT NOT NULL
    )`),
    sql.raw(`INSERT INTO user_credentials (user_id, password_hash)
      SELECT id, password_hash FROM users WHERE password_hash IS NOT NULL`),
    sql.raw(`ALTER TABLE users DROP COLUMN password_hash`),
  ),
  // Verification and the Special Commission: every step of an item and every action of a case as an
  // append-only, ledgered row (unique per item and version: two concurrent steps cannot both land);
  // the state after the latest step in a heads table for listings (derived, rebuilt by replay, not
  // ledgered); evidence attachments' records (their bytes are files named by their SHA-256).
  '0005-verification-commission': statements(
    sql.raw(`CREATE TABLE verification_actions (
      seq INTEGER PRIMARY KEY,
      item_id TEXT NOT NULL,
      version INTEGER NOT NULL,
      type TEXT NOT NULL,
      at INTEGER NOT NULL,
      by_user TEXT NOT NULL,
      action TEXT NOT NULL,
      UNIQUE (item_id, version)
    )`),
    sql.raw(`CREATE TABLE verification_items (
      id TEXT PRIMARY KEY,
      seq INTEGER NOT NULL,
      version INTEGER NOT NULL,
      state TEXT NOT NULL,
      subject_kind TEXT,
      subject_id TEXT,
      updated_at INTEGER NOT NULL,
      value TEXT NOT NULL
    )`),
    sql.raw(`CREATE INDEX verification_items_subject ON verification_items (subject_kind, subject_id)`),
    sql.raw(`CREATE INDEX verification_items_seq ON verification_items (seq)`),
    sql.raw(`CREATE TABLE case_actions (
      seq INTEGER PRIMARY KEY,
      case_id TEXT NOT NULL,
      version INTEGER NOT NULL,
      type TEXT NOT NULL,
      at INTEGER NOT NULL,
      by_user TEXT NOT NULL,
      action TEXT NOT NULL,
      UNIQUE (case_id, version)
    )`),
    sql.raw(`CREATE TABLE cases (
      id TEXT PRIMARY KEY,
      seq INTEGER NOT NULL,
      version INTEGER NOT NULL,
      state TEXT NOT NULL,
      subject_kind TEXT,
      subject_id TEXT,
      updated_at INTEGER NOT NULL,
      value TEXT NOT NULL
    )`),
    sql.raw(`CREATE INDEX cases_seq ON cases (seq)`),
    sql.raw(`CREATE TABLE attachments (
      sha256 TEXT PRIMARY KEY,
      size_bytes INTEGER NOT NULL,
      media_type TEXT NOT NULL,
      stored_at INTEGER NOT NULL,
      stored_by TEXT NOT NULL,
      tlp TEXT NOT NULL,
      releasable_to TEXT NOT NULL
    )`),
  ),
  // The versions of the access policy the server has run with, each ledgered: a change of the rules
  // is on the record like a change of the agreement.
  '0006-access-policies': statements(
    sql.raw(`CREATE TABLE access_policies (
      version INTEGER PRIMARY KEY,
      document_json TEXT NOT NULL,
      content_sha256 TEXT NOT NULL,
      recorded_at INTEGER NOT NULL
    )`),
  ),
  // The notices raised about items and cases (a deadline passed), so that each is announced once:
  // before, the server kept them in memory and announced every passed deadline again after a restart.
  '0007-raised-notices': statements(
    sql.raw(`CREATE TABLE verification_notices (
      item_id TEXT NOT NULL,
      notice_key TEXT NOT NULL,
      raised_at INTEGER NOT NULL,
      PRIMARY KEY (item_id, notice_key)
    )`),
    sql.raw(`CREATE TABLE case_notices (
      case_id TEXT NOT NULL,
      notice_key TEXT NOT NULL,
      raised_at INTEGER NOT NULL,
      PRIMARY KEY (case_id, notice_key)
    )`),
  ),
  // Which sources hold which key ids, beside the keys' JSON column: every signed request looks its key
  // up, and before this a lookup scanned every source's keys (~80 µs with 90 sources, growing with the
  // network). Kept in step with the column by every write of a source's keys.
  '0008-source-key-index': statements(
    sql.raw(`CREATE TABLE source_keys (
      key_id TEXT NOT NULL,
      source_id TEXT NOT NULL,
      PRIMARY KEY (key_id, source_id)
    ) WITHOUT ROWID`),
    sql.raw(`CREATE INDEX source_keys_by_source ON source_keys (source_id)`),
    sql.raw(`INSERT OR IGNORE INTO source_keys (key_id, source_id)
      SELECT json_extract(k.value, '$.keyId'), s.id FROM sources AS s, json_each(s.keys) AS k
      WHERE json_extract(k.value, '$.keyId') IS NOT NULL`),
  ),
  // The time index goes (docs/decisions/0015-no-time-index.md): a window is read from the grid index,
  // whose keys of a day are contiguous. It was the costliest index to keep: a source's batch spans
  // days, and its rows landed all over the index. The earliest and latest observed times it gave in
  // one seek are kept with the store's other counters instead, filled here from the index it replaces.
  '0009-windows-by-grid': statements(
    sql.raw(`ALTER TABLE store_state ADD COLUMN first_observed_at INTEGER`),
    sql.raw(`ALTER TABLE store_state ADD COLUMN last_observed_at INTEGER`),
    sql.raw(`UPDATE store_state SET
      first_observed_at = (SELECT min(observed_at) FROM observations),
      last_observed_at = (SELECT max(observed_at) FROM observations)`),
    sql.raw(`DROP INDEX observations_time`),
  ),
  // The arrivals fusion set aside unused (a crowded sensor's, decision 0016), one row each: what an
  // analyst is told of a sensor whose arrivals go into no event. Derived from the ledgered observations
  // by a stated rule, so not ledgered themselves.
  '0010-fusion-set-aside': statements(
    sql.raw(`CREATE TABLE fusion_set_aside (
      seq INTEGER PRIMARY KEY,
      source_id TEXT NOT NULL,
      observed_at INTEGER NOT NULL,
      reason TEXT NOT NULL
    )`),
    sql.raw(`CREATE INDEX fusion_set_aside_source ON fusion_set_aside (source_id, reason, observed_at)`),
  ),
  // Per source and reason, kept with the rows in the same transaction: what the sources route shows,
  // read without counting a flood's rows on every request. Filled from the rows kept so far; the
  // rows' own index served only that count.
  // A store made by a build whose 0010 already created this table (and no index) gets it filled
  // again from the rows, which are what counts.
  '0011-set-aside-per-source': statements(
    sql.raw(`CREATE TABLE IF NOT EXISTS fusion_set_aside_sources (
      source_id TEXT NOT NULL,
      reason TEXT NOT NULL,
      arrivals INTEGER NOT NULL,
      first_ms INTEGER NOT NULL,
      last_ms INTEGER NOT NULL,
      PRIMARY KEY (source_id, reason)
    ) WITHOUT ROWID`),
    sql.raw(`DELETE FROM fusion_set_aside_sources`),
    sql.raw(`INSERT INTO fusion_set_aside_sources (source_id, reason, arrivals, first_ms, last_ms)
      SELECT source_id, reason, count(*), min(observed_at), max(observed_at) FROM fusion_set_aside
      GROUP BY source_id, reason`),
    sql.raw(`DROP INDEX IF EXISTS fusion_set_aside_source`),
  ),
  // Fusion's lease: the one pipeline that may write fusion's output (a server, or `ingest DIR` when
  // no server runs). One row while held, none when free. Operational, not a record: not ledgered.
  '0012-fusion-lease': statements(
    sql.raw(`CREATE TABLE fusion_lease (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      holder TEXT NOT NULL,
      pid INTEGER NOT NULL,
      host TEXT NOT NULL,
      purpose TEXT NOT NULL,
      claimed_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    )`),
  ),
  // When each ingest commit that stored observations was made (one row per commit, by its last
  // sequence): latencies are measured from the commit, and a record's receipt time comes before its
  // validation and its turn to commit. What was stored before is one row without a time. Operational,
  // not a record: not ledgered.
  '0013-observation-commit-times': statements(
    sql.raw(`CREATE TABLE observation_commits (
      last_seq INTEGER PRIMARY KEY,
      committed_at INTEGER
    )`),
    sql.raw(`INSERT INTO observation_commits (last_seq, committed_at)
      SELECT last_seq, NULL FROM store_state WHERE last_seq > 0`),
  ),
};
