// Inbound messages to tasks: acknowledge or withhold, hold while starting or reconnecting, run the
// intake steps, queue accepted tasks on the current generation.
import type { AgentMetrics } from '../observability/agent-metrics.js';
import { intake, type IntakeResult } from '../pipeline/intake.js';
import type { InboundMessage } from '../transport/transport.js';
import type { AgentState } from './events.js';
import { reportInternalError } from './internal-error.js';
import { SERVING_STATES } from './lifecycle.js';
import type { LiveGeneration } from './live-generation.js';
import { reportNotAccepted, runTask, type TaskReporting } from './task-run.js';
import type { TaskQueue } from './task-queue.js';

/** What the intake reads from its agent's runtime, at each message. */
export interface IntakeHost {
  readonly state: AgentState;
  /** The generation new tasks run on (read only once the agent serves: throws before). */
  readonly generation: LiveGeneration;
  readonly queue: TaskQueue;
  readonly metrics: AgentMetrics;
  readonly reporting: TaskReporting;
}

export class MessageIntake {
  /** Messages that arrived while starting, or on the connection a reconnect is making. */
  readonly #pending: InboundMessage[] = [];

  constructor(private readonly host: IntakeHost) {}

  /**
   * Transport callback. Returns false when the message must not be acknowledged, so the broker keeps it
   * for the next session: while draining, and on the old connection during a reconnect. Messages that
   * arrive while starting, or on the connection being made by a reconnect (`replacing`), wait for
   * the new generation.
   */
  onMessage(msg: InboundMessage, replacing: boolean): boolean {
    this.host.metrics.mqttReceived.inc();
    const { state } = this.host;
    if (SERVING_STATES.includes(state)) this.#handle(msg);
    else if (state === 'starting' || (state === 'reconnecting' && replacing)) this.#pending.push(msg);
    else return false;
    return true;
  }

  /** Handle the messages that waited for the agent to be running. */
  flushPending(): void {
    for (const msg of this.#pending.splice(0)) this.#handle(msg);
  }

  #handle(msg: InboundMessage): void {
    this.host.metrics.tasksReceived.inc();
    intake(msg, this.host.generation.intake)
      .then((result) => this.#onIntake(result, msg))
      // A bug here is reported and counted, never an unhandled rejection [FR-011].
      .catch((err: unknown) =>
        reportInternalError({ log: this.host.reporting.log(), metrics: this.host.metrics }, 'intake', err, {
          topic: msg.topic,
        }),
      );
  }

  #onIntake(result: IntakeResult, msg: InboundMessage): void {
    // A task runs on the generation current when it starts, to its end, whatever reloads happen.
    const { host } = this;
    if (result.kind === 'accept')
      host.queue.push(result.envelope.task_id, () =>
        runTask(result.envelope, host.generation, host.reporting),
      );
    else reportNotAccepted(result, msg, host.generation, host.reporting);
  }
}
