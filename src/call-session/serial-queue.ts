/**
 * Runs a session's inputs strictly one after another (nothing interleaves across awaits), and
 * keeps track of the slow work started beside them, so an entry point can wait until all is done.
 */
import { describeError } from "../db/client";

export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly beside = new Set<Promise<void>>();

  /** Runs `task` after every earlier task. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task);
    this.tail = run.catch((e) =>
      console.error("call session step failed", { error: describeError(e) }),
    );
    return run;
  }

  /** Starts slow work outside the queue; its results come back as new tasks. */
  start(work: () => Promise<void>): void {
    const running = work().catch((e) =>
      console.error("call session work failed", { error: describeError(e) }),
    );
    this.beside.add(running);
    void running.finally(() => this.beside.delete(running));
  }

  /** Waits until the queue is idle and no work started beside it is running. */
  async settled(): Promise<void> {
    for (;;) {
      const tail = this.tail;
      await tail;
      await Promise.all([...this.beside]);
      if (this.beside.size === 0 && this.tail === tail) return;
    }
  }
}
