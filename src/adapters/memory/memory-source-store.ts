/** @module The source registry and sensor statuses in memory. */
import { notFound } from '../../core/errors.ts';
import type { SourceStore } from '../../core/ports/source-store.ts';
import type { SensorStatus, Source, SourceKey } from '../../core/sources/source.ts';
import { compareCodePoints } from '../common/compare-code-points.ts';
import { storedMarking } from '../common/marking-columns.ts';
import { addedKeys, keyOf, mergedKeys, parseKeys, revokedKeys } from '../common/merged-keys.ts';
import type { MemoryLedgerWriter } from './memory-ledger.ts';
import type { MemorySchema } from './memory-schema.ts';

/** -0 becomes 0: SQLite cannot tell them apart, so no store does. */
const plain = (value: number): number => value + 0;

/** What a SQL store would read back: JSON fields through JSON, no undefined members. */
function stored(source: Source, keys: readonly SourceKey[], registeredAtMs: number): Source {
  const position = source.position;
  return {
    id: source.id,
    kind: source.kind,
    organisation: source.organisation,
    name: source.name,
    position:
      position === null
        ? null
        : position.altitudeM === undefined
          ? { lat: plain(position.lat), lon: plain(position.lon) }
          : { lat: plain(position.lat), lon: plain(position.lon), altitudeM: plain(position.altitudeM) },
    orientationDeg: source.orientationDeg === null ? null : plain(source.orientationDeg),
    capabilities: JSON.parse(JSON.stringify(source.capabilities)) as Record<string, unknown>,
    keys: parseKeys(JSON.stringify(keys)),
    registeredAtMs,
    marking: storedMarking(source.marking),
  };
}

/** A copy, so a caller cannot change what is stored. */
const copy = (source: Source): Source => stored(source, source.keys, source.registeredAtMs);

export class MemorySourceStore implements SourceStore {
  readonly #tables: MemorySchema;
  readonly #ledger: MemoryLedgerWriter;

  /** @param ledger appends every registration and key change to the ledger */
  constructor(tables: MemorySchema, ledger: MemoryLedgerWriter) {
    this.#tables = tables;
    this.#ledger = ledger;
  }

  upsert(source: Source): Promise<void> {
    return Promise.resolve().then(() => {
      // A new source is a new leaf; a changed one a new leaf with the old record kept; no change, none.
      this.#ledger.changeRow('source', source.id, () => {
        const existing = this.#tables.sources.get(source.id);
        this.#tables.sources.set(
          source.id,
          existing === undefined
            ? stored(source, source.keys, source.registeredAtMs)
            : stored(source, mergedKeys(existing.keys, source.keys), existing.registeredAtMs),
        );
      });
    });
  }

  find(id: string): Promise<Source | undefined> {
    const source = this.#tables.sources.get(id);
    return Promise.resolve(source && copy(source));
  }

  async get(id: string): Promise<Source> {
    const source = await this.find(id);
    if (source === undefined) throw notFound('source', id);
    return source;
  }

  findMany(ids: readonly string[]): Promise<ReadonlyMap<string, Source>> {
    const found = new Map<string, Source>();
    for (const id of ids) {
      const source = this.#tables.sources.get(id);
      if (source !== undefined) found.set(id, copy(source));
    }
    return Promise.resolve(found);
  }

  list(): Promise<readonly Source[]> {
    return Promise.resolve(
      [...this.#tables.sources.values()].sort((a, b) => compareCodePoints(a.id, b.id)).map(copy),
    );
  }

  addKey(sourceId: string, key: SourceKey): Promise<void> {
    return Promise.resolve().then(() => {
      const source = this.#tables.sources.get(sourceId);
      if (source === undefined) throw notFound('source', sourceId);
      const holder = this.#holder(key.keyId)?.id;
      this.#setKeys(source, addedKeys(sourceId, source.keys, key, holder));
    });
  }

  revokeKey(
    sourceId: string,
    keyId: string,
    revokedAtMs: number,
    compromisedAtMs: number | null,
  ): Promise<void> {
    return Promise.resolve().then(() => {
      const source = this.#tables.sources.get(sourceId);
      if (source === undefined) throw notFound('source', sourceId);
      this.#setKeys(source, revokedKeys(sourceId, source.keys, keyId, revokedAtMs, compromisedAtMs));
    });
  }

  findKey(keyId: string): Promise<{ readonly source: Source; readonly key: SourceKey } | undefined> {
    return Promise.resolve().then(() => {
      const holder = this.#holder(keyId);
      if (holder === undefined) return undefined;
      const source = copy(holder);
      const key = keyOf(source.keys, keyId);
      return key && { source, key };
    });
  }

  /** The first source (by id) holding a key id. */
  #holder(keyId: string): Source | undefined {
    return [...this.#tables.sources.values()]
      .filter((source) => keyOf(source.keys, keyId) !== undefined)
      .sort((a, b) => compareCodePoints(a.id, b.id))[0];
  }

  #setKeys(source: Source, keys: readonly SourceKey[]): void {
    this.#ledger.changeRow('source', source.id, () =>
      this.#tables.sources.set(source.id, stored(source, keys, source.registeredAtMs)),
    );
  }

  listStatus(): Promise<readonly SensorStatus[]> {
    return Promise.resolve(
      [...this.#tables.sensorStatus.values()].sort((a, b) => compareCodePoints(a.sourceId, b.sourceId)),
    );
  }
}
