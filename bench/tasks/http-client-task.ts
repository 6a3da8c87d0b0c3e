/** @module Runs the bench HTTP client (bench/http-client.ts) against a server, in its own process. */
import { knownSources, postAll, readBatches, type PostResult } from '../http-client.ts';
import type { TaskControl } from './task.ts';

export interface HttpClientArgs {
  readonly port: number;
  readonly file: string;
  readonly batch: number;
  readonly connections: number;
}

export interface HttpClientResult extends PostResult {
  readonly lines: number;
  /** CPU the client process used while posting (user and system). */
  readonly cpuSeconds: number;
}

export async function run(args: unknown, _control: TaskControl): Promise<HttpClientResult> {
  const { port, file, batch, connections } = args as HttpClientArgs;
  const { batches, lines } = readBatches(file, batch, knownSources(file));
  const cpu = process.cpuUsage();
  const result = await postAll(batches, {
    host: '127.0.0.1',
    port,
    path: '/api/v1/observations',
    connections,
    contentType: 'application/x-ndjson',
  });
  const used = process.cpuUsage(cpu);
  return { ...result, lines, cpuSeconds: (used.user + used.system) / 1e6 };
}
