/** @module The source registry and sensor statuses in SQLite. */
import type Database from 'better-sqlite3';
import type { CompiledQuery, Kysely } from 'kysely';
import { notFound } from '../../core/errors.ts';
import type { SensorState } from '../../core/observations/kinds.ts';
import type { SourceStore } from '../../core/ports/source-store.ts';
import type { SensorStatus, Source, SourceKey, SourceKind } from '../../core/sources/source.ts';
import { markingColumns, markingOf } from '../common/marking-columns.ts';
import { addedKeys, keyOf, mergedKeys, parseKeys, revokedKeys } from '../common/merged-keys.ts';
import type { SqliteLedgerWriter } from './sqlite-ledger.ts';
import type { SqliteSchema, SqliteSourcesTable } from './sqlite-schema.ts';

const toSource = (row: SqliteSourcesTable): Source => ({
  id: row.id,
  kind: row.kind as SourceKind,
  organisation: row.organisation,
  name: row.name,
  position:
    row.lat === null || row.lon === null
      ? null
      : row.altitude_m === null
        ? { lat: row.lat, lon: row.lon }
        : { lat: row.lat, lon: row.lon, altitudeM: row.altitude_m },
  orientationDeg: row.orientation_deg,
  capabilities: JSON.parse(row.capabilities) as Record<string, unknown>,
  keys: parseKeys(row.keys),
  registeredAtMs: row.registered_at,
  marking: markingOf(row.tlp, row.releasable_to),
});

/** The first source (by id) holding a key id, from the index of the keys' column (`source_keys`). */
const HOLDER = `SELECT source_id AS id FROM source_keys WHERE key_id = ? ORDER BY source_id LIMIT 1`;

/** -0 becomes 0: SQLite cannot tell them apart, so no store does. */
const plain = (value: number | null | undefined): number | null =>
  value === null || value === undefined ? null : value + 0;

export class SqliteSourceStore implements SourceStore {
  readonly #db: Database.Database;
  readonly #kysely: Kysely<SqliteSchema>;
  readonly #holder: Database.Statement<[string], { id: string }>;
  readonly #holding: Database.Statement<[string], SqliteSourcesTable>;
  /** Sources by a JSON array of ids: one statement prepared once, whatever the number of ids. */
  readonly #many: Database.Statement<[string], SqliteSourcesTable>;
  readonly #unindexKeys: Database.Statement<[string]>;
  readonly #indexKey: Database.Statement<[string, string]>;

  readonly #ledger: SqliteLedgerWriter;

  constructor(db: Database.Database, kysely: Kysely<SqliteSchema>, ledger: SqliteLedgerWriter) {
    this.#db = db;
    this.#ledger = ledger;
    this.#kysely = kysely;
    this.#holder = db.prepare(HOLDER);
    this.#holding = db.prepare(`SELECT * FROM sources WHERE id = (${HOLDER})`);
    this.#many = db.prepare('SELECT * FROM sources WHERE id IN (SELECT value FROM json_each(?))');
    this.#unindexKeys = db.prepare('DELETE FROM source_keys WHERE source_id = ?');
    this.#indexKey = db.prepare('INSERT OR IGNORE INTO source_keys (key_id, source_id) VALUES (?, ?)');
  }

