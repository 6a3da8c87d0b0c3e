/** @module The shape of a task a bench worker runs. */

export interface TaskControl {
  /** Tells the parent the task is ready (a server listening), with what it needs to know. */
  ready(info: unknown): Promise<void>;
  /** Resolves when the parent asks a long-running task to stop. */
  readonly stopped: Promise<void>;
}

export interface TaskModule {
  run(args: unknown, control: TaskControl): Promise<unknown>;
}
