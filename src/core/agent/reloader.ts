// Hot reload: on a change of the watched files (or SIGHUP), read and validate the config file again
// and hand it to Agent.applyConfig. One reload runs at a time; requests during a reload coalesce into
// one follow-up. A rejected reload leaves the last good generation serving, logged with file, line,
// key and reason and published as a `config_rejected` progress event.
import type { LoggerV1 } from '@agent2389/tool-sdk';
import { summarizeChanges } from '../config/diff.js';
import { loadConfigFile, type LoadOptions } from '../config/load.js';
import { ConfigWatcher } from '../config/watch.js';
import { fingerprintPath } from '../host/fingerprint.js';
import { wholeMsSince } from '../observability/duration-ms.js';
import { AgentError, type ConfigProblem, ERR_INTERNAL, reasonOf } from '../errors.js';
import type { Agent } from './agent.js';
import type { ReloadOutcome } from './events.js';

export type ReloadTrigger = 'watch' | 'signal' | 'api';

export interface ReloaderOptions {
  /** The config file the agent was started from. */
  readonly file: string;
  readonly log: LoggerV1;
  readonly load?: LoadOptions;
}

/** What one reload attempt came to. */
export type ReloadResult =
  | { readonly status: 'applied'; readonly outcome: ReloadOutcome }
  | { readonly status: 'unchanged' }
  | { readonly status: 'rejected'; readonly error: unknown };

/** The fields of a rejection that say where and why: file, line, key, code, problems. */
function rejection(file: string, err: unknown): Record<string, unknown> {
  // Every failure of loading or applying is coded; one that is not is a bug.
  if (!AgentError.is(err)) return { file, code: ERR_INTERNAL.code, reason: reasonOf(err) };
  const data = (err.data ?? {}) as {
    line?: number;
    column?: number;
    problems?: ConfigProblem[];
    key?: string;
  };
  return {
    file,
    code: err.code,
    reason: err.message,
    ...(data.line !== undefined ? { line: data.line, column: data.column } : {}),
    ...(data.key !== undefined ? { key: data.key } : {}),
    ...(data.problems ? { problems: data.problems } : {}),
  };
}

export class Reloader {
  readonly #agent: Agent;
  readonly #opts: ReloaderOptions;
  #watcher?: ConfigWatcher;
  #running?: Promise<void>;
  /** A request arrived during a reload: run once more afterwards (forced if any request was). */
  #again?: { force: boolean };
  #closed = false;
  /** Reload attempts so far (applied, unchanged or rejected). */
  attempts = 0;

  /** The config file as it was loaded (create the Reloader right after loading it). */
  readonly #loaded: Promise<string>;

  constructor(agent: Agent, opts: ReloaderOptions) {
    this.#agent = agent;
    this.#opts = opts;
    this.#loaded = fingerprintPath(opts.file);
  }

  /**
   * Start watching if `[reload] enabled`. A save made while the agent was starting (before the
   * watches were in place) is caught up with at once.
   */
  async start(): Promise<void> {
    await this.#syncWatching();
    if (!this.#agent.config.reload.enabled)
      this.#opts.log.info(
        { file: this.#opts.file },
        'not watching the config file ([reload] enabled = false)',
      );
    else if (this.#watcher && (await fingerprintPath(this.#opts.file)) !== (await this.#loaded))
      void this.request('watch');
  }

  /** Ask for a reload; `force` rebuilds plugins and tools even if they look unchanged (SIGHUP). */
  request(trigger: ReloadTrigger, force = trigger === 'signal'): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#running) {
      this.#again = { force: force || (this.#again?.force ?? false) };
      return this.#running;
    }
    this.#running = this.#loop(trigger, force).finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #loop(trigger: ReloadTrigger, force: boolean): Promise<void> {
    let next: { trigger: ReloadTrigger; force: boolean } | undefined = { trigger, force };
    while (next && !this.#closed) {
      await this.reloadOnce(next.trigger, next.force);
      next = this.#again ? { trigger: 'watch', force: this.#again.force } : undefined;
      this.#again = undefined;
    }
  }

