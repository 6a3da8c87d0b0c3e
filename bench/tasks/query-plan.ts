/**
 * @module Reads every stored observation's point and time through the store port and plans the
 * benchmark's queries (lib/query-plan.ts), writing them to a JSON file.
 */
import { writeFileSync } from 'node:fs';
import { openSqliteStore } from '../../src/adapters/sqlite/open-sqlite-store.ts';
import { planQueries, pointSet, QUERY_BAND, type PlannedQuery } from '../lib/query-plan.ts';
import type { TaskControl } from './task.ts';

export interface QueryPlanArgs {
  readonly dbPath: string;
  readonly count: number;
  readonly seed: number;
  readonly scale: number;
  readonly outFile: string;
}

export interface QueryPlanResult {
  readonly stored: number;
  readonly withPoint: number;
  readonly queries: number;
  readonly meanExpected: number;
}

export async function run(args: unknown, _control: TaskControl): Promise<QueryPlanResult> {
  const a = args as QueryPlanArgs;
  const store = await openSqliteStore({ path: a.dbPath });
  const lat: number[] = [];
  const lon: number[] = [];
  const t: number[] = [];
  let stored = 0;
  for (let after = 0; ;) {
    const page = await store.observations.listAfter(after, 10_000);
    if (page.length === 0) break;
    for (const row of page) {
      stored += 1;
      if (row.lat !== null && row.lon !== null) {
        lat.push(row.lat);
        lon.push(row.lon);
        t.push(row.observedAtMs);
      }
    }
    after = page[page.length - 1]!.seq;
  }
  await store.close();
  const queries: PlannedQuery[] = planQueries(pointSet(lat, lon, t), a.count, a.seed, a.scale);
  if (queries.some((q) => q.expected < QUERY_BAND.min || q.expected > QUERY_BAND.max))
    throw new Error('a planned query is out of band');
  writeFileSync(a.outFile, JSON.stringify(queries));
  return {
    stored,
    withPoint: lat.length,
    queries: queries.length,
    meanExpected: queries.reduce((sum, q) => sum + q.expected, 0) / queries.length,
  };
}
