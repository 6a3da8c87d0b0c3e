/** @module The source registry and sensor statuses in PostgreSQL. */
import type { Kysely } from 'kysely';
import { notFound } from '../../core/errors.ts';
import type { SensorState } from '../../core/observations/kinds.ts';
import type { SourceStore } from '../../core/ports/source-store.ts';
import type { SensorStatus, Source, SourceKey, SourceKind } from '../../core/sources/source.ts';
import { mergedKeys } from '../common/merged-keys.ts';
import type { PostgresSchema, PostgresSourcesTable } from './postgres-schema.ts';

const toSource = (row: PostgresSourcesTable): Source => ({
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

export class PostgresSourceStore implements SourceStore {
  readonly #kysely: Kysely<PostgresSchema>;

  constructor(kysely: Kysely<PostgresSchema>) {
    this.#kysely = kysely;
  }

  async upsert(source: Source): Promise<void> {
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
    await this.#kysely.transaction().execute(async (trx) => {
      // The upsert locks the row, so the key merge below cannot race another registration.
      const row = await trx
        .insertInto('sources')
        .values({
          id: source.id,
          ...description,
          keys: JSON.stringify(source.keys),
          registered_at: source.registeredAtMs,
        })
        .onConflict((oc) => oc.column('id').doUpdateSet(description))
        .returning(['keys'])
        .executeTakeFirstOrThrow();
      const stored = JSON.parse(row.keys) as SourceKey[];
      const keys = mergedKeys(stored, source.keys);
      if (keys.length !== stored.length)
        await trx
          .updateTable('sources')
          .set({ keys: JSON.stringify(keys) })
          .where('id', '=', source.id)
          .execute();
    });
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
    if (ids.length === 0) return found;
    const rows = await this.#kysely
      .selectFrom('sources')
      .selectAll()
      .where('id', '=', (eb) => eb.fn.any(eb.val([...new Set(ids)])))
      .execute();
    for (const row of rows) found.set(row.id, toSource(row));
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
