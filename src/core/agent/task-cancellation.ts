// A task's cancellation: its deadline (task_timeout) and the agent's shutdown, with the signal that
// providers and tools are given made only when one of them asks for it.
//
// Every task can be cancelled, but nearly all finish first, and on Node 20 making an AbortSignal and
// listening on it costs about 4 µs: as much as a task's whole parse and validation. So the task's own
// wait (`race`) is settled directly when it is cancelled, and the AbortController is created on the
// first read of `signal` (already aborted if the task was cancelled before). A provider that supports
// cancellation reads it at its first request; one that does not never pays for it.
import { toError } from '../errors.js';

/** What the LLM loop needs: a signal to hand on, and a cheap check between its steps. */
export interface Cancellation {
  /** Aborted with the reason once the task is cancelled (made on first read). */
  readonly signal: AbortSignal;
  /** Throw the reason if the task has been cancelled. */
  throwIfAborted(): void;
}

/** A Cancellation over an existing signal (for callers that already have one). */
export function cancellationOf(signal: AbortSignal): Cancellation {
  return { signal, throwIfAborted: () => signal.throwIfAborted() };
}

export class TaskCancellation implements Cancellation {
  #controller: AbortController | undefined;
  #reason: Error | undefined;
  #settleRace: ((reason: Error) => void) | undefined;
  readonly #timer: NodeJS.Timeout;
  readonly #shutdown: AbortSignal;
  readonly #onShutdown = (): void => this.cancel(toError(this.#shutdown.reason));

  /** Cancelled with `onTimeout()` after `timeoutMs`, or with the shutdown's reason when `shutdown` aborts. */
  constructor(timeoutMs: number, onTimeout: () => Error, shutdown: AbortSignal) {
    this.#shutdown = shutdown;
    this.#timer = setTimeout(() => this.cancel(onTimeout()), timeoutMs);
    if (shutdown.aborted) this.#onShutdown();
    else shutdown.addEventListener('abort', this.#onShutdown, { once: true });
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#reason) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** The reason, once cancelled. */
  get reason(): Error | undefined {
    return this.#reason;
  }

  throwIfAborted(): void {
    if (this.#reason) throw this.#reason;
  }

  /** Cancel with `reason` (the first reason wins). */
  cancel(reason: Error): void {
    if (this.#reason) return;
    this.#reason = reason;
    this.#controller?.abort(reason);
    this.#settleRace?.(reason);
  }

  /**
   * Settle with `work`, or reject with the reason as soon as the task is cancelled, even if the work
   * ignores its signal. One race per task.
   */
  race<T>(work: Promise<T>): Promise<T> {
    if (this.#reason) {
      work.catch(() => undefined); // the work's own failure no longer matters, but must not go unhandled
      return Promise.reject(this.#reason);
    }
    return new Promise<T>((resolve, reject) => {
      this.#settleRace = reject;
      work.then(resolve, (e: unknown) => reject(toError(e)));
    });
  }

  /** Stop the deadline and the shutdown listener (the task is over). */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#shutdown.removeEventListener('abort', this.#onShutdown);
    this.#settleRace = undefined;
  }
}
