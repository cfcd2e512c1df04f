// The `problem` / `onHealthChange` half of a DedupeStore: one place that says when a store became usable again.
import type { LoggerV1 } from '@agent2389/tool-sdk';

/** Holds why a store is unusable (undefined: usable) and tells listeners of each change, once per change. */
export class DedupeHealth {
  #problem: string | undefined;
  readonly #listeners: (() => void)[] = [];

  constructor(
    private readonly store: string,
    private readonly log: LoggerV1,
  ) {}

  get problem(): string | undefined {
    return this.#problem;
  }

  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  /**
   * The store cannot be used. Logged and told only when it was usable before: while it stays unusable
   * only the reason is updated (a reconnecting client fails again every few hundred ms).
   */
  fail(reason: string): void {
    const wasUsable = this.#problem === undefined;
    this.#problem = reason;
    if (!wasUsable) return;
    this.log.warn({ store: this.store, reason }, 'dedupe store unavailable');
    this.#tell();
  }

  /** The store works again. */
  recover(): void {
    if (this.#problem === undefined) return;
    this.#problem = undefined;
    this.log.info({ store: this.store }, 'dedupe store available again');
    this.#tell();
  }

  #tell(): void {
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch (err) {
        // A listener's bug must not stop the others or the store's own bookkeeping.
        this.log.error({ store: this.store, err }, 'dedupe health listener threw');
      }
    }
  }
}
