/** @module The source registry and sensor statuses in PostgreSQL. */
import { sql, type Kysely, type Transaction } from 'kysely';
import { notFound } from '../../core/errors.ts';
import type { SensorState } from '../../core/observations/kinds.ts';
import type { SourceStore } from '../../core/ports/source-store.ts';
import type { SensorStatus, Source, SourceKey, SourceKind } from '../../core/sources/source.ts';
import { markingColumns, markingOf } from '../common/marking-columns.ts';
import { addedKeys, keyOf, mergedKeys, parseKeys, revokedKeys } from '../common/merged-keys.ts';
import { onKysely, type PostgresLedgerWriter } from './postgres-ledger.ts';
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
  keys: parseKeys(row.keys),
  registeredAtMs: row.registered_at,
  marking: markingOf(row.tlp, row.releasable_to),
});

/** The source's stored keys, its row locked until the transaction ends; `E_NOT_FOUND` for an unknown source. */
async function keysOf(trx: Transaction<PostgresSchema>, sourceId: string): Promise<SourceKey[]> {
  const row = await trx
    .selectFrom('sources')
    .select('keys')
    .where('id', '=', sourceId)
    .forUpdate()
    .executeTakeFirst();
  if (row === undefined) throw notFound('source', sourceId);
  return parseKeys(row.keys);
}

/** Writes the source's keys and ledgers the change (a new leaf, the superseded record kept). */
async function writeKeys(
  trx: Transaction<PostgresSchema>,
  ledger: PostgresLedgerWriter,
  sourceId: string,
  keys: readonly SourceKey[],
) {
  await ledger.changeRow(onKysely(trx), 'source', sourceId, () =>
    trx
      .updateTable('sources')
      .set({ keys: JSON.stringify(keys) })
      .where('id', '=', sourceId)
      .execute(),
  );
  await indexKeys(trx, sourceId, keys);
}

/** Puts the source's key ids in `source_keys` as its keys' column now holds them (same transaction). */
async function indexKeys(trx: Transaction<PostgresSchema>, sourceId: string, keys: readonly SourceKey[]) {
  await sql`DELETE FROM source_keys WHERE source_id = ${sourceId}`.execute(trx);
  const ids = [...new Set(keys.map((key) => key.keyId))];
  if (ids.length > 0)
    await sql`INSERT INTO source_keys (key_id, source_id)
      SELECT key_id, ${sourceId} FROM unnest(${ids}::text[]) AS key_id`.execute(trx);
}

/** The first source (by id) holding a key id, from the index of the keys' column (`source_keys`). */
async function holderOf(
  db: Kysely<PostgresSchema>,
  keyId: string,
): Promise<PostgresSourcesTable | undefined> {
  return db
    .selectFrom('sources')
    .selectAll()
    .where(
      'id',
      '=',
      sql<string>`(SELECT source_id FROM source_keys WHERE key_id = ${keyId} ORDER BY source_id LIMIT 1)`,
    )
    .executeTakeFirst();
}

/** -0 becomes 0: SQLite cannot tell them apart, so no store does. */
const plain = (value: number | null | undefined): number | null =>
  value === null || value === undefined ? null : value + 0;

export class PostgresSourceStore implements SourceStore {
  readonly #kysely: Kysely<PostgresSchema>;
  readonly #ledger: PostgresLedgerWriter;

  /** @param ledger appends every registration and key change to the ledger, in its transaction */
  constructor(kysely: Kysely<PostgresSchema>, ledger: PostgresLedgerWriter) {
    this.#kysely = kysely;
    this.#ledger = ledger;
  }

  async upsert(source: Source): Promise<void> {
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
    await this.#kysely.transaction().execute(async (trx) => {
      const db = onKysely(trx);
      const locked = () =>
        trx.selectFrom('sources').select('keys').where('id', '=', source.id).forUpdate().executeTakeFirst();
      // The row lock: the key merge below cannot race another registration or a key change.
      let stored = await locked();
      if (stored === undefined) {
        const inserted = await trx
          .insertInto('sources')
          .values({
            id: source.id,
            ...description,
            keys: JSON.stringify(source.keys),
            registered_at: source.registeredAtMs,
          })
          .onConflict((oc) => oc.column('id').doNothing())
          .returning('id')
          .executeTakeFirst();
        if (inserted !== undefined) {
          await this.#ledger.recordRows(db, 'source', [source.id]);
          await indexKeys(trx, source.id, source.keys);
          return;
        }
        // A concurrent registration inserted it first (and has committed): this one re-registers it.
        stored = await locked();
        if (stored === undefined) throw new Error(`source ${source.id} vanished while registered`);
      }
      // As SQLite writes it: the description, and the stored keys merged with the offered ones; a
      // change is a new leaf (none if nothing changed), the superseded record kept.
      const keys = mergedKeys(parseKeys(stored.keys), source.keys);
      await this.#ledger.changeRow(db, 'source', source.id, () =>
        trx
          .updateTable('sources')
          .set({ ...description, keys: JSON.stringify(keys) })
          .where('id', '=', source.id)
          .execute(),
      );
      await indexKeys(trx, source.id, keys);
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

  async addKey(sourceId: string, key: SourceKey): Promise<void> {
    await this.#kysely.transaction().execute(async (trx) => {
      // Key ids are unique across sources: additions are serialized, so two cannot both pass the check.
      await sql`SELECT pg_advisory_xact_lock(hashtext('truceline.source-keys'))`.execute(trx);
      const keys = await keysOf(trx, sourceId);
      const holder = (await holderOf(trx, key.keyId))?.id;
      await writeKeys(trx, this.#ledger, sourceId, addedKeys(sourceId, keys, key, holder));
    });
  }

  async revokeKey(
    sourceId: string,
    keyId: string,
    revokedAtMs: number,
    compromisedAtMs: number | null,
  ): Promise<void> {
    await this.#kysely.transaction().execute(async (trx) => {
      const keys = await keysOf(trx, sourceId);
      await writeKeys(
        trx,
        this.#ledger,
        sourceId,
        revokedKeys(sourceId, keys, keyId, revokedAtMs, compromisedAtMs),
      );
    });
  }

  async findKey(keyId: string): Promise<{ readonly source: Source; readonly key: SourceKey } | undefined> {
    const row = await holderOf(this.#kysely, keyId);
    if (row === undefined) return undefined;
    const source = toSource(row);
    const key = keyOf(source.keys, keyId);
    return key && { source, key };
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
