import { describe, expect, it, vi } from 'vitest';

import { untilAborted } from '../../../src/core/agent/abort.js';
import { ERR_TASK_TIMEOUT } from '../../../src/core/errors.js';

/** A promise settled from outside. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const never = new Promise<never>(() => undefined);
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

describe('untilAborted', () => {
  it('resolves with the work', async () => {
    await expect(untilAborted(Promise.resolve(42), new AbortController().signal)).resolves.toBe(42);
  });

  it('rejects with the work’s error', async () => {
    const err = new TypeError('work failed');
    await expect(untilAborted(Promise.reject(err), new AbortController().signal)).rejects.toBe(err);
  });

  it('wraps a non-Error rejection in an Error', async () => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a foreign non-Error rejection
    const result = untilAborted(Promise.reject('plain string'), new AbortController().signal);
    await expect(result).rejects.toBeInstanceOf(Error);
    await expect(result).rejects.toThrow('plain string');
  });

  it('rejects with the signal’s reason on abort even when the work never settles', async () => {
    const controller = new AbortController();
    const result = untilAborted(never, controller.signal);
    const reason = new ERR_TASK_TIMEOUT({ timeoutSeconds: 1 });
    controller.abort(reason);
    await expect(result).rejects.toBe(reason);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('already stopped');
    controller.abort(reason);
    await expect(untilAborted(never, controller.signal)).rejects.toBe(reason);
  });

  it('uses the default AbortError reason when none is given', async () => {
    const controller = new AbortController();
    const result = untilAborted(never, controller.signal);
    controller.abort();
    await expect(result).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('ignores the work settling after an abort, including a late rejection', async () => {
    const controller = new AbortController();
    const work = deferred<number>();
    const result = untilAborted(work.promise, controller.signal);
    controller.abort(new Error('stop'));
    work.reject(new Error('late failure'));
    await expect(result).rejects.toThrow('stop');
    await tick();
  });

  it('does not leave a late rejection of the work unhandled when the signal was already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    const work = deferred<number>();
    await expect(untilAborted(work.promise, controller.signal)).rejects.toThrow('stop');
    work.reject(new Error('late failure')); // test/setup.ts fails the run on an unhandled rejection
    await tick();
  });

  it('removes its abort listener once the work resolves', async () => {
    const { signal } = new AbortController();
    const add = vi.spyOn(signal, 'addEventListener');
    const remove = vi.spyOn(signal, 'removeEventListener');
    await untilAborted(Promise.resolve('ok'), signal);
    expect(add).toHaveBeenCalledTimes(1);
    expect(add.mock.calls[0]![0]).toBe('abort');
    expect(remove).toHaveBeenCalledWith('abort', add.mock.calls[0]![1]);
  });

  it('removes its abort listener once the work rejects', async () => {
    const { signal } = new AbortController();
    const add = vi.spyOn(signal, 'addEventListener');
    const remove = vi.spyOn(signal, 'removeEventListener');
    await expect(untilAborted(Promise.reject(new Error('x')), signal)).rejects.toThrow('x');
    expect(remove).toHaveBeenCalledWith('abort', add.mock.calls[0]![1]);
  });

  it('aborting after the work settled has no effect', async () => {
    const controller = new AbortController();
    const result = untilAborted(Promise.resolve('done'), controller.signal);
    await expect(result).resolves.toBe('done');
    controller.abort(new Error('too late'));
    await expect(result).resolves.toBe('done');
  });
});
