/**
 * @module The query limit: the planned queries as one SQL statement each through raw better-sqlite3,
 * on the same file with the shipped pragmas, in the same order (100 warm-up, then 1,000), in a fresh
 * process. The statement uses the schema's box-and-window index the way docs/decisions/0004 says a
 * raw query should — the grid keys (day × cell, from the adapter's own grid function) covering the
 * box over the window's days, the time range, the exact coordinates; the keys of those whole days
 * when the covering keys are too many (docs/decisions/0015) — and returns the same columns, ordered
 * by commit sequence, as row objects. No HTTP, no query builder, no presenter, no JSON.
 */
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { spatialGrid } from '../../src/adapters/common/spatial-grid.ts';
import { SERVE_SQLITE_OPTIONS } from '../../src/main.ts';
import { applyPragmas, openRecordingPragmas } from '../lib/sqlite-pragmas.ts';
import type { PlannedQuery } from '../lib/query-plan.ts';
import type { QueryTimings } from './query-client.ts';
import type { TaskControl } from './task.ts';

export interface SqliteQueryLimitArgs {
  readonly dbPath: string;
  readonly queriesFile: string;
  readonly limit: number;
}

const COLUMNS =
  'seq, source_id, record_id, kind, observed_at, time_uncertainty_ms, received_at, lat, lon, ce_m, weapon_class, batch_id, content_sha256, content';

export async function run(args: unknown, _control: TaskControl): Promise<QueryTimings> {
  const a = args as SqliteQueryLimitArgs;
  const { store, pragmas } = await openRecordingPragmas({ path: a.dbPath, ...SERVE_SQLITE_OPTIONS });
  await store.close();
  const db = new Database(a.dbPath, { readonly: true });
  applyPragmas(db, pragmas);
  const queries = JSON.parse(readFileSync(a.queriesFile, 'utf8')) as PlannedQuery[];
  const statements = new Map<string, Database.Statement>();
  const statement = (sqlText: string): Database.Statement => {
    let s = statements.get(sqlText);
    if (s === undefined) {
      s = db.prepare(sqlText);
      statements.set(sqlText, s);
    }
    return s;
  };
  const latenciesMs: number[] = [];
  const plans = { grid: 0, days: 0 };
  let rowsReturned = 0;
  for (const [i, q] of queries.entries()) {
    const started = performance.now();
    const box = { west: q.west, south: q.south, east: q.east, north: q.north };
    let rows: unknown[];
    const where = 'lat >= ? AND lat <= ? AND lon >= ? AND lon <= ? AND observed_at >= ? AND observed_at < ?';
    const params = [q.south, q.north, q.west, q.east, q.fromMs, q.toMs];
    const [fromDay, toDay] = [spatialGrid.dayOf(q.fromMs), spatialGrid.dayOf(q.toMs - 1)];
    if (spatialGrid.countCovering(box, fromDay, toDay) <= spatialGrid.maxCoveringKeys) {
      plans.grid += 1;
      const keys = spatialGrid.covering(box, fromDay, toDay);
      rows = statement(
        `SELECT ${COLUMNS} FROM observations INDEXED BY observations_grid WHERE grid_key IN (SELECT value FROM json_each(?)) AND ${where} ORDER BY seq LIMIT ?`,
      ).all(JSON.stringify(keys), ...params, a.limit);
    } else {
      plans.days += 1;
      rows = statement(
        `SELECT ${COLUMNS} FROM observations INDEXED BY observations_grid WHERE grid_key >= ? AND grid_key < ? AND ${where} ORDER BY seq LIMIT ?`,
      ).all(...spatialGrid.dayRange(fromDay, toDay), ...params, a.limit);
    }
    latenciesMs.push(performance.now() - started);
    if (rows.length !== q.expected)
      throw new Error(`raw query ${i} returned ${rows.length} rows; ${q.expected} match`);
    rowsReturned += rows.length;
  }
  db.close();
  return { latenciesMs, rowsReturned, plans };
}
