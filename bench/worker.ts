/**
 * @module The child process every measured task runs in (see lib/child.ts). It loads only the task
 * it is told to run, runs it, and sends back the result with the process's peak resident memory.
 */
import { peakRssMb } from './lib/child.ts';
import type { TaskControl, TaskModule } from './tasks/task.ts';
import { describeError } from '../src/cli/describe-error.ts';

const TASKS: Readonly<Record<string, () => Promise<TaskModule>>> = {
  'file-ingest': () => import('./tasks/file-ingest.ts'),
  'ledger-append': () => import('./tasks/ledger-append.ts'),
  'ledger-verify': () => import('./tasks/ledger-verify.ts'),
  'ledger-proofs': () => import('./tasks/ledger-proofs.ts'),
  'sqlite-insert-limit': () => import('./tasks/sqlite-insert-limit.ts'),
  'app-server': () => import('./tasks/app-server.ts'),
  'bare-server': () => import('./tasks/bare-server.ts'),
  'http-client': () => import('./tasks/http-client-task.ts'),
  'query-plan': () => import('./tasks/query-plan.ts'),
  'query-client': () => import('./tasks/query-client.ts'),
  'sqlite-query-limit': () => import('./tasks/sqlite-query-limit.ts'),
  'postgres-ingest': () => import('./tasks/postgres-ingest.ts'),
  'postgres-copy-limit': () => import('./tasks/postgres-copy-limit.ts'),
  'fusion-throughput': () => import('./tasks/fusion-throughput.ts'),
  'fusion-replay': () => import('./tasks/fusion-replay.ts'),
  'fusion-server': () => import('./tasks/fusion-server.ts'),
  'stream-latency-client': () => import('./tasks/stream-latency-client.ts'),
};

const send = (message: unknown): Promise<void> =>
  new Promise((resolve, reject) => {
    if (process.send === undefined) {
      reject(new Error('bench/worker.ts runs as a child of bench/run.ts'));
      return;
    }
    process.send(message, undefined, {}, (error) => {
      if (error === null) resolve();
      else reject(error);
    });
  });

async function main(): Promise<void> {
  const name = process.argv[2] ?? '';
  const load = TASKS[name];
  if (load === undefined) throw new Error(`unknown task "${name}"`);
  const args = await new Promise<unknown>((resolve) => {
    process.once('message', (message: { type: string; args: unknown }) => resolve(message.args));
  });
  const stopped = new Promise<void>((resolve) => {
    process.on('message', (message: { type: string }) => {
      if (message.type === 'stop') resolve();
    });
  });
  const control: TaskControl = { ready: (info) => send({ type: 'ready', info }), stopped };
  const task = await load();
  const result = await task.run(args, control);
  await send({ type: 'done', result, peakRssMb: peakRssMb() });
  process.disconnect();
}

main().catch(async (error: unknown) => {
  // What the CLI prints (message, fields, causes), then where it was thrown.
  const text = `${describeError(error)}${error instanceof Error && error.stack !== undefined ? `\n${error.stack}` : ''}`;
  await send({ type: 'failed', error: text }).catch(() => undefined);
  process.exit(1);
});
