/**
 * @module The shipped SQLite pragmas, taken from the adapter itself: while the store opens, every
 * `pragma()` call it makes on its connection is recorded; the limits replay the setting ones on their
 * raw connection. So a limit always runs with what ships (page size and WAL live in the file, which
 * the adapter creates; synchronous, cache size, temp store, mmap, busy timeout are per connection).
 */
import Database from 'better-sqlite3';
import { openSqliteStore, type SqliteStoreOptions } from '../../src/adapters/sqlite/open-sqlite-store.ts';
import type { Store } from '../../src/core/ports/store.ts';

/** Opens the store as the product does, recording the pragmas it sets. */
export async function openRecordingPragmas(
  options: SqliteStoreOptions,
): Promise<{ store: Store; pragmas: string[] }> {
  const prototype = Database.prototype as { pragma: (source: string, options?: unknown) => unknown };
  const original = prototype.pragma;
  const pragmas: string[] = [];
  prototype.pragma = function (this: unknown, source: string, pragmaOptions?: unknown) {
    if (source.includes('=')) pragmas.push(source);
    return original.call(this, source, pragmaOptions);
  };
  try {
    return { store: await openSqliteStore(options), pragmas };
  } finally {
    prototype.pragma = original;
  }
}

/** Sets the recorded pragmas on a raw connection; returns their values read back. */
export function applyPragmas(db: Database.Database, pragmas: readonly string[]): Record<string, unknown> {
  if (pragmas.length === 0)
    throw new Error('no pragmas were recorded: did the adapter change how it sets them?');
  const values: Record<string, unknown> = {};
  for (const source of pragmas) {
    db.pragma(source);
    const name = source.split('=')[0]!.trim();
    values[name] = db.pragma(name, { simple: true });
  }
  return values;
}
