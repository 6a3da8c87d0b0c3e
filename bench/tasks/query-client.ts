/**
 * @module Sends the planned queries one after another over one keep-alive connection to
 * `GET /api/v1/observations` and times each from the request to the last byte of the answer
 * (routing, validation, store query, presenter, JSON serialisation and transfer included). Every
 * answer is checked: one page holding exactly the rows the plan counted.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { queryString, type PlannedQuery } from '../lib/query-plan.ts';
import type { TaskControl } from './task.ts';

export interface QueryClientArgs {
  readonly port: number;
  /** A read token (the application's routes need one). */
  readonly token: string;
  readonly queriesFile: string;
  /** The page size asked for (at least the largest expected count). */
  readonly limit: number;
}

export interface QueryTimings {
  /** Latency of each query in plan order, ms. */
  readonly latenciesMs: readonly number[];
  readonly rowsReturned: number;
  /** Raw queries only: how many read the keys covering their box, how many the keys of whole days. */
  readonly plans?: { readonly grid: number; readonly days: number };
}

function get(
  agent: Agent,
  port: number,
  path: string,
  token: string,
): Promise<{ status: number; body: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const headers = { authorization: `Bearer ${token}` };
    const req = request({ agent, host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const ms = performance.now() - started;
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export async function run(args: unknown, _control: TaskControl): Promise<QueryTimings> {
  const a = args as QueryClientArgs;
  const queries = JSON.parse(readFileSync(a.queriesFile, 'utf8')) as PlannedQuery[];
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const latenciesMs: number[] = [];
  let rowsReturned = 0;
  for (const [i, q] of queries.entries()) {
    const { status, body, ms } = await get(
      agent,
      a.port,
      `/api/v1/observations?${queryString(q, a.limit)}`,
      a.token,
    );
    latenciesMs.push(ms);
    if (status !== 200) throw new Error(`query ${i} answered ${status}: ${body.slice(0, 300)}`);
    const page = JSON.parse(body) as { items: unknown[]; next: string | null };
    if (page.items.length !== q.expected || page.next !== null)
      throw new Error(
        `query ${i} returned ${page.items.length} rows (next ${String(page.next)}); ${q.expected} match`,
      );
    rowsReturned += page.items.length;
  }
  agent.destroy();
  return { latenciesMs, rowsReturned };
}
