// The agent's lifecycle as one state machine: the allowed transitions are data, and every change of
// state goes through `Lifecycle.to`, which refuses one the table does not list.
import { ERR_LIFECYCLE_TRANSITION } from '../errors.js';
import type { AgentState } from './events.js';

/**
 * From each state, the states it may move to:
 * idle → starting → running ⇄ reloading ⇄ reconnecting; running → draining → stopped; a failed
 * startup → failed; stop() before or during startup → stopped (nothing was announced yet).
 */
export const TRANSITIONS: { readonly [S in AgentState]: readonly AgentState[] } = {
  idle: ['starting', 'stopped'],
  starting: ['running', 'failed', 'stopped'],
  running: ['reloading', 'draining'],
  // A reload that changed [mqtt] or agent.id moves to a new connection through `reconnecting`.
  reloading: ['running', 'reconnecting'],
  reconnecting: ['reloading'],
  // A shutdown step that throws (closing the connection) ends in `failed`.
  draining: ['stopped', 'failed'],
  stopped: [],
  failed: [],
};

/** Every state, in the order of the table. */
export const AGENT_STATES = Object.keys(TRANSITIONS) as AgentState[];

/** States in which the agent takes new tasks (on its current generation). */
export const SERVING_STATES: readonly AgentState[] = ['running', 'reloading'];

export function canTransition(from: AgentState, to: AgentState): boolean {
  return TRANSITIONS[from].includes(to);
}

export class Lifecycle {
  #state: AgentState = 'idle';

  /** `onChange` hears every transition (the agent logs them at debug). */
  constructor(private readonly onChange?: (from: AgentState, to: AgentState) => void) {}

  get state(): AgentState {
    return this.#state;
  }

  /** True if the state is one of `states`. */
  is(...states: AgentState[]): boolean {
    return states.includes(this.#state);
  }

  /** Move to `next`; throws AGENT_ERR_LIFECYCLE_TRANSITION (and stays) if the table does not allow it. */
  to(next: AgentState): void {
    const from = this.#state;
    if (!canTransition(from, next)) throw new ERR_LIFECYCLE_TRANSITION({ from, to: next });
    this.#state = next;
    this.onChange?.(from, next);
  }
}
