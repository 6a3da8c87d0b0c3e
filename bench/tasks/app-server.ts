/**
 * @module The application as `truceline serve` runs it (buildApp with the shipped options, SQLite
 * store with the shipped pragmas), on a fresh or an existing database file, in its own process.
 */
import { openSqliteStore } from '../../src/adapters/sqlite/open-sqlite-store.ts';
import { buildApp } from '../../src/api/build-app.ts';
import { demoReadToken } from '../../src/application/access/bootstrap-accounts.ts';
import { SERVE_SQLITE_OPTIONS } from '../../src/main.ts';
import { peakRssMb, threadCpuSeconds } from '../lib/child.ts';
import { appDeps, closeDeps, registerBenchSources } from '../lib/deps.ts';
import type { TaskControl } from './task.ts';

export interface AppServerArgs {
  readonly dbPath: string;
  /** Registers these sources first (a fresh database); omitted for a database filled already. */
  readonly sourcesFile?: string;
  readonly validationThreads?: number;
}

export async function run(args: unknown, control: TaskControl): Promise<unknown> {
  const { dbPath, sourcesFile, validationThreads } = args as AppServerArgs;
  const store = await openSqliteStore({ path: dbPath, ...SERVE_SQLITE_OPTIONS });
  const deps = appDeps(store, validationThreads);
  if (sourcesFile !== undefined) await registerBenchSources(store, sourcesFile);
  const app = await buildApp(deps);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  // A mission analyst's read token, as `truceline serve --demo` gives one.
  const token = await demoReadToken(deps, '1d');
  await control.ready({ port: Number(new URL(address).port), token });
  await control.stopped;
  const peak = peakRssMb();
  // Every thread of the process (the validation threads too), user and system, from its start.
  const cpu = process.cpuUsage();
  const threads = threadCpuSeconds();
  await app.close();
  await closeDeps(deps);
  return { peakRssMb: peak, cpuSeconds: (cpu.user + cpu.system) / 1e6, threadCpuSeconds: threads };
}
