// One generation of a running agent: a config and everything built from it. Tasks hold the generation
// they started on until they finish; a retired generation closes when its last task is done.
import { setMaxListeners } from 'node:events';

import type { LoggerV1, ProviderV1 } from '@agent2389/tool-sdk';
import type { AgentConfig } from '../config/schema.js';
import type { ResolvedSecrets } from '../config/secrets.js';
import type { IntakeSettings } from '../pipeline/intake.js';
import type { PluginSet } from './resolve.js';
import type { TaskProcessorDeps } from './task-processor.js';
import { shutdownTools } from './tool-lifecycle.js';

/** A plugin set shared by the generations built on it (a reload that changes no plugin or tool reuses it). */
export class SharedPluginSet {
  #users = 1;
  #closed?: Promise<void>;

  constructor(
    readonly set: PluginSet,
    private readonly log: LoggerV1,
  ) {}

  /** One more generation uses the set. */
  share(): this {
    this.#users++;
    return this;
  }

  /** A generation is done with the set: the last one shuts its tools down and closes it. */
  release(): Promise<void> {
    if (--this.#users > 0) return Promise.resolve();
    this.#closed ??= (async () => {
      await shutdownTools(this.set, this.log);
      await this.set.close();
    })();
    return this.#closed;
  }
}

/** What a generation is made of (built by build-generation.ts). */
export type GenerationParts = Pick<
  LiveGeneration,
  'id' | 'config' | 'plugins' | 'provider' | 'secrets' | 'intake' | 'deps'
>;

export class LiveGeneration {
  readonly id: number;
  readonly config: AgentConfig;
  readonly plugins: SharedPluginSet;
  readonly provider: ProviderV1;
  readonly secrets: ResolvedSecrets;
  readonly intake: IntakeSettings;
  readonly deps: TaskProcessorDeps;
  /** Aborted to stop this generation's tasks (agent shutdown, or a reconnect whose drain ran out). */
  readonly #stop = new AbortController();
  #active = 0;
  #retired = false;
  #closed?: Promise<void>;
  #onIdle?: () => void;
  #unlink?: () => void;

  /** `stopWith`: the agent's shutdown signal, which stops this generation's tasks too. */
  constructor(parts: GenerationParts, stopWith?: AbortSignal) {
    // Every running task listens to this signal: as many listeners as max_concurrent_tasks is no leak.
    setMaxListeners(0, this.#stop.signal);
    if (stopWith) {
      const stop = (): void => this.#stop.abort(stopWith.reason);
      if (stopWith.aborted) stop();
      else {
        stopWith.addEventListener('abort', stop, { once: true });
        this.#unlink = () => stopWith.removeEventListener('abort', stop);
      }
    }
    ({
      id: this.id,
      config: this.config,
      plugins: this.plugins,
      provider: this.provider,
      secrets: this.secrets,
      intake: this.intake,
      deps: this.deps,
    } = parts);
  }

  get signal(): AbortSignal {
    return this.#stop.signal;
  }

  /** Tasks running on this generation. */
  get active(): number {
    return this.#active;
  }

  /** A task starts on this generation; call the returned function when it is done. */
  enter(): () => void {
    this.#active++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      if (--this.#active === 0) this.#onIdle?.();
    };
  }

  /** Abort the tasks still running on this generation. */
  abort(reason: unknown): void {
    this.#stop.abort(reason);
  }

  /** No new task starts here; close once the running ones are done. Resolves when closed. */
  retire(): Promise<void> {
    this.#retired = true;
    if (this.#active === 0) return this.#close();
    return new Promise((resolve) => {
      this.#onIdle = () => void this.#close().then(resolve);
    });
  }

  get retired(): boolean {
    return this.#retired;
  }

  #close(): Promise<void> {
    this.#unlink?.();
    this.#closed ??= this.plugins.release();
    return this.#closed;
  }
}
