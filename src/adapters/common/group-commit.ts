/**
 * @module Group commit: calls made in the same turn of the event loop (or while the previous group is
 * still committing) share one transaction, so concurrent requests pay for one durable commit — one
 * fsync — instead of one each. Each caller still gets its own answer, and only after the commit.
 */
import { TrucelineError } from '../../core/errors.ts';

interface Waiting<I, O> {
  readonly input: I;
  readonly resolve: (output: O) => void;
  readonly reject: (error: unknown) => void;
}

/** Commits groups of inputs with one call of `commit`, which must be atomic over the whole group. */
export class GroupCommit<I, O> {
  readonly #commit: (inputs: readonly I[]) => Promise<readonly O[]> | readonly O[];
  readonly #maxGroup: number;
  #queue: Waiting<I, O>[] = [];
  #scheduled = false;
  #running: Promise<void> | undefined;
  #closed = false;

  /**
   * @param commit commits every input in one transaction, in order, and returns one output per input
   * @param maxGroup the most calls that share one transaction
   */
  constructor(commit: (inputs: readonly I[]) => Promise<readonly O[]> | readonly O[], maxGroup = 64) {
    this.#commit = commit;
    this.#maxGroup = maxGroup;
  }

  /** Queues one input; resolves with its output once the transaction holding it has committed. */
  submit(input: I): Promise<O> {
    if (this.#closed) return Promise.reject(new TrucelineError('E_STORE', 'the store is closed'));
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ input, resolve, reject });
      this.#schedule();
    });
  }

  /** Refuses new inputs and resolves once every queued one has been committed (or has failed). */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#queue.length > 0 || this.#running !== undefined || this.#scheduled) {
      await (this.#running ?? new Promise<void>((resolve) => setImmediate(resolve)));
    }
  }

  #schedule(): void {
    if (this.#scheduled || this.#running !== undefined) return;
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
    const group = this.#queue.splice(0, this.#maxGroup);
    try {
      const outputs = await this.#commit(group.map((waiting) => waiting.input));
      group.forEach((waiting, i) => waiting.resolve(outputs[i] as O));
    } catch (error) {
      if (group.length === 1) {
        group[0]?.reject(error);
        return;
      }
      // One input may have caused the failure: commit each alone so the others do not fail with it.
      for (const waiting of group) {
        try {
          const [output] = await this.#commit([waiting.input]);
          waiting.resolve(output as O);
        } catch (single) {
          waiting.reject(single);
        }
      }
    }
  }
}
