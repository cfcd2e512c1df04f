// The request/response table of the script executor: ids, deadlines, abort, the end of a channel, and
// replies a hostile child makes up (unknown, late, foreign, malformed) dropped and counted.
import { getEventListeners } from 'node:events';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import {
  PendingRequests,
  type Request,
  type RequestHandlers,
  type StrayKind,
} from '../../../src/core/sandbox/pending-requests.js';

type Reply = { readonly id: number; readonly type: string };
type Channel = { readonly name: string };
const A: Channel = { name: 'a' };
const B: Channel = { name: 'b' };

/** Handlers that record what happened and settle with a string naming it. */
function recorder(): RequestHandlers<Reply, Channel, string> & { replies: string[]; ends: string[] } {
  const replies: string[] = [];
  const ends: string[] = [];
  return {
    replies,
    ends,
    onReply: (reply, req) => {
      replies.push(reply.type);
      if (reply.type === 'done') req.resolve('done');
      if (reply.type === 'again') req.arm(100);
    },
    onTimeout: () => ({ value: 'timeout' }),
    onEnd: (reason, closing) => {
      ends.push(`${reason}/${closing}`);
      return { value: closing ? 'closed' : 'crashed' };
    },
    onAbort: (req) => ({ value: `aborted:${req.channel?.name ?? 'unbound'}` }),
  };
}

/** A table that records every stray reply. */
function table(): {
  requests: PendingRequests<Reply, Channel>;
  strays: { kind: StrayKind; channel: string; count: number }[];
} {
  const strays: { kind: StrayKind; channel: string; count: number }[] = [];
  const requests = new PendingRequests<Reply, Channel>({
    onStray: (kind, _reply, channel, count) => strays.push({ kind, channel: channel.name, count }),
  });
  return { requests, strays };
}

/** Pending, or how it settled. */
async function state<T>(req: Request<Channel, T>): Promise<{ value: T } | { error: unknown } | 'pending'> {
  if (!req.settled) return 'pending';
  return req.promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

describe('PendingRequests: ids and replies', () => {
  it('gives every request its own id and routes each reply to its request', async () => {
    const { requests } = table();
    const h1 = recorder();
    const h2 = recorder();
    const r1 = requests.open(h1);
    const r2 = requests.open(h2);
    expect(r1.id).not.toBe(r2.id);
    r1.bind(A);
    r2.bind(A);
    expect(requests.deliver(A, { id: r2.id, type: 'log' })).toBe(true);
    expect(requests.deliver(A, { id: r1.id, type: 'done' })).toBe(true);
    expect(await r1.promise).toBe('done');
    expect(h1.replies).toEqual(['done']);
    expect(h2.replies).toEqual(['log']);
    expect(await state(r2)).toBe('pending');
    expect(requests.size).toBe(1);
  });

  it('a reply handler that throws rejects its request with what it threw', async () => {
    const { requests } = table();
    const boom = new Error('handler bug');
    const req = requests.open<string>({
      ...recorder(),
      onReply: () => {
        throw boom;
      },
    });
    req.bind(A);
    requests.deliver(A, { id: req.id, type: 'x' });
    await expect(req.promise).rejects.toBe(boom);
    expect(requests.size).toBe(0);
  });

  it('reject() and a settlement with an error reject the promise', async () => {
    const { requests } = table();
    const viaReject = requests.open(recorder());
    const err = new Error('load failed');
    viaReject.reject(err);
    await expect(viaReject.promise).rejects.toBe(err);
    const viaEnd = requests.open<string>({ ...recorder(), onEnd: () => ({ error: err }) });
    viaEnd.bind(A);
    requests.failChannel(A, 'gone');
    await expect(viaEnd.promise).rejects.toBe(err);
  });
});

describe('PendingRequests: deadlines', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a request that gets no answer by its deadline ends through onTimeout', async () => {
    const { requests } = table();
    const req = requests.open(recorder());
    req.bind(A);
    req.arm(100);
    vi.advanceTimersByTime(99);
    expect(await state(req)).toBe('pending');
    vi.advanceTimersByTime(1);
    expect(await state(req)).toEqual({ value: 'timeout' });
    expect(requests.size).toBe(0);
  });

  it('arm() again restarts the clock from now', async () => {
    const { requests } = table();
    const req = requests.open(recorder());
    req.bind(A);
    req.arm(100);
    vi.advanceTimersByTime(80);
    requests.deliver(A, { id: req.id, type: 'again' }); // re-arms to 100 ms from now
    vi.advanceTimersByTime(80);
    expect(await state(req)).toBe('pending');
    vi.advanceTimersByTime(20);
    expect(await state(req)).toEqual({ value: 'timeout' });
  });

  it('a request answered in time never times out, and leaves no timer behind', async () => {
    const { requests } = table();
    const onTimeout = vi.fn(() => ({ value: 'timeout' }));
    const req = requests.open<string>({ ...recorder(), onTimeout });
    req.bind(A);
    req.arm(100);
    requests.deliver(A, { id: req.id, type: 'done' });
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(onTimeout).not.toHaveBeenCalled();
    expect(await req.promise).toBe('done');
  });

  it('what onTimeout does (e.g. kill the child, whose end fails its requests) cannot end it twice', async () => {
    const { requests } = table();
    const onEnd = vi.fn(() => ({ value: 'crashed' }));
    const req = requests.open<string>({
      ...recorder(),
      onEnd,
      onTimeout: () => {
        requests.failChannel(A, 'killed'); // as if the kill were reported at once
        return { value: 'timeout' };
      },
    });
    req.bind(A);
    req.arm(10);
    vi.advanceTimersByTime(10);
    expect(await req.promise).toBe('timeout');
    expect(onEnd).not.toHaveBeenCalled();
  });

  it('a handler that throws still settles the request (with what it threw)', async () => {
    const { requests } = table();
    const boom = new Error('kill failed');
    const req = requests.open<string>({
      ...recorder(),
      onTimeout: () => {
        throw boom;
      },
    });
    req.arm(10);
    vi.advanceTimersByTime(10);
    await expect(req.promise).rejects.toBe(boom);
  });
});

