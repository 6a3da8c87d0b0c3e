/**
 * @module A task's status at a time. Overdue is read off the clock, never recorded: a task past its
 * deadline is overdue until someone reports how it ended, and nothing has to run at the deadline for
 * the queue to show it.
 */
import type { TaskStatus } from './kinds.ts';
import type { VerificationTask } from './verification-item.ts';

/**
 * `done` or `failed` once reported; otherwise `overdue` from the deadline on (the deadline itself
 * included), `open` before it.
 */
export function taskStatus(task: VerificationTask, nowMs: number): TaskStatus {
  if (task.result !== null) return task.result;
  return nowMs >= task.deadlineMs ? 'overdue' : 'open';
}
