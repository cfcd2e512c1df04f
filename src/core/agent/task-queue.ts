// Run tasks with at most N in flight; track them so shutdown can drain. A job that fails is reported
// (never dropped silently) and frees its slot.

/** Told about a job that threw or rejected, with the id it was pushed with (the task id). */
export type JobFailureHandler = (id: string, err: unknown) => void;

interface Job {
  readonly id: string;
  run(): Promise<void>;
}

export class TaskQueue {
  #max: number;
  readonly #waiting: Job[] = [];
  readonly #idleWaiters = new Set<() => void>();
  #active = 0;

  constructor(
    maxConcurrent: number,
    private readonly onJobFailed: JobFailureHandler,
  ) {
    this.#max = maxConcurrent;
  }

  /** Tasks running now. */
  get active(): number {
    return this.#active;
  }

  /** Tasks accepted but waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Running / max, for the status `load` field. */
  get load(): number {
    return this.#active / this.#max;
  }

  /** A new limit (a config reload): more room starts waiting jobs now; less lets running ones finish. */
  setMax(maxConcurrent: number): void {
    this.#max = maxConcurrent;
    this.#startWaiting();
  }

  /** Queue `run` under `id`; it starts when a slot is free. A job that fails is reported and frees its slot. */
  push(id: string, run: () => Promise<void>): void {
    if (this.#active < this.#max) this.#start({ id, run });
    else this.#waiting.push({ id, run });
  }

  /** Forget every job not started yet (shutdown); returns their ids. */
  dropWaiting(): string[] {
    const ids = this.#waiting.splice(0).map((job) => job.id);
    if (this.#active === 0) for (const w of this.#idleWaiters) w();
    return ids;
  }

  #startWaiting(): void {
    for (let job = this.#waiting.shift(); job; job = this.#waiting.shift()) {
      if (this.#active >= this.#max) {
        this.#waiting.unshift(job);
        return;
      }
      this.#start(job);
    }
  }

  #start(job: Job): void {
    this.#active++;
    // An async wrapper turns a synchronous throw into a rejection, reported like any other.
    const running = (async (): Promise<void> => job.run())();
    // If the failure handler itself throws, the slot is still freed and the rejection stays unhandled (loud).
    void running
      .catch((err: unknown) => this.onJobFailed(job.id, err))
      .finally(() => {
        this.#active--;
        this.#startWaiting();
        if (this.#active === 0 && this.#waiting.length === 0) for (const w of this.#idleWaiters) w();
      });
  }

  /** Resolve true once nothing is running or waiting, or false after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.#active === 0 && this.#waiting.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.#idleWaiters.delete(onIdle);
        resolve(ok);
      };
      const onIdle = (): void => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.#idleWaiters.add(onIdle);
    });
  }
}
