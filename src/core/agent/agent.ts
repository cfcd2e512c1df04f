// The Agent: startup (PROTOCOL.md §5.1), intake of tasks, reconnects, heartbeat, reloads, shutdown (§5.2).
import { EventEmitter } from 'node:events';

import type { LoggerV1 } from '../../../tool-sdk/src/index.js';
import { resolveDataDir } from '../config/data-dir.js';
import type { ConfigChange } from '../config/diff.js';
import type { AgentConfig } from '../config/schema.js';
import { ERR_CLOSED } from '../errors.js';
import { LruTtlIdempotencyStore, type IdempotencyStore } from '../pipeline/idempotency.js';
import { followSettings } from './follow-settings.js';
import type { StatusInfo } from '../protocol/messages.js';
import { AgentMetrics } from '../observability/agent-metrics.js';
import type { HealthReport } from '../observability/health-report.js';
import { emitProgress, type ProgressEventName, type ProgressSink } from '../observability/progress.js';
import { silentLogger } from '../observability/silent-logger.js';
import type { LastWill } from '../transport/transport.js';
import { VERSION } from '../version.js';
import { AgentProbe, type ProbeView } from './agent-probe.js';
import { progressSink } from './agent-progress.js';
import { applyReload, type ReloadHost } from './apply-reload.js';
import { buildGeneration, type BuildContext } from './build-generation.js';
import { AgentLink, statusWill, type AvailabilityStatus } from './agent-link.js';
import { openConnection, type Connection } from './connection.js';
import type { AgentEvents, AgentState, ReloadOutcome } from './events.js';
import type { LiveGeneration } from './live-generation.js';
import { reconnectWith } from './reconnect.js';
import type { WatchPaths } from './resolve.js';
import { MessageIntake } from './message-intake.js';
import type { TaskReporting } from './task-run.js';
import { initializeTools, verifyProvider } from './tool-lifecycle.js';
import { TaskQueue } from './task-queue.js';
import type { ApplyOptions, CreateAgentOptions } from './agent-options.js';

export class Agent extends EventEmitter<AgentEvents> {
  #state: AgentState = 'idle';
  readonly #initial: AgentConfig;
  readonly #opts: CreateAgentOptions;
  readonly #baseLog: LoggerV1;
  #log: LoggerV1;
  readonly #queue: TaskQueue;
  readonly #store: IdempotencyStore;
  readonly #shutdown = new AbortController();
  /** The generation new tasks run on; older ones finish their tasks, then close. */
  #gen?: LiveGeneration;
  readonly #generations = new Set<LiveGeneration>();
  #nextGenerationId = 1;
  readonly #link: AgentLink;
  #heartbeat?: NodeJS.Timeout;
  #starting?: Promise<void>;
  /** Reloads run one at a time. */
  #applying: Promise<unknown> = Promise.resolve();
  /** Counters, gauges and histograms of this agent (/metrics). */
  readonly metrics: AgentMetrics;
  /** Readiness and health facts (available published, provider verified, LLM failures in a row). */
  readonly #probe = new AgentProbe();

