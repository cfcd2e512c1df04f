// Durable delivery of tasks (docs/scaling.md): a task's message is acknowledged only once its answer is
// published and recorded, so a crash at any moment loses nothing. Tracks the tasks this process runs
// and every copy of their messages, and asks the dedupe store about the rest.
import type { LoggerV1 } from '@agent2389/tool-sdk';

import { reasonOf } from '../errors.js';
import type { Acknowledge } from '../transport/transport.js';
import type { DedupeStore } from './dedupe-store.js';

/**
 * `new`: this process runs the task; `duplicate`: it does not (its copy is acknowledged when due);
 * `later`: a live other replica runs it now — ask again later (unacknowledged), since that replica
 * may still die before answering.
 */
export type Claim = 'new' | 'duplicate' | 'later';

/** How long a failed answered-record waits before the next try (doubling, capped). */
const RECORD_RETRY_MS = { first: 250, max: 5_000 };

export class Deliveries {
  /** Tasks running in this process → the acknowledgements of every copy of their message received. */
  readonly #running = new Map<string, Acknowledge[]>();
  #closed = false;

  constructor(
    readonly store: DedupeStore,
    private readonly log: () => LoggerV1,
  ) {}

  /** Tasks claimed by this process and not settled yet. */
  get running(): number {
    return this.#running.size;
  }

  /**
   * Step 4 [FR-010] for the copy of `taskId` whose acknowledgement is `ack`. A copy of a task running
   * here is acknowledged with it; one the store knows as answered is acknowledged now; one a live
   * other replica runs is left for later. Rejects with AGENT_ERR_DEDUPE_UNAVAILABLE (nothing acknowledged, no claim)
   * when the store cannot be asked: the caller keeps the message and asks again later.
   */
  async claim(taskId: string, ack: Acknowledge): Promise<Claim> {
    const copies = this.#running.get(taskId);
    if (copies) {
      copies.push(ack);
      return 'duplicate';
    }
    // Registered before the store answers: a copy arriving meanwhile joins this one.
    const acks = [ack];
    this.#running.set(taskId, acks);
    let result;
    try {
      result = await this.store.claim(taskId);
    } catch (err) {
      // Copies that joined meanwhile stay unacknowledged: the broker redelivers them to a later session.
      this.#running.delete(taskId);
      throw err;
    }
    if (result.kind === 'run') return 'new';
    this.#running.delete(taskId);
    if (result.kind === 'held') return 'later';
    for (const a of acks) a();
    return 'duplicate';
  }

  /**
   * The task's answer is published (the broker acknowledged it): record it, then acknowledge every copy.
   * The time between the broker's acknowledgement and this record is the one window in which a crash
   * leads to a second answer (docs/scaling.md). If the record fails (Redis down), it is retried; the
   * copies are acknowledged only once it succeeds.
   */
  async answered(taskId: string): Promise<void> {
    const acks = this.#running.get(taskId) ?? [];
    this.#running.delete(taskId);
    if (await this.#record(taskId)) {
      for (const a of acks) a();
      return;
    }
    void this.#recordLater(taskId, acks, RECORD_RETRY_MS.first);
  }

  /**
   * No answer went out (e.g. the broker connection closed first): give the claim back and leave every
   * copy unacknowledged, so the broker redelivers the task to the next session and it runs then.
   */
  async abandoned(taskId: string): Promise<void> {
    this.#running.delete(taskId);
    await this.store
      .release(taskId)
      .catch((err: unknown) =>
        this.log().warn({ task_id: taskId, reason: reasonOf(err) }, 'cannot release a task claim'),
      );
  }

  /** Stop retrying records (shutdown): what is not recorded stays unacknowledged and is redelivered. */
  close(): void {
    this.#closed = true;
  }

  async #record(taskId: string): Promise<boolean> {
    try {
      await this.store.markAnswered(taskId);
      return true;
    } catch (err) {
      this.log().warn(
        { task_id: taskId, reason: reasonOf(err) },
        'cannot record an answered task: its message stays unacknowledged until recorded',
      );
      return false;
    }
  }

  async #recordLater(taskId: string, acks: Acknowledge[], delayMs: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
    if (this.#closed) return;
    if (await this.#record(taskId)) for (const a of acks) a();
    else void this.#recordLater(taskId, acks, Math.min(delayMs * 2, RECORD_RETRY_MS.max));
  }
}
