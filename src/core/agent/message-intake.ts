// Inbound messages to tasks: hold while starting or reconnecting, run the intake steps, queue accepted
// tasks on the current generation, and acknowledge each message only when it is settled: a task once
// its answer is published and recorded (src/core/delivery/deliveries.ts), anything else once handled.
import type { Claim, Deliveries } from '../delivery/deliveries.js';
import { AgentError } from '../errors.js';
import type { AgentMetrics } from '../observability/agent-metrics.js';
import { intake, type IntakeResult } from '../pipeline/intake.js';
import type { Acknowledge, InboundMessage } from '../transport/transport.js';
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
  /** Claims, answered records and acknowledgements of tasks (read only once the agent serves). */
  readonly deliveries: Deliveries;
}

/** One received message and the acknowledgement it is owed. */
interface Received {
  readonly msg: InboundMessage;
  readonly ack: Acknowledge;
}

/** While the dedupe store is unreachable, parked messages are asked about again this often. */
const PARKED_RETRY_MS = 1_000;

export class MessageIntake {
  /** Messages that arrived while starting, or on the connection a reconnect is making. */
  readonly #pending: Received[] = [];
  /**
   * Messages the dedupe store could not be asked about (Redis down), or whose task a live other
   * replica runs: unacknowledged, asked about again later.
   */
  readonly #parked: Received[] = [];
  #retry: NodeJS.Timeout | undefined;

  constructor(private readonly host: IntakeHost) {}

  /** Messages waiting for the dedupe store. */
  get parked(): number {
    return this.#parked.length;
  }

  /**
   * Transport callback. Messages that arrive while starting, or on the connection being made by a
   * reconnect (`replacing`), wait for the new generation. While draining (and on the old connection
   * during a reconnect) a message is never acknowledged: the broker keeps it for the next session.
   */
  onMessage(msg: InboundMessage, ack: Acknowledge, replacing: boolean): void {
    this.host.metrics.mqttReceived.inc();
    const { state } = this.host;
    if (SERVING_STATES.includes(state)) this.#handle({ msg, ack });
    else if (state === 'starting' || (state === 'reconnecting' && replacing))
      this.#pending.push({ msg, ack });
  }

  /** Handle the messages that waited for the agent to be running. */
  flushPending(): void {
    for (const r of this.#pending.splice(0)) this.#handle(r);
  }

  /** Ask the dedupe store again about the parked messages (it is back, or it is time to try). */
  retryParked(): void {
    clearTimeout(this.#retry);
    this.#retry = undefined;
    if (!SERVING_STATES.includes(this.host.state)) return;
    for (const r of this.#parked.splice(0)) this.#handle(r, true);
  }

  /** Stop retrying (shutdown): parked messages stay unacknowledged and are redelivered later. */
  close(): void {
    clearTimeout(this.#retry);
    this.#retry = undefined;
  }

  #handle(received: Received, again = false): void {
    const { host } = this;
    if (!again) host.metrics.tasksReceived.inc();
    let claimed: string | undefined;
    let verdict: Claim | undefined;
    const claim = async (taskId: string): Promise<boolean> => {
      verdict = await host.deliveries.claim(taskId, received.ack);
      if (verdict === 'new') claimed = taskId;
      return verdict === 'new';
    };
    intake(received.msg, host.generation.intake, claim)
      .then((result) => {
        if (result.kind === 'accept') this.#queue(result.envelope);
        else if (verdict === 'later') this.#park(received);
        else this.#settle(result, received, claimed, verdict === 'duplicate');
      })
      .catch((err: unknown) => {
        if (AgentError.is(err, 'AGENT_ERR_DEDUPE_UNAVAILABLE')) return this.#park(received);
        // A bug here is reported and counted, never an unhandled rejection [FR-011]; the message stays
        // unacknowledged (the broker redelivers it to a later session).
        reportInternalError({ log: host.reporting.log(), metrics: host.metrics }, 'intake', err, {
          topic: received.msg.topic,
        });
      });
  }

  /** Run an accepted task when a slot is free, on the generation current then; settle it after. */
  #queue(envelope: Extract<IntakeResult, { kind: 'accept' }>['envelope']): void {
    const { host } = this;
    const id = envelope.task_id;
    host.queue.push(id, async () => {
      const answered = await runTask(envelope, host.generation, host.reporting);
      await (answered ? host.deliveries.answered(id) : host.deliveries.abandoned(id));
    });
  }

  /**
   * A message that is no task to run: report it (publishing its error, if due), then acknowledge it —
   * unless it is a `duplicate`, whose acknowledgement Deliveries owns (now, or with the task it copies).
   */
  #settle(
    result: Exclude<IntakeResult, { kind: 'accept' }>,
    r: Received,
    claimed: string | undefined,
    duplicate: boolean,
  ): void {
    const { host } = this;
    void reportNotAccepted(result, r.msg, host.generation, host.reporting).then(async (published) => {
      if (duplicate) return;
      if (claimed === undefined) {
        if (published) r.ack();
        return;
      }
      await (published ? host.deliveries.answered(claimed) : host.deliveries.abandoned(claimed));
    });
  }

  #park(r: Received): void {
    this.#parked.push(r);
    this.#retry ??= setTimeout(() => this.retryParked(), PARKED_RETRY_MS).unref();
  }
}