  constructor(config: AgentConfig, options: CreateAgentOptions = {}) {
    super();
    this.#initial = config;
    this.#opts = options;
    this.#baseLog = options.log ?? silentLogger;
    this.#log = this.#baseLog.child({ agent_id: config.agent.id });
    this.#queue = new TaskQueue(config.max_concurrent_tasks);
    this.metrics = new AgentMetrics({
      inFlight: () => this.#queue.active,
      queued: () => this.#queue.waiting,
      mqttConnected: () => this.#link.connected,
      generation: () => this.generation,
    });
    this.#link = new AgentLink(this.metrics);
    this.#sink = progressSink({
      config: () => this.config,
      id: () => this.id,
      log: () => this.#log,
      metrics: this.metrics,
      publish: (topic, payload) => this.#link.publish(topic, payload),
    });
    this.#reporting = {
      log: () => this.#log,
      events: this,
      metrics: this.metrics,
      progress: (event, data, ids) => emitProgress(this.#sink, event, data, ids),
      onLlmOutcome: (ok) => this.#probe.llmOutcome(ok),
    };
    this.#intake = new MessageIntake({
      state: () => this.#state,
      generation: () => this.#gen!,
      log: () => this.#log,
      queue: this.#queue,
      metrics: this.metrics,
      reporting: this.#reporting,
    });
    this.#store =
      options.idempotencyStore ??
      new LruTtlIdempotencyStore({
        maxEntries: config.idempotency.cache_size,
        ttlMs: config.idempotency.ttl_seconds * 1000,
      });
  }

  /** The configuration new tasks run with. */
  get config(): AgentConfig {
    return this.#gen?.config ?? this.#initial;
  }

  get id(): string {
    return this.config.agent.id;
  }

  get state(): AgentState {
    return this.#state;
  }

  /** The id of the generation new tasks run on (1 after startup, +1 per applied reload). */
  get generation(): number {
    return this.#gen?.id ?? 0;
  }

  /** Readiness (/ready): `available` published, connected, and neither draining nor reconnecting. */
  get readiness(): { ready: boolean; reason?: string } {
    return this.#probe.readiness(this.#view());
  }

  /** The body of /health: one check per component (mqtt, provider, tools, task processing). */
  healthReport(): HealthReport {
    return this.#probe.report(this.#view());
  }

  #view(): ProbeView {
    return {
      id: this.id,
      state: this.#state,
      generation: this.generation,
      config: this.config,
      connected: this.#link.connected,
      brokerUrl: this.#link.brokerUrl,
      providerId: this.#gen?.provider.id,
      tools: this.statusInfo.tools,
      inFlight: this.#queue.active,
      queued: this.#queue.waiting,
      startedAt: this.metrics.started,
    };
  }

  /** What a reload watcher should watch: the plugin folders and inline tool files in use. */
  get watchPaths(): WatchPaths {
    return this.#gen?.plugins.set.watch ?? { dirs: [], files: [] };
  }

  /** Tasks in flight / max_concurrent_tasks. */
  get load(): number {
    return this.#queue.load;
  }

  /** What the status message advertises. */
  get statusInfo(): StatusInfo {
    const { agent, tools } = this.config;
    return {
      agentId: agent.id,
      description: agent.description,
      capabilities: agent.capabilities,
      tools: this.#gen?.plugins.set.tools.names ?? Object.keys(tools),
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

  #buildContext(): BuildContext {
    return {
      available: {
        providers: this.#opts.providers ?? [],
        tools: this.#opts.tools ?? [],
        ...(this.#opts.plugins ? { plugins: this.#opts.plugins } : {}),
      },
      env: this.#opts.env ?? process.env,
      log: this.#log,
      store: this.#store,
      publish: (topic, payload) => this.#link.publish(topic, payload),
      signal: this.#shutdown.signal,
    };
  }

  #adopt(gen: LiveGeneration): void {
    this.#gen = gen;
    this.#generations.add(gen);
  }

  /** `replacing`: a connection made during a reconnect, whose messages are kept for the new generation. */
  #connect(
    config: AgentConfig,
    gen: LiveGeneration,
    signal: AbortSignal,
    replacing = false,
  ): Promise<Connection> {
    const transport = this.#opts.transport;
    return openConnection(config, gen.secrets, {
      log: this.#log,
      will: statusWill({ ...this.statusInfo, agentId: config.agent.id }),
      signal,
      ...(transport ? { transport: (will: LastWill) => transport(will, config) } : {}),
      onMessage: (m) => this.#intake.onMessage(m, replacing),
      onReconnect: () => this.#onReconnect(),
      onDisconnect: () => this.metrics.mqttDisconnects.inc(),
    });
  }

  async #startup(): Promise<void> {
    const config = this.#initial;
    const signal = this.#shutdown.signal;
    try {
      const ctx = this.#buildContext();
      const gen = await buildGeneration(config, ctx, { id: this.#nextGenerationId++, lifecycle: false });
      this.#adopt(gen);
      const conn = await this.#connect(config, gen, signal);
      this.#link.use(conn);
      await conn.transport.subscribe(gen.intake.inputTopic);
      await initializeTools(gen.plugins.set, this.#log, signal, {
        agentId: this.id,
        dataDir: resolveDataDir(config, ctx.env),
      });
      await verifyProvider(gen, signal);
      this.#probe.providerVerified = true;
      signal.throwIfAborted();
      this.#state = 'running';
      await this.#publishStatus('available');
    } catch (err) {
      await this.#abortStartup();
      throw err;
    }
    this.#startHeartbeat();
    this.#log.info(
      {
        input_topic: this.#gen!.intake.inputTopic,
        broker: this.#link.brokerUrl,
        tools: this.statusInfo.tools,
      },
      'agent available',
    );
    this.#intake.flushPending();
    this.emit('ready');
  }

  #startHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = setInterval(() => {
      this.#publishStatus('available').catch((err: unknown) =>
        this.#log.debug({ err }, 'heartbeat not sent'),
      );
    }, this.config.lifecycle.heartbeat_seconds * 1000);
    this.#heartbeat.unref();
  }

  /**
   * Apply `next` (a reload): build the next generation off to the side and swap it in only if all of
   * it succeeded; tasks running keep the generation they started on. Changes to `[mqtt]` or
   * `agent.id` are applied by a controlled reconnect (drain, reconnect, re-publish status). Rejects
   * with the coded error of the step that failed; then nothing running has changed.
   */
  applyConfig(next: AgentConfig, options: ApplyOptions = {}): Promise<ReloadOutcome> {
    const run = this.#applying.then(() => applyReload(this.#reloadHost, next, options));
    this.#applying = run.catch(() => {});
    return run;
  }

  readonly #reloadHost: ReloadHost = {
    runningGeneration: () => (this.#state === 'running' ? this.#gen : undefined),
    buildContext: () => this.#buildContext(),
    peekGenerationId: () => this.#nextGenerationId,
    takeGenerationId: () => void this.#nextGenerationId++,
    statusInfo: () => this.statusInfo,
    adopt: (gen) => this.#adopt(gen),
    reconnect: (gen) => this.#reconnect(gen),
    afterSwap: (old, next, changes) => this.#afterSwap(old, next, changes),
    republishStatus: () =>
      this.#publishStatus('available').catch((err: unknown) =>
        this.#log.warn({ err }, 'cannot re-publish status after reload'),
      ),
    reloaded: (outcome) => this.emit('reloaded', outcome),
  };

  /** Settings that live outside the generation follow the new config; the old generation retires. */
  #afterSwap(old: LiveGeneration, next: AgentConfig, changes: readonly ConfigChange[]): void {
    if (changes.some((c) => c.key === 'agent.id'))
      this.#log = this.#baseLog.child({ agent_id: next.agent.id });
    followSettings(next, changes, {
      queue: this.#queue,
      store: this.#store,
      restartHeartbeat: () => this.#startHeartbeat(),
      ...(this.#opts.onLogLevel ? { onLogLevel: this.#opts.onLogLevel } : {}),
      providerChanged: () => this.#probe.providerChanged(),
    });
    void old.retire().then(() => this.#generations.delete(old));
  }

  /** Drain, then move to the connection `gen` asks for; on failure reconnect as before and rethrow. */
  async #reconnect(gen: LiveGeneration): Promise<void> {
    const old = this.#gen!;
    this.#state = 'reconnecting';
    const { conn, error } = await reconnectWith({
      log: this.#log,
      queue: this.#queue,
      graceMs: old.config.lifecycle.shutdown_grace_seconds * 1000,
      abortRunning: (reason) => old.abort(reason),
      publishUnavailable: () => this.#publishStatus('unavailable'),
      oldConn: this.#link.conn!,
      connectNew: (signal) =>
        this.#connect(gen.config, gen, AbortSignal.any([signal, this.#shutdown.signal]), true),
      reconnectOld: () => this.#connect(old.config, old, this.#shutdown.signal, true),
      subscribe: (c, g) => c.transport.subscribe(g.intake.inputTopic),
      next: gen,
      previous: old,
      onSwitched: () => this.#adopt(gen),
    }).finally(() => {
      if (this.#state === 'reconnecting') this.#state = 'running';
    });
    this.#link.use(conn);
    await this.#publishStatus('available').catch((err: unknown) =>
      this.#log.warn({ err }, 'cannot publish available after reconnecting'),
    );
    this.#intake.flushPending();
    if (error) throw error;
  }

  /** Publish a progress event (§7) about the agent itself, e.g. config_reloaded. Never throws. */
  publishProgress(event: ProgressEventName, data: Record<string, unknown>): void {
    emitProgress(this.#sink, event, data);
  }

  /** The shutdown sequence of §5.2: stop intake, drain, retained `unavailable`, tools down, clean disconnect. */
  async stop(): Promise<void> {
    if (this.#state === 'stopping' || this.#state === 'stopped') return;
    if (this.#state !== 'running' && this.#state !== 'reconnecting') {
      // Not started, or still starting (e.g. waiting for the broker): cancel and clean up.
      this.#shutdown.abort(new ERR_CLOSED({}));
      await this.#starting?.catch(() => {});
      this.#state = 'stopped';
      return;
    }
    this.#probe.available = false; // not ready from the first moment of the shutdown
    // A reload in progress finishes first; one stuck connecting to a broker is cancelled.
    if (this.#state === 'reconnecting') this.#shutdown.abort(new ERR_CLOSED({}));
    await this.#applying.catch(() => {});
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
      for (const g of this.#generations) g.abort(new ERR_CLOSED({}));
      await this.#queue.drain(5000);
    }
    await this.#publishStatus('unavailable').catch((err: unknown) =>
      this.#log.warn({ err }, 'cannot publish unavailable'),
    );
    await this.#closeGenerations();
    await this.#link.close();
    this.#state = 'stopped';
    this.#log.info('agent stopped');
    this.emit('stopped');
  }

  async #closeGenerations(): Promise<void> {
    await Promise.all([...this.#generations].map((g) => g.retire()));
    this.#generations.clear();
  }

  async #publishStatus(status: AvailabilityStatus): Promise<void> {
    if (status === 'unavailable') this.#probe.available = false;
    await this.#link.publishStatus(this.statusInfo, status, this.load);
    if (status === 'available') this.#probe.available = this.#state === 'running';
  }

  async #abortStartup(): Promise<void> {
    this.#state = 'stopped';
    if (this.#link.connected) await this.#publishStatus('unavailable').catch(() => {});
    await this.#closeGenerations();
    await this.#link.close().catch(() => {});
  }

  #onReconnect(): void {
    this.metrics.mqttReconnects.inc();
    if (this.#state !== 'running') return;
    void (async () => {
      await this.#link.conn!.transport.subscribe(this.#gen!.intake.inputTopic);
      await this.#publishStatus('available');
      this.#log.info('reconnected: subscription and availability restored');
      this.emit('reconnected');
    })().catch((err: unknown) => this.#log.warn({ err }, 'cannot restore state after reconnect'));
  }

  /** Progress events go out on the current connection, under the current agent id, if enabled. */
  readonly #sink: ProgressSink;
  /** How tasks report: log, events, metrics, progress. */
  readonly #reporting: TaskReporting;
  /** Messages to tasks on the current generation. */
  readonly #intake: MessageIntake;
}

/** Create an agent from a validated config; `start()` runs the startup sequence. */
export function createAgent(config: AgentConfig, options: CreateAgentOptions = {}): Agent {
  return new Agent(config, options);
}
