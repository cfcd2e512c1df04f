// Requests to child processes and their replies: ids, deadlines, cancel by AbortSignal, and the end of
// every request a child had in flight when it stops. Generic over the reply type R and the channel C (the
// child a request went to). Every reply is hostile input: one that matches no request in flight of the
// channel it came from is dropped and counted, never handed on.

/** How a request ends: resolved with `value` or rejected with `error`. */
export type Settlement<T> = { readonly value: T } | { readonly error: unknown };

/**
 * Why a reply was dropped: `late` (its request already ended, e.g. after a cancel or a deadline),
 * `unknown` (an id never issued, or not a reply at all), `foreign` (the request belongs to another channel).
 */
export type StrayKind = 'late' | 'unknown' | 'foreign';

/** One request in flight, as its owner sees it. */
export interface Request<C, T> {
  readonly id: number;
  readonly promise: Promise<T>;
  /** The channel whose replies reach this request (undefined until `bind`). */
  readonly channel: C | undefined;
  readonly settled: boolean;
  /** From now on replies from `channel` reach this request, and the channel's end ends it. */
  bind(channel: C): void;
  /** (Re)start the deadline: `onTimeout` runs `ms` from now unless the request ends first. */
  arm(ms: number): void;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** What a request does with its replies and how it ends otherwise. Every end is a settlement. */
export interface RequestHandlers<R, C, T> {
  /** A reply from the bound channel for this id; may settle or re-arm the request. */
  onReply(reply: R, req: Request<C, T>): void;
  /** The deadline passed. */
  onTimeout(req: Request<C, T>): Settlement<T>;
  /** The channel stopped (`closing`: because its owner closed everything). */
  onEnd(reason: string, closing: boolean, req: Request<C, T>): Settlement<T>;
  /** The signal given to `open` aborted (default: reject with its reason). */
  onAbort?(req: Request<C, T>): Settlement<T>;
}

export interface PendingRequestsOptions<C> {
  /** A dropped reply; `count` is how many of that kind so far (log sparingly: a child may flood). */
  readonly onStray?: (kind: StrayKind, reply: unknown, channel: C, count: number) => void;
}

const replyId = (reply: unknown): number | undefined => {
  if (typeof reply !== 'object' || reply === null) return undefined;
  const id = (reply as { id?: unknown }).id;
  return typeof id === 'number' && Number.isSafeInteger(id) ? id : undefined;
};

/** What the table needs of a request in flight, whatever its result type. */
interface Slot<R, C> {
  readonly channel: C | undefined;
  reply(reply: R): void;
  channelEnded(reason: string, closing: boolean): void;
}

class Entry<R, C, T> implements Request<C, T>, Slot<R, C> {
  readonly promise: Promise<T>;
  channel: C | undefined;
  settled = false;
  #timer: NodeJS.Timeout | undefined;
  #resolve!: (v: T) => void;
  #reject!: (e: unknown) => void;
  #detach: () => void = () => {};

  /** `leave`: takes the entry out of its table. */
  constructor(
    readonly id: number,
    readonly handlers: RequestHandlers<R, C, T>,
    readonly leave: () => void,
  ) {
    this.promise = new Promise<T>((res, rej) => ((this.#resolve = res), (this.#reject = rej)));
  }

  /** End with the signal's abort (at once if it is already aborted). */
  watch(signal: AbortSignal): void {
    const onAbort = (): void => this.#end(() => this.handlers.onAbort?.(this) ?? { error: signal.reason });
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    this.#detach = () => signal.removeEventListener('abort', onAbort);
  }

  bind(channel: C): void {
    this.channel = channel;
  }

  arm(ms: number): void {
    if (this.settled) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#end(() => this.handlers.onTimeout(this)), ms);
  }

  resolve(value: T): void {
    this.#end(() => ({ value }));
  }

  reject(error: unknown): void {
    this.#end(() => ({ error }));
  }

  reply(reply: R): void {
    try {
      this.handlers.onReply(reply, this);
    } catch (e) {
      this.reject(e);
    }
  }

  channelEnded(reason: string, closing: boolean): void {
    this.#end(() => this.handlers.onEnd(reason, closing, this));
  }

  /** End once: the entry leaves its table first, so whatever `how` does cannot end it twice. */
  #end(how: () => Settlement<T>): void {
    if (this.settled) return;
    this.settled = true;
    this.leave();
    clearTimeout(this.#timer);
    this.#detach();
    let s: Settlement<T>;
    try {
      s = how();
    } catch (e) {
      s = { error: e };
    }
    if ('value' in s) this.#resolve(s.value);
    else this.#reject(s.error);
  }
}

/** The requests in flight over any number of channels; ids are unique across all of them. */
export class PendingRequests<R extends { readonly id: number }, C> {
  readonly #slots = new Map<number, Slot<R, C>>();
  readonly #strays: Record<StrayKind, number> = { late: 0, unknown: 0, foreign: 0 };
  readonly #onStray: PendingRequestsOptions<C>['onStray'];
  #nextId = 1;

  constructor(opts: PendingRequestsOptions<C> = {}) {
    this.#onStray = opts.onStray;
  }

  /** Requests in flight. */
  get size(): number {
    return this.#slots.size;
  }

  /** Replies dropped so far, by kind. */
  get strays(): Readonly<Record<StrayKind, number>> {
    return { ...this.#strays };
  }

  /** A new request with a fresh id; an already-aborted `signal` ends it at once. */
  open<T>(handlers: RequestHandlers<R, C, T>, signal?: AbortSignal): Request<C, T> {
    const id = this.#nextId++;
    const entry = new Entry<R, C, T>(id, handlers, () => this.#slots.delete(id));
    this.#slots.set(id, entry);
    if (signal) entry.watch(signal);
    return entry;
  }

  /** A reply from `channel`: handed to its request if that is in flight and bound there, else dropped. */
  deliver(channel: C, reply: unknown): boolean {
    const id = replyId(reply);
    const slot = id === undefined ? undefined : this.#slots.get(id);
    if (!slot) {
      const issued = id !== undefined && id > 0 && id < this.#nextId;
      return this.#stray(issued ? 'late' : 'unknown', reply, channel);
    }
    if (slot.channel !== channel) return this.#stray('foreign', reply, channel);
    slot.reply(reply as R);
    return true;
  }

  /** `channel` stopped: every request bound to it ends (its handlers' onEnd, not closing). */
  failChannel(channel: C, reason: string): void {
    for (const slot of [...this.#slots.values()])
      if (slot.channel === channel) slot.channelEnded(reason, false);
  }

  /** Everything is closing: every request in flight, bound or not, ends (its handlers' onEnd, closing). */
  closeAll(reason: string): void {
    for (const slot of [...this.#slots.values()]) slot.channelEnded(reason, true);
  }

  #stray(kind: StrayKind, reply: unknown, channel: C): false {
    const count = ++this.#strays[kind];
    try {
      this.#onStray?.(kind, reply, channel, count);
    } catch {
      // A broken observer must not break delivery.
    }
    return false;
  }
}
