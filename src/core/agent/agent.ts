// The Agent: startup (PROTOCOL.md §5.1), intake of tasks, reconnects, heartbeat, shutdown (§5.2).
import { EventEmitter } from 'node:events';

import type { LoggerV1, ProviderFactoryV1, ToolFactoryV1 } from '../../../tool-sdk/src/index.js';
import { resolveDataDir } from '../config/data-dir.js';
import type { AgentConfig } from '../config/schema.js';
import { ERR_CLOSED } from '../errors.js';
import type { IdempotencyStore } from '../pipeline/idempotency.js';
import { intake, type IntakeResult, type IntakeSettings } from '../pipeline/intake.js';
import type { TaskEnvelope } from '../protocol/envelope.js';
import { buildStatus, type StatusInfo } from '../protocol/messages.js';
import { statusTopic } from '../protocol/topics.js';
import type { InboundMessage, LastWill, Transport } from '../transport/transport.js';
import { VERSION } from '../version.js';
import { openConnection, type Connection } from './connection.js';
import type { AgentEvents, AgentState } from './events.js';
import { resolveParts, type PluginSources, type ResolvedParts } from './resolve.js';
import { buildProcessing } from './processing.js';
import { processTask, publishError, type TaskProcessorDeps } from './task-processor.js';
import { initializeTools, shutdownTools, verifyProvider } from './tool-lifecycle.js';
import { TaskQueue } from './task-queue.js';
import { silentLogger } from '../observability/silent-logger.js';

export interface CreateAgentOptions {
  providers?: readonly ProviderFactoryV1[];
  tools?: readonly ToolFactoryV1[];
  log?: LoggerV1;
  env?: NodeJS.ProcessEnv;
  /** Use this transport instead of MQTT (tests: the in-memory broker). Receives the Last Will to set. */
  transport?: (will: LastWill) => Transport;
  /** Where plugins are discovered (src/index.ts points at the package's own plugins). */
  plugins?: PluginSources;
  /** Override the idempotency store (e.g. a shared one for replicas). */
  idempotencyStore?: IdempotencyStore;
}

export class Agent extends EventEmitter<AgentEvents> {
  readonly config: AgentConfig;
  readonly id: string;
  #state: AgentState = 'idle';
  readonly #opts: CreateAgentOptions;
  readonly #log: LoggerV1;
  readonly #queue: TaskQueue;
  readonly #shutdown = new AbortController();
  readonly #pending: InboundMessage[] = [];
  #parts?: ResolvedParts;
  #conn?: Connection;
  #intake!: IntakeSettings;
  #deps!: TaskProcessorDeps;
  #heartbeat?: NodeJS.Timeout;
  #starting?: Promise<void>;

  constructor(config: AgentConfig, options: CreateAgentOptions = {}) {
    super();
    this.config = config;
    this.id = config.agent.id;
    this.#opts = options;
    this.#log = (options.log ?? silentLogger).child({ agent_id: this.id });
    this.#queue = new TaskQueue(config.max_concurrent_tasks);
  }

  get state(): AgentState {
    return this.#state;
  }

  /** Tasks in flight / max_concurrent_tasks. */
  get load(): number {
    return this.#queue.load;
  }

  /** What the status message advertises. */
  get statusInfo(): StatusInfo {
    return {
      agentId: this.id,
      description: this.config.agent.description,
      capabilities: this.config.agent.capabilities,
      tools: this.#parts?.tools.names ?? Object.keys(this.config.tools),
      version: VERSION,
    };
  }