  /** Runs a compiled query synchronously, so a read-modify-write cannot interleave with other writes. */
  #get<R>(query: CompiledQuery<R>): R | undefined {
    return this.#db.prepare<unknown[], R>(query.sql).get(...query.parameters);
  }

  #run(query: CompiledQuery): void {
    this.#db.prepare(query.sql).run(...query.parameters);
  }

  upsert(source: Source): Promise<void> {
    const k = this.#kysely;
    this.#db
      .transaction(() =>
        this.#ledger.changeRow('source', source.id, () => {
          const stored = this.#get(
            k.selectFrom('sources').select(['keys', 'registered_at']).where('id', '=', source.id).compile(),
          );
          const marking = markingColumns(source.marking);
          const description = {
            tlp: marking.tlp,
            releasable_to: marking.releasableTo,
            kind: source.kind,
            organisation: source.organisation,
            name: source.name,
            lat: plain(source.position?.lat),
            lon: plain(source.position?.lon),
            altitude_m: plain(source.position?.altitudeM),
            orientation_deg: plain(source.orientationDeg),
            capabilities: JSON.stringify(source.capabilities),
          };
          if (stored === undefined) {
            this.#run(
              k
                .insertInto('sources')
                .values({
                  id: source.id,
                  ...description,
                  keys: JSON.stringify(source.keys),
                  registered_at: source.registeredAtMs,
                })
                .compile(),
            );
            this.#indexKeys(source.id, source.keys);
            return;
          }
          const keys = mergedKeys(parseKeys(stored.keys), source.keys);
          this.#run(
            k
              .updateTable('sources')
              .set({ ...description, keys: JSON.stringify(keys) })
              .where('id', '=', source.id)
              .compile(),
          );
          this.#indexKeys(source.id, keys);
        }),
      )
      .immediate();
    return Promise.resolve();
  }

  async find(id: string): Promise<Source | undefined> {
    const row = await this.#kysely.selectFrom('sources').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toSource(row);
  }

  async get(id: string): Promise<Source> {
    const source = await this.find(id);
    if (source === undefined) throw notFound('source', id);
    return source;
  }

  findMany(ids: readonly string[]): Promise<ReadonlyMap<string, Source>> {
    // Every batch of observations asks this: a query built and prepared per call (as the query
    // builder does) was ~5 % of a file ingest's main thread in batches of 2,000.
    const found = new Map<string, Source>();
    for (const row of this.#many.all(JSON.stringify([...new Set(ids)]))) found.set(row.id, toSource(row));
    return Promise.resolve(found);
  }

  async list(): Promise<readonly Source[]> {
    const rows = await this.#kysely.selectFrom('sources').selectAll().orderBy('id').execute();
    return rows.map(toSource);
  }

  addKey(sourceId: string, key: SourceKey): Promise<void> {
    return Promise.resolve().then(() =>
      this.#db
        .transaction(() => {
          const keys = this.#keysOf(sourceId);
          const holder = this.#holder.get(key.keyId)?.id;
          this.#writeKeys(sourceId, addedKeys(sourceId, keys, key, holder));
        })
        .immediate(),
    );
  }

  revokeKey(
    sourceId: string,
    keyId: string,
    revokedAtMs: number,
    compromisedAtMs: number | null,
  ): Promise<void> {
    return Promise.resolve().then(() =>
      this.#db
        .transaction(() => {
          const keys = this.#keysOf(sourceId);
          this.#writeKeys(sourceId, revokedKeys(sourceId, keys, keyId, revokedAtMs, compromisedAtMs));
        })
        .immediate(),
    );
  }

  findKey(keyId: string): Promise<{ readonly source: Source; readonly key: SourceKey } | undefined> {
    return Promise.resolve().then(() => {
      const row = this.#holding.get(keyId);
      if (row === undefined) return undefined;
      const source = toSource(row);
      const key = keyOf(source.keys, keyId);
      return key && { source, key };
    });
  }

  /** The source's stored keys, read inside the caller's transaction; `E_NOT_FOUND` for an unknown source. */
  #keysOf(sourceId: string): SourceKey[] {
    const row = this.#get(
      this.#kysely.selectFrom('sources').select('keys').where('id', '=', sourceId).compile(),
    );
    if (row === undefined) throw notFound('source', sourceId);
    return parseKeys(row.keys);
  }

  #writeKeys(sourceId: string, keys: readonly SourceKey[]): void {
    this.#ledger.changeRow('source', sourceId, () =>
      this.#run(
        this.#kysely
          .updateTable('sources')
          .set({ keys: JSON.stringify(keys) })
          .where('id', '=', sourceId)
          .compile(),
      ),
    );
    this.#indexKeys(sourceId, keys);
  }

  /** Puts the source's key ids in `source_keys` as its keys' column now holds them (same transaction). */
  #indexKeys(sourceId: string, keys: readonly SourceKey[]): void {
    this.#unindexKeys.run(sourceId);
    for (const key of keys) this.#indexKey.run(key.keyId, sourceId);
  }

  async listStatus(): Promise<readonly SensorStatus[]> {
    const rows = await this.#kysely.selectFrom('sensor_status').selectAll().orderBy('source_id').execute();
    return rows.map((row) => ({
      sourceId: row.source_id,
      state: row.state as SensorState,
      sinceMs: row.since_ms,
      lastHeartbeatMs: row.last_heartbeat_ms,
    }));
  }
}
