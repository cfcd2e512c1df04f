// What a running agent owns: its lifecycle, generations, broker link, task queue and reporting. The
// Agent (agent.ts) drives it; reloads, reconnects and the intake work on it through narrow interfaces.
import type { EventEmitter } from 'node:events';
import { join } from 'node:path';

import type { LoggerV1 } from '@agent2389/tool-sdk';
import type { ConfigChange } from '../config/diff.js';
import type { AgentConfig } from '../config/schema.js';
import { ERR_INTERNAL } from '../errors.js';
import { resolveDataDir } from '../config/data-dir.js';
import type { Deliveries } from '../delivery/deliveries.js';
import type { DedupeLimits } from '../delivery/dedupe-store.js';
import { spoolFileName } from '../delivery/spool.js';
import { replicaIdOf } from '../delivery/replica-id.js';
import type { StatusInfo } from '../protocol/messages.js';
import { AgentRegistry } from '../routing/agent-registry.js';
import { AGENT_STATUS_FILTER, isAgentStatusTopic } from '../routing/status-message.js';
import { AgentMetrics } from '../observability/agent-metrics.js';
import { emitProgress, type ProgressEventName, type ProgressSink } from '../observability/progress.js';
import { silentLogger } from '../observability/silent-logger.js';
import type { Acknowledge, InboundMessage, LastWill } from '../transport/transport.js';
import { VERSION } from '../version.js';
import { AgentDeliveries } from './agent-deliveries.js';
import { AgentLink, statusWill, type AvailabilityStatus } from './agent-link.js';
import type { CreateAgentOptions } from './agent-options.js';
import { AgentProbe } from './agent-probe.js';
import { progressSink } from './agent-progress.js';
import type { BuildContext } from './build-generation.js';
import { openConnection, type Connection } from './connection.js';
import type { AgentEvents, AgentState } from './events.js';
import { followSettings, type AgentSettingsTargets } from './follow-settings.js';
import { reportInternalError } from './internal-error.js';
import { Lifecycle } from './lifecycle.js';
import type { LiveGeneration } from './live-generation.js';
import { MessageIntake, type IntakeHost } from './message-intake.js';
import type { TaskReporting } from './task-run.js';
import { TaskQueue } from './task-queue.js';
import type { ToolRegistry } from './tool-registry.js';

export class AgentRuntime implements IntakeHost, AgentSettingsTargets {
  readonly lifecycle: Lifecycle;
  readonly queue: TaskQueue;
  readonly link: AgentLink;
  /** This process's name among the replicas of its agent id (the holder of its dedupe claims). */
  readonly replicaId: string;
  /** Readiness and health facts (available published, provider verified, LLM failures in a row). */
  readonly probe = new AgentProbe();
  readonly metrics: AgentMetrics;
  readonly reporting: TaskReporting;
  readonly intake: MessageIntake;
  /** Discovery: the agents known from /control/agents/+/status (this one included), for routing and /health. */
  readonly registry: AgentRegistry;
  /** The dedupe store (opened at startup) and, for replicas, the adoption of dead replicas' sessions. */
  readonly delivery: AgentDeliveries;
  /** Aborted to cancel startup, a reconnect's connecting, and (after the grace period) tasks. */
  readonly shutdown = new AbortController();
  readonly #initial: AgentConfig;
  readonly #opts: CreateAgentOptions;
  readonly #events: EventEmitter<AgentEvents>;
  readonly #baseLog: LoggerV1;
  readonly #sink: ProgressSink;
  #log: LoggerV1;
  /** The generation new tasks run on; older ones finish their tasks, then close. */
  #current?: LiveGeneration;
  readonly #generations = new Set<LiveGeneration>();
  #nextGenerationId = 1;
  #heartbeat?: NodeJS.Timeout;
  /** Tool registries whose changes re-publish the status (a reused plugin set is watched once). */
  readonly #watchedTools = new WeakSet<ToolRegistry>();
  /** stop() was called: nothing may announce `available` again. */
  #stopRequested = false;

  constructor(config: AgentConfig, options: CreateAgentOptions, events: EventEmitter<AgentEvents>) {
    this.#initial = config;
    this.#opts = options;
    this.#events = events;
    this.#baseLog = options.log ?? silentLogger;
    this.#log = this.#baseLog.child({ agent_id: config.agent.id });
    this.lifecycle = new Lifecycle((from, to) => this.#log.debug({ from, to }, 'agent state'));
    this.metrics = new AgentMetrics({
      inFlight: () => this.queue.active,
      queued: () => this.queue.waiting,
      held: () => this.intake.held,
      spooled: () => this.intake.spooled,
      mqttConnected: () => this.link.connected,
      generation: () => this.#current?.id ?? 0,
      mcpServers: () => this.#current?.plugins.set.mcp?.servers ?? [],
    });
    this.queue = new TaskQueue(config.max_concurrent_tasks, (taskId, err) =>
      reportInternalError(this, 'task', err, { task_id: taskId }),
    );
    this.link = new AgentLink(this.metrics);
    this.replicaId = replicaIdOf(config);
    this.#sink = progressSink({
      config: () => this.config,
      id: () => this.id,
      log: () => this.#log,
      metrics: this.metrics,
      publish: (topic, payload) => this.link.publish(topic, payload),
    });
    this.reporting = {
      log: () => this.#log,
      events,
      metrics: this.metrics,
      progress: (event, data, ids) => emitProgress(this.#sink, event, data, ids),
      onLlmOutcome: (ok) => this.probe.llmOutcome(ok),
    };
    this.registry = new AgentRegistry({
      staleAfterMs: () => staleAfterMs(this.config),
      onIgnored: (reason, topic) => this.#log.debug({ topic, reason }, 'status message ignored'),
    });
    this.delivery = new AgentDeliveries(this, options);
    this.intake = new MessageIntake(this, () =>
      join(
        resolveDataDir(this.config, options.env ?? process.env),
        spoolFileName(this.replicated ? this.replicaId : undefined),
      ),
    );
  }

