// The Agent: startup (PROTOCOL.md §5.1), intake of tasks, reconnects, heartbeat, shutdown (§5.2).
import { EventEmitter } from 'node:events';

import type { LoggerV1, ProviderFactoryV1, ToolFactoryV1 } from '../../../tool-sdk/src/index.js';
import type { AgentConfig } from '../config/schema.js';
import { AgentError, ERR_CLOSED, ERR_PROVIDER_VERIFY_FAILED, ERR_TOOL_INIT_FAILED } from '../errors.js';
import { LruTtlIdempotencyStore, type IdempotencyStore } from '../pipeline/idempotency.js';
import { intake, type IntakeResult, type IntakeSettings } from '../pipeline/intake.js';
import type { TaskEnvelope } from '../protocol/envelope.js';
import { buildStatus, type StatusInfo } from '../protocol/messages.js';
import { inputTopic, statusTopic } from '../protocol/topics.js';
import type { InboundMessage, LastWill, Transport } from '../transport/transport.js';
import { VERSION } from '../version.js';
import { openConnection, type Connection } from './connection.js';
import type { AgentEvents, AgentState } from './events.js';
import { resolveParts, type ResolvedParts } from './resolve.js';
import { processTask, publishError, type TaskProcessorDeps } from './task-processor.js';
import { TaskQueue } from './task-queue.js';
import { silentLogger } from '../observability/silent-logger.js';

export interface CreateAgentOptions {
  providers?: readonly ProviderFactoryV1[];
  tools?: readonly ToolFactoryV1[];
  log?: LoggerV1;
  env?: NodeJS.ProcessEnv;
  /** Use this transport instead of MQTT (tests: the in-memory broker). Receives the Last Will to set. */
  transport?: (will: LastWill) => Transport;
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
  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new ERR_CLOSED({});
    this.#state = 'starting';
    const { config } = this;
    try {
      this.#parts = resolveParts(
        config,
        { providers: this.#opts.providers ?? [], tools: this.#opts.tools ?? [] },
        this.#opts.env ?? process.env,
        this.#log,
      );
      this.#prepareProcessing(this.#parts);
      this.#conn = await openConnection(config, this.#parts.secrets, {
        log: this.#log,
        will: this.#statusWill(),
        ...(this.#opts.transport ? { transport: this.#opts.transport } : {}),
        onMessage: (m) => this.#onMessage(m),
        onReconnect: () => this.#onReconnect(),
      });
      await this.#conn.transport.subscribe(this.#intake.inputTopic);
      await this.#initializeTools(this.#parts);
      await this.#verifyProvider(this.#parts);
      this.#state = 'running';
      await this.#publishStatus('available');
    } catch (err) {
      await this.#abortStartup();
      throw err;
    }
    this.#heartbeat = setInterval(
      () => void this.#publishStatus('available').catch(() => {}),
      config.lifecycle.heartbeat_seconds * 1000,
    );
    this.#heartbeat.unref();
    this.#log.info(
      { input_topic: this.#intake.inputTopic, broker: this.#conn.brokerUrl, tools: this.#parts.tools.names },
      'agent available',
    );
    for (const msg of this.#pending.splice(0)) this.#handle(msg);
    this.emit('ready');
  }

  /** The shutdown sequence of §5.2: stop intake, drain, retained `unavailable`, tools down, clean disconnect. */
  async stop(): Promise<void> {
    if (this.#state === 'stopping' || this.#state === 'stopped') return;
    if (this.#state !== 'running') {
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
    await this.#shutdownTools();
    await this.#conn?.close();
    this.#state = 'stopped';
    this.#log.info('agent stopped');
    this.emit('stopped');
  }

  #prepareProcessing(parts: ResolvedParts): void {
    const { config } = this;
    this.#intake = {
      inputTopic: inputTopic(this.id),
      maxPipelineDepth: config.max_pipeline_depth,
      maxMessageBytes: config.max_message_bytes,
      store:
        this.#opts.idempotencyStore ??
        new LruTtlIdempotencyStore({
          maxEntries: config.idempotency.cache_size,
          ttlMs: config.idempotency.ttl_seconds * 1000,
        }),
    };
    this.#deps = {
      agentId: this.id,
      provider: parts.provider,
      tools: parts.tools,
      loop: {
        maxToolCalls: config.budget.max_tool_calls,
        maxIterations: config.budget.max_iterations,
        maxOutputBytes: config.max_output_size,
        systemPrompt: config.llm.system_prompt,
      },
      taskTimeoutMs: config.task_timeout * 1000,
      maxMessageBytes: config.max_message_bytes,
      publishIntermediate: config.publish_intermediate,
      publish: (topic, payload) => this.#conn!.transport.publish(topic, payload),
    };
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

  async #initializeTools(parts: ResolvedParts): Promise<void> {
    for (const t of parts.tools) {
      try {
        await t.tool.initialize?.(t.config, {
          log: this.#log.child({ tool: t.name }),
          signal: this.#shutdown.signal,
        });
      } catch (err) {
        throw new ERR_TOOL_INIT_FAILED(
          { tool: t.name, reason: err instanceof Error ? err.message : String(err) },
          { cause: err },
        );
      }
    }
  }

  async #verifyProvider(parts: ResolvedParts): Promise<void> {
    try {
      await parts.provider.verify?.({ signal: this.#shutdown.signal });
    } catch (err) {
      if (AgentError.is(err, 'AGENT_ERR_PROVIDER_VERIFY_FAILED')) throw err;
      const reason = err instanceof Error ? err.message : String(err);
      throw new ERR_PROVIDER_VERIFY_FAILED({ provider: parts.provider.id, reason }, { cause: err });
    }
  }

  async #shutdownTools(): Promise<void> {
    for (const t of this.#parts?.tools ?? []) {
      await Promise.resolve(t.tool.shutdown?.()).catch((err: unknown) =>
        this.#log.warn({ err, tool: t.name }, 'tool shutdown failed'),
      );
    }
  }

  async #abortStartup(): Promise<void> {
    this.#state = 'stopped';
    if (this.#conn?.transport.connected) await this.#publishStatus('unavailable').catch(() => {});
    await this.#shutdownTools();
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
