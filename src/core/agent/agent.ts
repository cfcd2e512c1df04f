// The Agent: startup (docs/protocol.md §5.1), reloads and shutdown (§5.2), each one shared promise, over
// the runtime state in agent-runtime.ts and the lifecycle table in lifecycle.ts.
import { EventEmitter } from 'node:events';

import { resolveDataDir } from '../config/data-dir.js';
import { diffConfigs } from '../config/diff.js';
import type { AgentConfig } from '../config/schema.js';
import { ERR_CLOSED } from '../errors.js';
import type { StatusInfo } from '../protocol/messages.js';
import type { AgentMetrics } from '../observability/agent-metrics.js';
import type { HealthReport } from '../observability/health-report.js';
import type { ProgressEventName } from '../observability/progress.js';
import type { AgentRegistry } from '../routing/agent-registry.js';
import type { ApplyOptions, CreateAgentOptions } from './agent-options.js';
import type { ProbeView } from './agent-probe.js';
import { AgentRuntime } from './agent-runtime.js';
import { applyReload } from './apply-reload.js';
import { buildGeneration } from './build-generation.js';
import { drainThenAbort } from './drain.js';
import type { AgentEvents, AgentState, ReloadOutcome } from './events.js';
import type { WatchPaths } from './resolve.js';
import { initializeTools, verifyProvider } from './tool-lifecycle.js';

/** The reload queued last: a call with an equal config (and the same force) shares its promise. */
interface PendingApply {
  readonly next: AgentConfig;
  readonly force: boolean;
  readonly promise: Promise<ReloadOutcome>;
  settled: boolean;
}

export class Agent extends EventEmitter<AgentEvents> {
  readonly #rt: AgentRuntime;
  #starting?: Promise<void>;
  #stopping?: Promise<void>;
  #lastApply?: PendingApply;

  constructor(config: AgentConfig, options: CreateAgentOptions = {}) {
    super();
    this.#rt = new AgentRuntime(config, options, this);
  }

  /** Discovery: the agents known from their status messages, and which are routable (protocol.md §9). */
  get registry(): AgentRegistry {
    return this.#rt.registry;
  }

  /** Counters, gauges and histograms of this agent (/metrics). */
  get metrics(): AgentMetrics {
    return this.#rt.metrics;
  }

  /** The configuration new tasks run with. */
  get config(): AgentConfig {
    return this.#rt.config;
  }

  get id(): string {
    return this.#rt.id;
  }

  get state(): AgentState {
    return this.#rt.state;
  }

  /** The id of the generation new tasks run on (1 after startup, +1 per applied reload). */
  get generation(): number {
    return this.#rt.current?.id ?? 0;
  }

  /** Readiness (/ready): `available` published, connected, and serving (not draining or reconnecting). */
  get readiness(): { ready: boolean; reason?: string } {
    return this.#rt.probe.readiness(this.#view());
  }

  /** The body of /health: one check per component (mqtt, provider, tools, task processing). */
  healthReport(): HealthReport {
    return this.#rt.probe.report(this.#view());
  }

