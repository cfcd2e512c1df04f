// Run `fn` and return the AgentError it throws (any other outcome fails the test).
import { AgentError } from '../../src/core/errors.js';

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
export async function rejected(p: Promise<unknown>): Promise<AgentError> {
  try {
    await p;
  } catch (err) {
    if (AgentError.is(err)) return err;
    throw err;
  }
  throw new Error('expected a rejection with an AgentError');
}
