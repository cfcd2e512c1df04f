// Return the AgentError (ToolError, UsageError) a function throws or a promise rejects with; anything else fails the test.
import { UsageError } from '../../src/cli/build-envelope.js';
import { AgentError } from '../../src/core/errors.js';
import { ToolError } from '@agent2389/tool-sdk';

/** Await `p` and return what it rejects with if `is` accepts it (resolving or anything else fails the test). */
async function rejectionOf<E>(p: Promise<unknown>, is: (err: unknown) => err is E, what: string): Promise<E> {
  try {
    await p;
  } catch (err) {
    if (is(err)) return err;
    throw err;
  }
  throw new Error(`expected a rejection with ${what}`);
}

export function thrown(fn: () => unknown): AgentError {
  try {
    fn();
  } catch (err) {
    if (AgentError.is(err)) return err;
    throw err;
  }
  throw new Error('expected an AgentError');
}

/** Await `p` and return the AgentError it rejects with (resolving fails the test). */
export function rejected(p: Promise<unknown>): Promise<AgentError> {
  return rejectionOf(p, (err): err is AgentError => AgentError.is(err), 'an AgentError');
}

/** Await `p` and return the ToolError it rejects with (resolving fails the test). */
export function toolError(p: Promise<unknown>): Promise<ToolError> {
  return rejectionOf(p, (err): err is ToolError => ToolError.is(err), 'a ToolError');
}

/** Return the UsageError (a CLI usage error, exit 64) `fn` throws; anything else fails the test. */
export function usageErrorOf(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error('expected a UsageError');
}
