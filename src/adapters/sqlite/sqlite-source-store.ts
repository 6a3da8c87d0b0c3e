/** @module The source registry and sensor statuses in SQLite. */
import type Database from 'better-sqlite3';
import type { CompiledQuery, Kysely } from 'kysely';
import { notFound } from '../../core/errors.ts';
import type { SensorState } from '../../core/observations/kinds.ts';
import type { SourceStore } from '../../core/ports/source-store.ts';
import type { SensorStatus, Source, SourceKey, SourceKind } from '../../core/sources/source.ts';
import { mergedKeys } from '../common/merged-keys.ts';
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
  keys: JSON.parse(row.keys) as SourceKey[],
  registeredAtMs: row.registered_at,
});

/** -0 becomes 0: SQLite cannot tell them apart, so no store does. */
const plain = (value: number | null | undefined): number | null =>
  value === null || value === undefined ? null : value + 0;

export class SqliteSourceStore implements SourceStore {
  readonly #db: Database.Database;
  readonly #kysely: Kysely<SqliteSchema>;

  constructor(db: Database.Database, kysely: Kysely<SqliteSchema>) {
    this.#db = db;
    this.#kysely = kysely;
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
      .transaction(() => {
        const stored = this.#get(
          k.selectFrom('sources').select(['keys', 'registered_at']).where('id', '=', source.id).compile(),
        );
        const description = {
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
          return;
        }
        const keys = mergedKeys(JSON.parse(stored.keys) as SourceKey[], source.keys);
        this.#run(
          k
            .updateTable('sources')
            .set({ ...description, keys: JSON.stringify(keys) })
            .where('id', '=', source.id)
            .compile(),
        );
      })
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

  async findMany(ids: readonly string[]): Promise<ReadonlyMap<string, Source>> {
    const found = new Map<string, Source>();
    const unique = [...new Set(ids)];
    // Chunks stay well under SQLite's limit on bound parameters.
    for (let i = 0; i < unique.length; i += 500) {
      const rows = await this.#kysely
        .selectFrom('sources')
        .selectAll()
        .where('id', 'in', unique.slice(i, i + 500))
        .execute();
      for (const row of rows) found.set(row.id, toSource(row));
    }
    return found;
  }

  async list(): Promise<readonly Source[]> {
    const rows = await this.#kysely.selectFrom('sources').selectAll().orderBy('id').execute();
    return rows.map(toSource);
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