  get log(): LoggerV1 {
    return this.#log;
  }

  get state(): AgentState {
    return this.lifecycle.state;
  }

  get stopRequested(): boolean {
    return this.#stopRequested;
  }

  /** The generation new tasks run on, if there is one yet. */
  get current(): LiveGeneration | undefined {
    return this.#current;
  }

  /** The generation new tasks run on; ERR_INTERNAL when read before startup built one (a bug). */
  get generation(): LiveGeneration {
    if (!this.#current)
      throw new ERR_INTERNAL({ where: 'agent runtime', reason: `no generation while ${this.state}` });
    return this.#current;
  }

  /** Task claims and acknowledgements (IntakeHost). */
  get deliveries(): Deliveries {
    return this.delivery.deliveries;
  }

  /** One of several replicas of its agent id ([mqtt] shared_group, docs/scaling.md). */
  get replicated(): boolean {
    return this.config.mqtt.shared_group !== undefined;
  }

  /** A reload changed [dedupe] cache_size or ttl_seconds. */
  resizeDedupe(limits: DedupeLimits): void {
    this.delivery.resize(limits);
  }

  /** The broker connection in use; ERR_INTERNAL when read before startup made one (a bug). */
  get conn(): Connection {
    const conn = this.link.conn;
    if (!conn)
      throw new ERR_INTERNAL({ where: 'agent runtime', reason: `no connection while ${this.state}` });
    return conn;
  }

  /** The configuration new tasks run with. */
  get config(): AgentConfig {
    return this.#current?.config ?? this.#initial;
  }

  get id(): string {
    return this.config.agent.id;
  }

  /** What the status message advertises. */
  get statusInfo(): StatusInfo {
    const { agent, tools } = this.config;
    return {
      agentId: agent.id,
      description: agent.description,
      capabilities: agent.capabilities,
      tools: this.#current?.plugins.set.tools.names ?? Object.keys(tools),
      version: VERSION,
    };
  }

  buildContext(): BuildContext {
    return {
      available: {
        providers: this.#opts.providers ?? [],
        tools: this.#opts.tools ?? [],
        ...(this.#opts.plugins ? { plugins: this.#opts.plugins } : {}),
      },
      env: this.#opts.env ?? process.env,
      log: this.#log,
      publish: (topic, payload) => this.link.publish(topic, payload),
      signal: this.shutdown.signal,
    };
  }

  /** The id the next generation gets; `takeGenerationId` uses it up once that generation serves. */
  peekGenerationId(): number {
    return this.#nextGenerationId;
  }

  takeGenerationId(): number {
    return this.#nextGenerationId++;
  }

  /** Make `gen` the generation new tasks run on (it is closed with the others at shutdown). */
  adopt(gen: LiveGeneration): void {
    this.#current = gen;
    this.#generations.add(gen);
    this.metrics.watchMcpServers(gen.plugins.set.mcp?.servers ?? []);
    const tools = gen.plugins.set.tools;
    if (!this.#watchedTools.has(tools)) {
      this.#watchedTools.add(tools);
      tools.onChange(() => this.#toolsChanged(tools));
    }
  }

  /** The tools of the serving set changed (an MCP server's list): say so in the status message. */
  #toolsChanged(tools: ToolRegistry): void {
    if (this.#current?.plugins.set.tools !== tools || !this.lifecycle.is('running', 'reloading')) return;
    this.#log.info({ tools: tools.names }, 'tools changed');
    this.publishStatus('available').catch((err: unknown) =>
      this.#log.warn({ err }, 'cannot publish the status with the changed tools'),
    );
  }

  /** Connect for `gen`. `replacing`: a reconnect's connection, whose messages wait for the new generation. */
  connect(
    config: AgentConfig,
    gen: LiveGeneration,
    signal: AbortSignal,
    replacing = false,
  ): Promise<Connection> {
    const transport = this.#opts.transport;
    return openConnection(config, gen.secrets, {
      log: this.#log,
      replicaId: this.replicaId,
      will: statusWill(
        { ...this.statusInfo, agentId: config.agent.id },
        config.mqtt.shared_group !== undefined,
      ),
      signal,
      ...(transport ? { transport: (will: LastWill) => transport(will, config) } : {}),
      onMessage: (m, ack) => this.#onMessage(m, ack, replacing),
      onReconnect: () => this.#onReconnect(),
      onDisconnect: () => this.metrics.mqttDisconnects.inc(),
    });
  }

  /**
   * Subscribe `conn` to `gen`'s input and to the agents' statuses (discovery). A refused status
   * subscription (e.g. a broker ACL) is logged: the agent serves, knowing no other agents.
   * `fresh`: a new connection (a reload's reconnect), whose broker re-sends every retained status.
   */
  async subscribe(conn: Connection, gen: LiveGeneration, fresh = false): Promise<void> {
    await conn.transport.subscribe(gen.intake.subscription);
    if (fresh) this.registry.clear();
    await conn.transport
      .subscribe(AGENT_STATUS_FILTER)
      .catch((err: unknown) =>
        this.#log.warn(
          { err, topic: AGENT_STATUS_FILTER },
          'cannot subscribe to agent statuses: discovery off',
        ),
      );
  }

  /** A message on this agent's connection: a status to the registry (acknowledged at once), else the intake. */
  #onMessage(msg: InboundMessage, ack: Acknowledge, replacing: boolean): void {
    if (!isAgentStatusTopic(msg.topic)) return this.intake.onMessage(msg, ack, replacing);
    // Not counted in agent2389_mqtt_messages_received_total: that counts what arrives on the input.
    try {
      this.registry.observe(msg.topic, msg.payload);
    } finally {
      ack();
    }
  }

  /**
   * Publish the retained status; `available` marks the probe ready unless stop() began. A replica also
   * publishes its own status, and says `unavailable` for the agent id only when no other replica lives.
   */
  async publishStatus(status: AvailabilityStatus): Promise<void> {
    if (status === 'unavailable') this.probe.available = false;
    const info = this.statusInfo;
    const load = this.queue.load;
    if (!this.replicated) await this.link.publishStatus(info, status, load);
    else if (status === 'available') {
      await this.link.publishStatus(info, status, load);
      await this.link.publishReplicaStatus(info, this.replicaId, load);
    } else {
      await this.link.publishReplicaStatus(info, this.replicaId, 'cleared');
      if (!(await this.delivery.otherReplicasLive())) await this.link.publishStatus(info, status, load);
    }
    if (status === 'available') this.probe.available = !this.#stopRequested;
  }

  /** From now on nothing announces `available` (the first moment of a shutdown). */
  requestStop(): void {
    this.#stopRequested = true;
    this.probe.available = false;
  }

  restartHeartbeat(): void {
    this.stopHeartbeat();
    this.#heartbeat = setInterval(() => {
      // A missed heartbeat is harmless (the next one, or the retained status, says the same).
      this.publishStatus('available').catch((err: unknown) => this.#log.debug({ err }, 'heartbeat not sent'));
    }, this.config.lifecycle.heartbeat_seconds * 1000);
    this.#heartbeat.unref();
  }

  stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
  }

  onLogLevel(level: AgentConfig['log']['level']): void {
    this.#opts.onLogLevel?.(level);
  }

  providerChanged(): void {
    this.probe.providerChanged();
  }

  /** After a swap: settings outside generations follow `next`; `old` retires once its tasks are done. */
  afterSwap(old: LiveGeneration, next: AgentConfig, changes: readonly ConfigChange[]): void {
    if (changes.some((c) => c.key === 'agent.id'))
      this.#log = this.#baseLog.child({ agent_id: next.agent.id });
    followSettings(next, changes, this);
    old.retire().then(
      () => this.#generations.delete(old),
      (err: unknown) => reportInternalError(this, 'generation_close', err, { generation: old.id }),
    );
  }

  /** Abort the tasks of every generation (shutdown after the grace period). */
  abortRunning(reason: unknown): void {
    this.shutdown.abort(reason);
    for (const g of this.#generations) g.abort(reason);
  }

  /** Retire every generation and wait until all are closed. */
  async closeGenerations(): Promise<void> {
    await Promise.all([...this.#generations].map((g) => g.retire()));
    this.#generations.clear();
  }

  /** Publish a progress event (§7) about the agent itself; never throws. */
  publishProgress(event: ProgressEventName, data: Record<string, unknown>): void {
    emitProgress(this.#sink, event, data);
  }

  /** The transport came back after a loss: subscribe again and re-announce, if serving. */
  #onReconnect(): void {
    this.metrics.mqttReconnects.inc();
    if (!this.lifecycle.is('running', 'reloading')) return;
    void (async () => {
      await this.subscribe(this.conn, this.generation);
      await this.publishStatus('available');
      this.#log.info('reconnected: subscription and availability restored');
      this.#events.emit('reconnected');
    })().catch((err: unknown) => this.#log.warn({ err }, 'cannot restore state after reconnect'));
  }
}

/** How old (ms) an agent's last status may be while it is routable: `[routing] stale_after_seconds`, or 3 heartbeats (protocol.md §9). */
export function staleAfterMs(config: AgentConfig): number {
  return (config.routing.stale_after_seconds ?? 3 * config.lifecycle.heartbeat_seconds) * 1000;
}
