/**
 * @module In-process notification of committed facts. The live stream reads facts from the store;
 * this only wakes it up sooner (it also polls, so writes by another process are seen too).
 */

import type { Marking } from '../core/access/markings.ts';

export type CommitListener = (lastSeq: number) => void;

/**
 * A message that is not a stored fact of the commit sequence — a case's action, a deadline that
 * passed: sent live only, to the mission and the Commission, and to the parties named; or that fusion
 * sets a sensor's reports aside: to those shown the sensor's details, as its state is.
 */
export interface Notice {
  readonly event: 'deadline' | 'case' | 'sensor';
  /** The message's JSON. */
  readonly data: string;
  /**
   * For `case` and `deadline`: the organisations that receive it besides the mission (the case's
   * Commission and parties). None for `sensor`, whose readers the marking decides.
   */
  readonly recipients: readonly string[];
  /** For `sensor`: the source's marking (who may receive its description). */
  readonly marking?: Marking;
}

export type NoticeListener = (notice: Notice) => void;

export class Notifier {
  readonly #listeners = new Set<CommitListener>();
  readonly #noticeListeners = new Set<NoticeListener>();

  /** Calls `listener` with each notice; returns the function that stops it. */
  subscribeNotices(listener: NoticeListener): () => void {
    this.#noticeListeners.add(listener);
    return () => this.#noticeListeners.delete(listener);
  }

  /** Sends a notice to every live listener. */
  notice(notice: Notice): void {
    for (const listener of this.#noticeListeners) listener(notice);
  }

  /** Calls `listener` after each commit; returns the function that stops it. */
  subscribe(listener: CommitListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Announces that facts up to `lastSeq` are committed. */
  committed(lastSeq: number): void {
    for (const listener of this.#listeners) listener(lastSeq);
  }
}
