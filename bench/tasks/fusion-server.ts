/**
 * @module The server as `truceline serve --agreement …` runs it — the application, and fusion,
 * attribution and the rules running continuously — on a fresh SQLite file with a simulator
 * directory's agreement, sources and source keys registered. For the stream-latency bench.
 */
import { buildApp } from '../../src/api/build-app.ts';
import { demoReadToken } from '../../src/application/access/bootstrap-accounts.ts';
import { registerSimulation } from '../../src/cli/commands/ingest-simulation.ts';
import { openDeps, startFusion } from '../../src/main.ts';
import { peakRssMb } from '../lib/child.ts';
import type { TaskControl } from './task.ts';

export interface FusionServerArgs {
  readonly dbPath: string;
  /** The simulator directory whose agreement, sources and keys are registered. */
  readonly simulationDir: string;
}

export interface FusionServerInfo {
  readonly port: number;
  /** A mission analyst's read token (the stream's client). */
  readonly token: string;
}

export async function run(args: unknown, control: TaskControl): Promise<unknown> {
  const { dbPath, simulationDir } = args as FusionServerArgs;
  const deps = await openDeps({ db: dbPath }, { purpose: 'serve' });
  let agreementId: string;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let address: string;
  try {
    ({ agreementId } = await registerSimulation(deps, simulationDir));
    app = await buildApp(deps);
    address = await app.listen({ host: '127.0.0.1', port: 0 });
  } catch (error) {
    await deps.store.close();
    throw error;
  }
  let failure: unknown;
  let stopping = false;
  const stopFusion = startFusion(deps, agreementId, (error) => {
    if (!stopping) failure ??= error;
  });
  const token = await demoReadToken(deps, '1d');
  await control.ready({ port: Number(new URL(address).port), token } satisfies FusionServerInfo);
  await control.stopped;
  const peak = peakRssMb();
  stopping = true;
  await stopFusion();
  await app.close();
  await deps.store.close();
  if (failure !== undefined)
    throw failure instanceof Error ? failure : new Error('fusion failed', { cause: failure });
  return { peakRssMb: peak };
}
