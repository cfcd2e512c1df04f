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
