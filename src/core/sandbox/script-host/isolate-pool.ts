// Per-tool pool of warm isolates, each holding one pre-built context; every call gets a fresh one.
import ivm from 'isolated-vm';

import { ERR_SCRIPT_INVALID, toError } from '../../errors.js';
import {
  invoke,
  prepareContext,
  type CallContext,
  type CompiledScript,
  type LogSink,
} from './call-context.js';
import { INLINE_FAST_MS, INLINE_MAX_TIMEOUT_MS, type RunOutcome } from './protocol.js';

interface Slot {
  isolate: ivm.Isolate;
  /** The next call's context, being built in the background (or the reason it could not be). */
  next: Promise<CallContext | Error>;
  /** `next` has settled: a call taking this slot does not wait for its context to be built. */
  warm: boolean;
  busy: boolean;
  callId: number | undefined;
}

function newIsolate(memoryLimitMb: number): ivm.Isolate {
  return new ivm.Isolate({
    memoryLimit: Math.max(8, memoryLimitMb),
    // v8 lost control of an isolate: the whole host must go; the agent sees the exit and restarts it.
    onCatastrophicError: () => process.exit(70),
  });
}

export class IsolatePool {
  readonly #slots: Slot[] = [];
  readonly #inlineAllowed: boolean;
  /** The previous call was fast: run the next one inline. The first call runs off-thread. */
  #inlineNext = false;
  readonly #waiters: ((slot: Slot) => void)[] = [];
  #disposed = false;
  #retiring = false;

  private constructor(
    private readonly script: CompiledScript,
    private readonly log: LogSink,
  ) {
    this.#inlineAllowed = script.limits.timeoutMs <= INLINE_MAX_TIMEOUT_MS && script.fetch === undefined;
  }

  /** Build `size` warm isolates; throws an Error (the reason) if the script cannot be loaded. */
  static async create(script: CompiledScript, size: number, log: LogSink): Promise<IsolatePool> {
    const pool = new IsolatePool(script, log);
    for (let i = 0; i < Math.max(1, size); i++) {
      const isolate = newIsolate(script.limits.memoryLimitMb);
      const slot: Slot = {
        isolate,
        next: Promise.resolve(new ERR_SCRIPT_INVALID({ reason: 'no context built yet' })), // #warm replaces it
        warm: false,
        busy: false,
        callId: undefined,
      };
      pool.#slots.push(slot);
      pool.#warm(slot);
    }
    const first = await Promise.all(pool.#slots.map((s) => s.next));
    const failed = first.find((c): c is Error => c instanceof Error);
    if (failed) {
      pool.dispose();
      throw failed;
    }
    return pool;
  }

  /** Start building the slot's next context in the background. */
  #warm(slot: Slot): void {
    slot.warm = false;
    const next = prepareContext(slot.isolate, this.script, this.log).catch(toError);
    slot.next = next;
    void next.then(() => {
      if (slot.next === next) slot.warm = true;
    });
  }

  /** Run one call; `queue.onQueued`/`onStarted` fire only if it had to wait for a free isolate. */
  async run(
    callId: number,
    paramsJson: string,
    queue: { onQueued(): void; onStarted(): void },
  ): Promise<RunOutcome> {
    const slot = await this.#acquire(queue);
    slot.callId = callId;
    let call: CallContext | Error | undefined;
    let kind: RunOutcome['kind'] | undefined;
    try {
      call = await slot.next;
      let outcome: RunOutcome;
      if (call instanceof Error) {
        outcome = slot.isolate.isDisposed
          ? { kind: 'failed', reason: 'the isolate was disposed' }
          : { kind: 'failed', reason: `module evaluation failed: ${call.message}` };
      } else {
        call.begin(callId);
        const inline = this.#inlineNext;
        const started = performance.now();
        outcome = await invoke(slot.isolate, call, paramsJson, this.script.limits, inline);
        this.#inlineNext =
          this.#inlineAllowed && outcome.kind === 'ok' && performance.now() - started < INLINE_FAST_MS;
      }
      kind = outcome.kind;
      return outcome;
    } finally {
      if (call !== undefined && !(call instanceof Error)) call.release();
      // A wasm tool's isolate goes at once (see #release): its wasm memory is freed before the script
      // host checks how close it is to its data limit.
      if (this.script.wasm && !slot.isolate.isDisposed) slot.isolate.dispose();
      // After the result is on its way: starting the next context costs ~0.2 ms of this thread. The
      // slot stays busy until then, so no call can take the context this one used.
      setImmediate(() => this.#release(slot, kind));
    }
  }

  /** Abandon a call: its isolate is disposed (stopping it at once) and replaced. */
  cancel(callId: number): void {
    const slot = this.#slots.find((s) => s.callId === callId);
    if (slot && !slot.isolate.isDisposed) slot.isolate.dispose();
  }

  #acquire(queue: { onQueued(): void; onStarted(): void }): Promise<Slot> {
    const idle = this.#slots.find((s) => !s.busy && s.warm) ?? this.#slots.find((s) => !s.busy);
    if (idle) {
      idle.busy = true;
      return Promise.resolve(idle);
    }
    queue.onQueued();
    return new Promise((resolve) =>
      this.#waiters.push((slot) => {
        queue.onStarted();
        resolve(slot);
      }),
    );
  }

  #release(slot: Slot, kind: RunOutcome['kind'] | undefined): void {
    slot.callId = undefined;
    if (this.#disposed) return;
    // After a timeout the isolate may still be spinning (or holding a never-settling promise): replace it.
    // A wasm tool's isolate is replaced after every call: disposing it frees the call's wasm memory at
    // once (a released context's memory waits for a GC), so one call's memory never adds to the next's.
    if (slot.isolate.isDisposed || kind === 'timeout' || kind === undefined || this.script.wasm) {
      if (!slot.isolate.isDisposed) slot.isolate.dispose();
      slot.isolate = newIsolate(this.script.limits.memoryLimitMb);
    }
    this.#warm(slot);
    const waiter = this.#waiters.shift();
    if (waiter) return waiter(slot);
    slot.busy = false;
    if (this.#retiring && this.#slots.every((s) => !s.busy)) this.dispose();
  }

  /** Dispose once the calls in flight are done (a newer version of the script replaced this one). */
  retire(): void {
    this.#retiring = true;
    if (this.#slots.every((s) => !s.busy)) this.dispose();
  }

  dispose(): void {
    this.#disposed = true;
    for (const slot of this.#slots) {
      void slot.next.then((c) => {
        if (!(c instanceof Error)) c.release();
      });
      if (!slot.isolate.isDisposed) slot.isolate.dispose();
    }
  }
}