describe('PendingRequests: cancel by AbortSignal', () => {
  it('an abort ends the request through onAbort, which sees the channel to cancel on', async () => {
    const { requests } = table();
    const ac = new AbortController();
    const req = requests.open(recorder(), ac.signal);
    req.bind(A);
    ac.abort();
    expect(await req.promise).toBe('aborted:a');
    expect(requests.size).toBe(0);
  });

  it('an already-aborted signal ends the request at once, before it is bound', async () => {
    const { requests } = table();
    const req = requests.open(recorder(), AbortSignal.abort());
    expect(req.settled).toBe(true);
    expect(await req.promise).toBe('aborted:unbound');
  });

  it('without onAbort, an abort rejects with the signal’s reason', async () => {
    const { requests } = table();
    const ac = new AbortController();
    const reason = new Error('task cancelled');
    const { onAbort: _omit, ...handlers } = recorder();
    const req = requests.open(handlers, ac.signal);
    ac.abort(reason);
    await expect(req.promise).rejects.toBe(reason);
  });

  it('a request that ended stops listening to its signal', async () => {
    const { requests } = table();
    const ac = new AbortController();
    const onAbort = vi.fn(() => ({ value: 'aborted' }));
    const req = requests.open<string>({ ...recorder(), onAbort }, ac.signal);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
    req.resolve('first');
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    ac.abort();
    expect(onAbort).not.toHaveBeenCalled();
    expect(await req.promise).toBe('first');
  });
});

