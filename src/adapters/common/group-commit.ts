/**
 * @module Group commit: calls made in the same turn of the event loop (or while the previous group is
 * still committing) share one transaction, so concurrent requests pay for one durable commit — one
 * fsync — instead of one each. Each caller still gets its own answer, and only after the commit (and,
 * where the store syncs after committing, after that sync).
 */
import { TrucelineError } from '../../core/errors.ts';

interface Waiting<I, O> {
  /** The input once prepared (`ready`). */
  input: I;
  ready: boolean;
  readonly resolve: (output: O) => void;
  readonly reject: (error: unknown) => void;
}

/** The most calls that share one transaction, by default. */
export const GROUP_SIZE = 64;

/** Commits groups of inputs with one call of `commit`, which must be atomic over the whole group. */
export class GroupCommit<I, O> {
  readonly #commit: (inputs: readonly I[]) => Promise<readonly O[]> | readonly O[];
  readonly #maxGroup: number;
  readonly #prepare: ((input: I) => Promise<I> | undefined) | undefined;
  readonly #durable: (() => Promise<void>) | undefined;
  #queue: Waiting<I, O>[] = [];
  #scheduled = false;
  #running: Promise<void> | undefined;
  #closed = false;

  /**
   * @param commit commits every input in one transaction, in order, and returns one output per input
   * @param maxGroup the most calls that share one transaction
   * @param prepare work to do on an input before it can join a transaction, off the commit (e.g.
   *   compressing); `undefined` when there is none. Inputs still join in the order submitted.
   * @param durable waited for after a successful commit, before anyone is answered: what makes the
   *   commit durable when `commit` leaves that to later (a sync of the log). When it fails, every input
   *   the group committed fails with it, committed but not known to be on disk, and none is committed
   *   again.
   */
  constructor(
    commit: (inputs: readonly I[]) => Promise<readonly O[]> | readonly O[],
    maxGroup = GROUP_SIZE,
    prepare?: (input: I) => Promise<I> | undefined,
    durable?: () => Promise<void>,
  ) {
    this.#commit = commit;
    this.#maxGroup = maxGroup;
    this.#prepare = prepare;
    this.#durable = durable;
  }

  /** Queues one input; resolves with its output once the transaction holding it has committed. */
  submit(input: I): Promise<O> {
    if (this.#closed) return Promise.reject(new TrucelineError('E_STORE', 'the store is closed'));
    return new Promise<O>((resolve, reject) => {
      const prepared = this.#prepare?.(input);
      const waiting: Waiting<I, O> = { input, ready: prepared === undefined, resolve, reject };
      this.#queue.push(waiting);
      if (prepared === undefined) {
        this.#schedule();
        return;
      }
      prepared.then(
        (value) => {
          waiting.input = value;
          waiting.ready = true;
          this.#schedule();
        },
        (error: unknown) => {
          this.#queue.splice(this.#queue.indexOf(waiting), 1);
          reject(
            new TrucelineError('E_STORE', 'the input could not be prepared for its commit', { cause: error }),
          );
          this.#schedule();
        },
      );
    });
  }

  /** Refuses new inputs and resolves once every queued one has been committed (or has failed). */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#queue.length > 0 || this.#running !== undefined || this.#scheduled) {
      await (this.#running ?? new Promise<void>((resolve) => setImmediate(resolve)));
    }
  }

  /** Starts a flush unless one is due or running, or the next input is still being prepared. */
  #schedule(): void {
    if (this.#scheduled || this.#running !== undefined || this.#queue[0]?.ready !== true) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#running = this.#flush().finally(() => {
        this.#running = undefined;
        if (this.#queue.length > 0) this.#schedule();
      });
    });
  }

  async #flush(): Promise<void> {
    // The ready inputs at the head of the queue, in order: one still being prepared holds back those after it.
    let ready = 0;
    while (ready < this.#queue.length && ready < this.#maxGroup && this.#queue[ready]?.ready === true)
      ready += 1;
    const group = this.#queue.splice(0, ready);
    /** Each input's outcome once committed: its output, or why its commit failed. */
    const settled: ({ output: O } | { error: unknown })[] = [];
    try {
      const outputs = await this.#commit(group.map((waiting) => waiting.input));
      for (const output of outputs) settled.push({ output });
    } catch (error) {
      if (group.length === 1) settled.push({ error });
      else
        // One input may have caused the failure: commit each alone so the others do not fail with it.
        for (const waiting of group) {
          try {
            const [output] = await this.#commit([waiting.input]);
            settled.push({ output: output as O });
          } catch (single) {
            settled.push({ error: single });
          }
        }
    }
    if (this.#durable !== undefined && settled.some((outcome) => 'output' in outcome))
      try {
        await this.#durable();
      } catch (error) {
        // Those committed fail with it; the others with their own reason.
        group.forEach((waiting, i) => {
          const outcome = settled[i];
          waiting.reject(outcome !== undefined && 'error' in outcome ? outcome.error : error);
        });
        return;
      }
    group.forEach((waiting, i) => {
      const outcome = settled[i];
      if (outcome !== undefined && 'output' in outcome) waiting.resolve(outcome.output);
      else waiting.reject(outcome?.error);
    });
  }
}