  /** One reload attempt, logged and published; never throws. */
  async reloadOnce(trigger: ReloadTrigger, force = false): Promise<ReloadResult> {
    this.attempts++;
    const { file, log } = this.#opts;
    const started = performance.now();
    let result: ReloadResult;
    try {
      const loaded = await loadConfigFile(file, this.#opts.load);
      for (const w of loaded.warnings) log.warn({ file, key: w.path }, `config: ${w.path} ${w.message}`);
      const outcome = await this.#agent.applyConfig(loaded.config, { force });
      const nothing = outcome.changes.length === 0 && !outcome.pluginsRebuilt;
      result = nothing ? { status: 'unchanged' } : { status: 'applied', outcome };
    } catch (err) {
      result = { status: 'rejected', error: err };
    }
    const ms = wholeMsSince(started);
    this.#report(result, trigger, ms);
    await this.#syncWatching();
    return result;
  }

  #report(result: ReloadResult, trigger: ReloadTrigger, durationMs: number): void {
    const { file, log } = this.#opts;
    this.#agent.metrics.reloads.inc({ outcome: result.status });
    if (result.status === 'unchanged') {
      log.info({ file, trigger, duration_ms: durationMs }, 'config unchanged');
      return;
    }
    if (result.status === 'rejected') {
      const fields = rejection(file, result.error);
      log.error(
        { ...fields, trigger, duration_ms: durationMs },
        'config rejected; the last good configuration keeps serving',
      );
      this.#agent.publishProgress('config_rejected', fields);
      return;
    }
    const { outcome } = result;
    const summary =
      outcome.changes.length > 0 || !outcome.pluginsRebuilt
        ? summarizeChanges(outcome.changes)
        : 'plugins and tools loaded again (their files changed, or SIGHUP)';
    const keys = outcome.changes.map((c) => c.key);
    log.info(
      {
        file,
        trigger,
        generation: outcome.generation,
        changed: keys,
        reconnected: outcome.reconnected,
        duration_ms: durationMs,
      },
      `config reloaded: ${summary}`,
    );
    if (outcome.restartNeeded.length > 0)
      log.warn({ file, keys: outcome.restartNeeded }, 'these settings apply at the next start only');
    this.#agent.publishProgress('config_reloaded', {
      file,
      generation: outcome.generation,
      changed: keys,
      summary,
      reconnected: outcome.reconnected,
      plugins_rebuilt: outcome.pluginsRebuilt,
      restart_needed: outcome.restartNeeded,
    });
  }

  /** Watch what the current generation uses, or nothing when `[reload] enabled = false`. */
  async #syncWatching(): Promise<void> {
    if (this.#closed) return;
    const { reload } = this.#agent.config;
    if (!reload.enabled) {
      await this.#watcher?.close();
      this.#watcher = undefined;
      return;
    }
    this.#watcher ??= new ConfigWatcher({
      debounceMs: reload.debounce_ms,
      onChange: () => void this.request('watch'),
      log: this.#opts.log,
    });
    this.#watcher.debounceMs = reload.debounce_ms;
    const paths = this.#agent.watchPaths;
    const targets = { dirs: paths.dirs, files: [this.#opts.file, ...paths.files] };
    try {
      if (await this.#watcher.watch(targets))
        this.#opts.log.info(targets, 'watching the config file and plugin folders for changes');
    } catch (err) {
      this.#opts.log.warn({ err }, 'cannot watch the config and plugin folders; SIGHUP still reloads');
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#watcher?.close();
    // reloadOnce() reports its own failures and never throws; this only waits for the last one to end.
    await this.#running?.catch((err: unknown) => this.#opts.log.error({ err }, 'reload loop failed'));
  }
}
