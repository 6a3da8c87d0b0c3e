/**
 * @module Each measured thing runs in a child process of its own, so its peak memory (the kernel's
 * high-water mark of resident memory, `VmHWM`) is its own and a run does not inherit the caches and
 * heap of the one before. The child is `bench/worker.ts`, told which task to run over IPC.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt } from '../../scripts/build.mjs';
import { BENCH_DIR } from '../generate-observations.ts';

/** What a finished task sends back. */
export interface TaskReply<T> {
  readonly result: T;
  /** Peak resident memory of the child, MB. */
  readonly peakRssMb: number;
}

type Message =
  | { readonly type: 'ready'; readonly info: unknown }
  | { readonly type: 'done'; readonly result: unknown; readonly peakRssMb: number }
  | { readonly type: 'failed'; readonly error: string };

/** Peak resident memory of this process so far, MB (`VmHWM`; `maxRSS` where /proc is missing). */
export function peakRssMb(): number {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match?.[1] !== undefined) return Number(match[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * CPU seconds (user and system) of each of this process's threads that used at least `minSeconds`,
 * busiest first, from /proc/self/task (empty where /proc is missing): which thread a figure waits on.
 */
export function threadCpuSeconds(minSeconds = 0.5): number[] {
  const ticksPerSecond = 100; // Linux's USER_HZ
  const seconds: number[] = [];
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // The fields after the command name (which may hold spaces), from field 3 (state) on.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const used = (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
      if (used >= minSeconds) seconds.push(Number(used.toFixed(1)));
    }
  } catch {
    return [];
  }
  return seconds.sort((a, b) => b - a);
}

/**
 * The bench's worker compiled as the command is (scripts/build.mjs): tasks run JavaScript, not tsx, so
 * their memory and start-up are those of `truceline` — and each loads only its own chunk.
 */
const compiledWorker = (): Promise<string> =>
  ensureBuilt({
    entry: 'bench/worker.ts',
    name: 'worker',
    outdir: join(BENCH_DIR, 'data', 'build'),
    splitting: true,
  });

function spawnWorker(
  worker: string,
  task: string,
  args: unknown,
  nodeOptions: readonly string[],
): ChildProcess {
  const child = fork(worker, [task], {
    execArgv: [...nodeOptions],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.send({ type: 'start', args });
  return child;
}

function waitFor(child: ChildProcess, task: string, want: Message['type']): Promise<Message> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: Message): void => {
      if (message.type === 'failed') {
        cleanup();
        reject(new Error(`${task}: ${message.error}`));
      } else if (message.type === want) {
        cleanup();
        resolve(message);
      }
    };
    const onExit = (code: number | null, signal: string | null): void => {
      cleanup();
      reject(new Error(`${task}: the worker exited (${signal ?? `code ${String(code)}`}) before "${want}"`));
    };
    const cleanup = (): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Runs `task` to completion in a fresh child process. */
export async function runTask<T>(
  task: string,
  args: unknown,
  nodeOptions: readonly string[] = [],
): Promise<TaskReply<T>> {
  const child = spawnWorker(await compiledWorker(), task, args, nodeOptions);
  const message = await waitFor(child, task, 'done');
  if (message.type !== 'done') throw new Error('unreachable');
  await new Promise((resolve) =>
    child.exitCode === null ? child.once('exit', resolve) : resolve(undefined),
  );
  return { result: message.result as T, peakRssMb: message.peakRssMb };
}

/** A task that serves until told to stop (an HTTP server). */
export interface RunningTask<I, T> {
  readonly info: I;
  stop(): Promise<TaskReply<T>>;
}

/** Starts a long-running task; resolves once it says it is ready. */
export async function startTask<I, T>(
  task: string,
  args: unknown,
  nodeOptions: readonly string[] = [],
): Promise<RunningTask<I, T>> {
  const child = spawnWorker(await compiledWorker(), task, args, nodeOptions);
  const ready = await waitFor(child, task, 'ready');
  if (ready.type !== 'ready') throw new Error('unreachable');
  return {
    info: ready.info as I,
    stop: async () => {
      const done = waitFor(child, task, 'done');
      child.send({ type: 'stop' });
      const message = await done;
      if (message.type !== 'done') throw new Error('unreachable');
      await new Promise((resolve) =>
        child.exitCode === null ? child.once('exit', resolve) : resolve(undefined),
      );
      return { result: message.result as T, peakRssMb: message.peakRssMb };
    },
  };
}