  /** The startup sequence of §5.1. Rejects (after cleaning up) if config, tools or the provider fail. */
  start(): Promise<void> {
    if (this.#state !== 'idle') return Promise.reject(new ERR_CLOSED({}));
    this.#state = 'starting';
    this.#starting = this.#startup();
    return this.#starting;
  }

  async #startup(): Promise<void> {
    const { config } = this;
    const signal = this.#shutdown.signal;
    try {
      const parts = await resolveParts(
        config,
        {
          providers: this.#opts.providers ?? [],
          tools: this.#opts.tools ?? [],
          ...(this.#opts.plugins ? { plugins: this.#opts.plugins } : {}),
        },
        this.#opts.env ?? process.env,
        this.#log,
      );
      this.#parts = parts;
      const publish = (topic: string, payload: string): Promise<void> =>
        this.#conn!.transport.publish(topic, payload);
      ({ intake: this.#intake, deps: this.#deps } = buildProcessing(
        config,
        parts,
        publish,
        this.#opts.idempotencyStore,
      ));
      this.#conn = await openConnection(config, parts.secrets, {
        log: this.#log,
        will: this.#statusWill(),
        signal,
        ...(this.#opts.transport ? { transport: this.#opts.transport } : {}),
        onMessage: (m) => this.#onMessage(m),
        onReconnect: () => this.#onReconnect(),
      });
      await this.#conn.transport.subscribe(this.#intake.inputTopic);
      await initializeTools(parts, this.#log, signal, {
        agentId: this.id,
        dataDir: resolveDataDir(config, this.#opts.env ?? process.env),
      });
      await verifyProvider(parts, signal);
      signal.throwIfAborted();
      this.#state = 'running';
      await this.#publishStatus('available');
    } catch (err) {
      await this.#abortStartup();
      throw err;
    }
    this.#heartbeat = setInterval(() => {
      this.#publishStatus('available').catch((err: unknown) =>
        this.#log.debug({ err }, 'heartbeat not sent'),
      );
    }, config.lifecycle.heartbeat_seconds * 1000);
    this.#heartbeat.unref();
    this.#log.info(
      { input_topic: this.#intake.inputTopic, broker: this.#conn.brokerUrl, tools: this.#parts?.tools.names },
      'agent available',
    );
    for (const msg of this.#pending.splice(0)) this.#handle(msg);
    this.emit('ready');
  }

  /** The shutdown sequence of §5.2: stop intake, drain, retained `unavailable`, tools down, clean disconnect. */
  async stop(): Promise<void> {
    if (this.#state === 'stopping' || this.#state === 'stopped') return;
    if (this.#state !== 'running') {
      // Not started, or still starting (e.g. waiting for the broker): cancel and clean up.
      this.#shutdown.abort(new ERR_CLOSED({}));
      await this.#starting?.catch(() => {});
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopping';
    clearInterval(this.#heartbeat);
    const graceMs = this.config.lifecycle.shutdown_grace_seconds * 1000;
    const drained = await this.#queue.drain(graceMs);
    if (!drained) {
      this.#log.warn(
        { in_flight: this.#queue.active + this.#queue.waiting },
        'grace period over: aborting remaining tasks',
      );
      this.#shutdown.abort(new ERR_CLOSED({}));
      await this.#queue.drain(5000);
    }
    await this.#publishStatus('unavailable').catch((err: unknown) =>
      this.#log.warn({ err }, 'cannot publish unavailable'),
    );
    await shutdownTools(this.#parts, this.#log);
    await (this.#parts?.close ? this.#parts.close() : this.#parts?.generation?.close());
    await this.#conn?.close();
    this.#state = 'stopped';
    this.#log.info('agent stopped');
    this.emit('stopped');
  }

  #statusWill(): LastWill {
    return {
      topic: statusTopic(this.id),
      payload: JSON.stringify(buildStatus(this.statusInfo, 'unavailable', 0)),
      retain: true,
    };
  }

  #publishStatus(status: 'available' | 'unavailable'): Promise<void> {
    const payload = JSON.stringify(
      buildStatus(this.statusInfo, status, status === 'available' ? this.load : 0),
    );
    return this.#conn!.transport.publish(statusTopic(this.id), payload, { retain: true });
  }

  async #abortStartup(): Promise<void> {
    this.#state = 'stopped';
    if (this.#conn?.transport.connected) await this.#publishStatus('unavailable').catch(() => {});
    await shutdownTools(this.#parts, this.#log);
    await (this.#parts?.close ? this.#parts.close() : this.#parts?.generation?.close());
    await this.#conn?.close().catch(() => {});
  }

  #onReconnect(): void {
    if (this.#state !== 'running') return;
    void (async () => {
      await this.#conn!.transport.subscribe(this.#intake.inputTopic);
      await this.#publishStatus('available');
      this.#log.info('reconnected: subscription and availability restored');
      this.emit('reconnected');
    })().catch((err: unknown) => this.#log.warn({ err }, 'cannot restore state after reconnect'));
  }

  /** Transport callback. Returns false when the message must not be acknowledged (shutting down). */
  #onMessage(msg: InboundMessage): boolean {
    if (this.#state === 'running') this.#handle(msg);
    else if (this.#state === 'starting') this.#pending.push(msg);
    else return false;
    return true;
  }

  #handle(msg: InboundMessage): void {
    intake(msg, this.#intake)
      .then((result) => this.#onIntake(result, msg))
      // Never let a bug or a throwing event listener turn into an unhandled rejection [FR-011].
      .catch((err: unknown) => this.#log.error({ err, topic: msg.topic }, 'message handling failed'));
  }

  #onIntake(result: IntakeResult, msg: InboundMessage): void {
    if (result.kind === 'accept') {
      this.#queue.push(() => this.#runTask(result.envelope));
      return;
    }
    if (result.kind === 'discard') {
      const quiet = result.reason === 'duplicate task_id' || result.reason === 'retained message';
      this.#log[quiet ? 'debug' : 'warn']({ topic: msg.topic, reason: result.reason }, 'message discarded');
      this.emit('task:discarded', { reason: result.reason, topic: msg.topic });
      return;
    }
    const { reply, code, message } = result;
    const ids = { task_id: reply?.taskId, conversation_id: reply?.conversationId };
    this.#log.warn({ ...ids, code, reason: message }, 'task rejected');
    if (reply) {
      publishError(this.#deps, reply, code, message).catch((err: unknown) =>
        this.#log.error({ err, ...ids }, 'cannot publish error'),
      );
    }
    this.emit('task:failed', { ...(reply ?? {}), code, message, stage: 'intake' });
  }

  async #runTask(envelope: TaskEnvelope): Promise<void> {
    const started = performance.now();
    const ids = { taskId: envelope.task_id, conversationId: envelope.conversation_id };
    const log = this.#log.child({ task_id: envelope.task_id, conversation_id: envelope.conversation_id });
    log.debug(
      { instruction_chars: envelope.instruction?.length ?? 0, next: envelope.next?.topic },
      'task started',
    );
    const outcome = await processTask(envelope, this.#deps, { log, shutdownSignal: this.#shutdown.signal });
    const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
    if (outcome.status === 'failed') {
      log.info({ outcome: 'failed', code: outcome.code, duration_ms: durationMs }, 'task finished');
      this.emit('task:failed', {
        ...ids,
        durationMs,
        code: outcome.code,
        message: outcome.message,
        stage: 'processing',
      });
    } else {
      log.info(
        {
          outcome: outcome.status,
          duration_ms: durationMs,
          tool_calls: outcome.toolCalls,
          llm_calls: outcome.iterations + (outcome.budgetExhausted ? 1 : 0),
          input_tokens: outcome.usage.inputTokens,
          output_tokens: outcome.usage.outputTokens,
          budget_exhausted: outcome.budgetExhausted,
        },
        'task finished',
      );
      this.emit('task:completed', { ...ids, durationMs, ...outcome });
    }
  }
}

/** Create an agent from a validated config; `start()` runs the startup sequence. */
export function createAgent(config: AgentConfig, options: CreateAgentOptions = {}): Agent {
  return new Agent(config, options);
}