describe('PendingRequests: the end of a channel fails all of its requests', () => {
  it('failChannel ends every request bound to that channel (not closing), and no other', async () => {
    const { requests } = table();
    const onA = [recorder(), recorder()];
    const a = onA.map((h) => requests.open(h));
    const b = requests.open(recorder());
    const unbound = requests.open(recorder());
    for (const r of a) r.bind(A);
    b.bind(B);
    requests.failChannel(A, 'killed by SIGKILL');
    expect(await Promise.all(a.map((r) => r.promise))).toEqual(['crashed', 'crashed']);
    expect(onA.map((h) => h.ends)).toEqual([['killed by SIGKILL/false'], ['killed by SIGKILL/false']]);
    expect(await state(b)).toBe('pending');
    expect(await state(unbound)).toBe('pending');
    expect(requests.size).toBe(2);
  });

  it('closeAll ends every request, bound or not, as closing', async () => {
    const { requests } = table();
    const a = requests.open(recorder());
    a.bind(A);
    const unbound = requests.open(recorder());
    requests.closeAll('closed');
    expect(await a.promise).toBe('closed');
    expect(await unbound.promise).toBe('closed');
    expect(requests.size).toBe(0);
  });
});

describe('PendingRequests: replies from a hostile child are dropped and counted', () => {
  it('an id never issued is `unknown`: nothing else is touched', () => {
    const { requests, strays } = table();
    const h = recorder();
    const req = requests.open(h);
    req.bind(A);
    expect(requests.deliver(A, { id: req.id + 1000, type: 'done' })).toBe(false);
    expect(requests.deliver(A, { id: 0, type: 'done' })).toBe(false);
    expect(requests.deliver(A, { id: -req.id, type: 'done' })).toBe(false);
    expect(strays).toEqual([
      { kind: 'unknown', channel: 'a', count: 1 },
      { kind: 'unknown', channel: 'a', count: 2 },
      { kind: 'unknown', channel: 'a', count: 3 },
    ]);
    expect(h.replies).toEqual([]);
    expect(req.settled).toBe(false);
  });

  it('a duplicate reply, after its request ended, is `late`', () => {
    const { requests, strays } = table();
    const h = recorder();
    const req = requests.open(h);
    req.bind(A);
    requests.deliver(A, { id: req.id, type: 'done' });
    expect(requests.deliver(A, { id: req.id, type: 'done' })).toBe(false);
    expect(requests.deliver(A, { id: req.id, type: 'log' })).toBe(false);
    expect(h.replies).toEqual(['done']);
    expect(strays.map((s) => s.kind)).toEqual(['late', 'late']);
    expect(requests.strays).toEqual({ late: 2, unknown: 0, foreign: 0 });
  });

  it('a reply to another channel’s request (or to one not sent yet) is `foreign`', async () => {
    const { requests, strays } = table();
    const h = recorder();
    const req = requests.open(h);
    expect(requests.deliver(A, { id: req.id, type: 'done' })).toBe(false); // not bound yet
    req.bind(A);
    expect(requests.deliver(B, { id: req.id, type: 'done' })).toBe(false);
    expect(strays).toEqual([
      { kind: 'foreign', channel: 'a', count: 1 },
      { kind: 'foreign', channel: 'b', count: 2 },
    ]);
    expect(h.replies).toEqual([]);
    expect(await state(req)).toBe('pending');
    requests.deliver(A, { id: req.id, type: 'done' });
    expect(await req.promise).toBe('done');
  });

  it('things that are not replies at all are `unknown`', () => {
    const { requests } = table();
    const req = requests.open(recorder());
    req.bind(A);
    const junk: unknown[] = [
      null,
      undefined,
      42,
      'result',
      [],
      {},
      { id: String(req.id) },
      { id: req.id + 0.5 },
      { id: Number.NaN },
      { id: Number.MAX_SAFE_INTEGER + 2 },
    ];
    for (const j of junk) expect(requests.deliver(A, j)).toBe(false);
    expect(requests.strays).toEqual({ late: 0, unknown: junk.length, foreign: 0 });
    expect(requests.size).toBe(1);
  });

  it('an observer that throws does not break delivery', async () => {
    const requests = new PendingRequests<Reply, Channel>({
      onStray: () => {
        throw new Error('observer bug');
      },
    });
    const req = requests.open(recorder());
    req.bind(A);
    expect(requests.deliver(A, { id: 999, type: 'done' })).toBe(false);
    requests.deliver(A, { id: req.id, type: 'done' });
    expect(await req.promise).toBe('done');
  });
});
