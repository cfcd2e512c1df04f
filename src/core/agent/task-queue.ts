// Run tasks with at most N in flight; track them so shutdown can drain.

export class TaskQueue {
  #max: number;
  readonly #waiting: Array<() => Promise<void>> = [];
  readonly #idleWaiters = new Set<() => void>();
  #active = 0;

  constructor(maxConcurrent: number) {
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
    while (this.#active < this.#max && this.#waiting.length > 0) this.#start(this.#waiting.shift()!);
  }

  /** Queue `job`; it starts when a slot is free. A job that throws or rejects only frees its slot. */
  push(job: () => Promise<void>): void {
    if (this.#active < this.#max) this.#start(job);
    else this.#waiting.push(job);
  }

  #start(job: () => Promise<void>): void {
    this.#active++;
    let running: Promise<void>;
    try {
      running = job().catch(() => {});
    } catch {
      running = Promise.resolve();
    }
    void running.finally(() => {
      this.#active--;
      while (this.#active < this.#max && this.#waiting.length > 0) this.#start(this.#waiting.shift()!);
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