  #view(): ProbeView {
    const rt = this.#rt;
    return {
      id: rt.id,
      state: rt.state,
      generation: this.generation,
      config: rt.config,
      connected: rt.link.connected,
      brokerUrl: rt.link.brokerUrl,
      providerId: rt.current?.provider.id,
      tools: rt.statusInfo.tools,
      inFlight: rt.queue.active,
      queued: rt.queue.waiting,
      startedAt: rt.metrics.started,
      dedupe: rt.delivery.health,
      registry: rt.registry,
    };
  }

  /** What a reload watcher should watch: the plugin folders and inline tool files in use. */
  get watchPaths(): WatchPaths {
    return this.#rt.current?.plugins.set.watch ?? { dirs: [], files: [] };
  }

  /** Tasks in flight / max_concurrent_tasks. */
  get load(): number {
    return this.#rt.queue.load;
  }

  /** What the status message advertises. */
  get statusInfo(): StatusInfo {
    return this.#rt.statusInfo;
  }

  /**
   * The startup sequence of §5.1. Rejects (after cleaning up) if config, tools or the provider fail.
   * A second call while starting or running shares the first one's promise; after stop(), ERR_CLOSED.
   */
  start(): Promise<void> {
    if (this.#rt.lifecycle.is('idle')) {
      this.#rt.lifecycle.to('starting');
      this.#starting = this.#startup();
    }
    if (this.#starting && !this.#rt.stopRequested) return this.#starting;
    return Promise.reject(new ERR_CLOSED({}));
  }

  async #startup(): Promise<void> {
    const rt = this.#rt;
    const config = rt.config;
    const signal = rt.shutdown.signal;
    try {
      await rt.delivery.open();
      const ctx = rt.buildContext();
      const gen = await buildGeneration(config, ctx, { id: rt.takeGenerationId(), lifecycle: false });
      rt.adopt(gen);
      const conn = await rt.connect(config, gen, signal);
      rt.link.use(conn);
      await rt.subscribe(conn, gen);
      await initializeTools(gen.plugins.set, rt.log, signal, {
        agentId: rt.id,
        dataDir: resolveDataDir(config, ctx.env),
      });
      await verifyProvider(gen, signal);
      rt.probe.providerVerified = true;
      signal.throwIfAborted();
      await rt.publishStatus('available');
      signal.throwIfAborted();
    } catch (err) {
      await this.#abortStartup();
      throw err;
    }
    // From here on synchronous: a stop() that finds the agent starting is always seen above.
    rt.lifecycle.to('running');
    rt.restartHeartbeat();
    rt.log.info(
      { input_topic: rt.generation.intake.inputTopic, broker: rt.link.brokerUrl, tools: rt.statusInfo.tools },
      'agent available',
    );
    rt.intake.flushPending();
    rt.delivery.startFailover();
    this.emit('ready');
  }

  /** A startup that failed (or was cancelled by stop()) leaves nothing open and says `unavailable`. */
  async #abortStartup(): Promise<void> {
    const rt = this.#rt;
    rt.lifecycle.to(rt.stopRequested ? 'stopped' : 'failed');
    // Best effort: the Will says the same if this is lost; the startup error is what gets reported.
    if (rt.link.connected)
      await rt
        .publishStatus('unavailable')
        .catch((err: unknown) => rt.log.debug({ err }, 'startup failed: unavailable not published'));
    await rt.closeGenerations();
    await rt.link
      .close()
      .catch((err: unknown) => rt.log.debug({ err }, 'startup failed: closing the connection failed'));
    await rt.delivery
      .close()
      .catch((err: unknown) => rt.log.debug({ err }, 'startup failed: closing the dedupe store failed'));
    if (rt.stopRequested) this.emit('stopped');
  }

  /**
   * Apply `next` (a reload): build the next generation off to the side and swap it in only if all of
   * it succeeded; tasks running keep the generation they started on. Changes to `[mqtt]` or
   * `agent.id` are applied by a controlled reconnect (drain, reconnect, re-publish status). Rejects
   * with the coded error of the step that failed; then nothing running has changed. Reloads run one
   * at a time, in call order; a call whose config has no change (diffConfigs) from that of the
   * reload queued last, with the same `force`, while that one has not settled, shares its promise
   * instead of queueing another.
   */
  applyConfig(next: AgentConfig, options: ApplyOptions = {}): Promise<ReloadOutcome> {
    const force = options.force === true;
    const last = this.#lastApply;
    if (last && !last.settled && last.force === force && diffConfigs(last.next, next).length === 0)
      return last.promise;
    // The previous reload's failure belongs to its caller; this one runs after it either way.
    const after = last ? last.promise.then(noop, noop) : Promise.resolve();
    const promise = after.then(() => this.#applyNow(next, options));
    const entry: PendingApply = { next, force, promise, settled: false };
    const settle = (): void => void (entry.settled = true);
    promise.then(settle, settle);
    this.#lastApply = entry;
    return promise;
  }

  async #applyNow(next: AgentConfig, options: ApplyOptions): Promise<ReloadOutcome> {
    const outcome = await applyReload(this.#rt, next, options);
    if (outcome.changes.length > 0 || outcome.pluginsRebuilt) this.emit('reloaded', outcome);
    return outcome;
  }

  /** Publish a progress event (§7) about the agent itself, e.g. config_reloaded. Never throws. */
  publishProgress(event: ProgressEventName, data: Record<string, unknown>): void {
    this.#rt.publishProgress(event, data);
  }

  /**
   * The shutdown sequence of §5.2: stop intake, drain, retained `unavailable`, tools down, clean
   * disconnect. Every call shares one promise: `unavailable` and `stopped` happen once.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#shutdown();
    return this.#stopping;
  }

  async #shutdown(): Promise<void> {
    const rt = this.#rt;
    rt.requestStop(); // not ready from the first moment of the shutdown
    if (rt.lifecycle.is('idle')) {
      rt.lifecycle.to('stopped');
      this.emit('stopped');
      return;
    }
    if (rt.lifecycle.is('starting')) {
      // Still starting (e.g. waiting for the broker): cancel; the startup cleans up and ends `stopped`.
      rt.shutdown.abort(new ERR_CLOSED({}));
      // start()'s caller gets the startup's error; here only its end matters.
      await this.#starting?.then(noop, noop);
    }
    if (!rt.lifecycle.is('running', 'reloading', 'reconnecting')) return;
    // A reload in progress finishes first; one stuck connecting to a broker is cancelled.
    if (rt.lifecycle.is('reconnecting')) rt.shutdown.abort(new ERR_CLOSED({}));
    // The reload's failure belongs to applyConfig()'s caller.
    await this.#lastApply?.promise.then(noop, noop);
    rt.lifecycle.to('draining');
    rt.stopHeartbeat();
    await rt.delivery.stopFailover();
    rt.delivery.dropWaiting();
    await drainThenAbort(rt, rt.config.lifecycle.shutdown_grace_seconds * 1000, 'shutdown');
    await rt
      .publishStatus('unavailable')
      .catch((err: unknown) => rt.log.warn({ err }, 'cannot publish unavailable'));
    try {
      await rt.closeGenerations();
      await rt.link.close();
      await rt.delivery.close();
    } catch (err) {
      rt.lifecycle.to('failed');
      throw err;
    }
    rt.lifecycle.to('stopped');
    rt.log.info('agent stopped');
    this.emit('stopped');
  }
}

const noop = (): void => {};

/** Create an agent from a validated config; `start()` runs the startup sequence. */
export function createAgent(config: AgentConfig, options: CreateAgentOptions = {}): Agent {
  return new Agent(config, options);
}
