// Load one plugin: validate options, import its entry, check the export, run setup() under a timeout.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import type { LoggerV1, PluginV1, ProviderFactoryV1, ToolV1 } from '@agent2389/tool-sdk';
import {
  AgentError,
  ERR_PLUGIN_CLOSED,
  ERR_PLUGIN_IMPORT_FAILED,
  ERR_PLUGIN_INVALID_EXPORT,
  ERR_PLUGIN_SETUP_FAILED,
  ERR_PLUGIN_TIMEOUT,
  reasonOf,
} from '../errors.js';
import { importModule } from './fresh-import.js';
import { createPluginContext, type Registrations } from './context.js';
import { validatePluginOptions } from './options.js';

export const DEFAULT_SETUP_TIMEOUT_MS = 10_000;

/** The parts of a validated plugin.json the loader needs. */
export interface LoadableManifest {
  readonly name: string;
  readonly entry?: string | undefined;
  readonly optionsSchema?: Record<string, unknown> | undefined;
  readonly tools?:
    ReadonlyArray<{ readonly name: string; readonly executor: { readonly type: string } }> | undefined;
  readonly providers?: ReadonlyArray<{ readonly id: string }> | undefined;
}

export interface LoadablePlugin {
  readonly manifest: LoadableManifest;
  readonly dir: string;
  /** Import the entry (and its relative imports) under this version: its files changed (fresh-import.ts). */
  readonly version?: string;
}

export interface PluginLoadOptions {
  options: Record<string, unknown>;
  /** Where the options came from in agent.toml, for messages. */
  optionsKey: string;
  log: LoggerV1;
  /** The generation's signal; the plugin's own signal also aborts when it fails or closes. */
  signal: AbortSignal;
  timeoutMs?: number;
}

export interface LoadedPlugin {
  readonly name: string;
  readonly tools: ReadonlyMap<string, ToolV1>;
  readonly providers: ReadonlyMap<string, ProviderFactoryV1>;
  /** Abort the plugin's signal and run its onClose handlers in reverse order (errors are logged). */
  close(): Promise<void>;
}

async function importPlugin(
  manifest: LoadableManifest,
  dir: string,
  entry: string,
  version: string | undefined,
): Promise<PluginV1> {
  let mod: { default?: unknown };
  try {
    mod = (await importModule(pathToFileURL(join(dir, entry)).href, version)) as { default?: unknown };
  } catch (err) {
    throw new ERR_PLUGIN_IMPORT_FAILED(
      { plugin: manifest.name, entry, reason: reasonOf(err) },
      { cause: err },
    );
  }
  const plugin = mod.default as Partial<PluginV1> | undefined;
  if (typeof plugin !== 'object' || plugin === null) {
    throw new ERR_PLUGIN_INVALID_EXPORT({
      plugin: manifest.name,
      reason: `${entry} has no default export object (use definePlugin)`,
    });
  }
  if (plugin.specificationVersion !== 'v1') {
    const found = JSON.stringify(plugin.specificationVersion) ?? 'undefined';
    throw new ERR_PLUGIN_INVALID_EXPORT({
      plugin: manifest.name,
      reason: `specificationVersion must be "v1", found ${found}`,
    });
  }
  if (typeof plugin.setup !== 'function') {
    throw new ERR_PLUGIN_INVALID_EXPORT({
      plugin: manifest.name,
      reason: 'the default export has no setup(ctx) function',
    });
  }
  return plugin as PluginV1;
}

async function runClosers(name: string, closers: Registrations['closers'], log: LoggerV1): Promise<void> {
  for (const fn of [...closers].reverse()) {
    try {
      await fn();
    } catch (err) {
      log.warn({ err, plugin: name }, 'plugin onClose handler failed');
    }
  }
}

/** Run setup(ctx) under `timeoutMs`; on timeout the plugin's signal aborts so its work can stop. */
async function runSetup(
  plugin: PluginV1,
  ctx: Parameters<PluginV1['setup']>[0],
  name: string,
  timeoutMs: number,
  abort: AbortController,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new ERR_PLUGIN_TIMEOUT({ plugin: name, timeoutMs });
      abort.abort(err);
      reject(err);
    }, timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(() => plugin.setup(ctx)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Load a plugin whose manifest is already validated. Failures are coded; partial work is cleaned up. */
export async function loadPlugin(plugin: LoadablePlugin, opts: PluginLoadOptions): Promise<LoadedPlugin> {
  const { manifest } = plugin;
  const name = manifest.name;
  const options = validatePluginOptions(name, manifest.optionsSchema, opts.options, opts.optionsKey);
  const abort = new AbortController();
  const onParentAbort = (): void => abort.abort(opts.signal.reason);
  opts.signal.addEventListener('abort', onParentAbort, { once: true });
  const log = opts.log.child({ plugin: name });
  const { ctx, registrations } = createPluginContext({
    name,
    options,
    log,
    signal: abort.signal,
    moduleTools: (manifest.tools ?? []).filter((t) => t.executor.type === 'module').map((t) => t.name),
    providers: (manifest.providers ?? []).map((p) => p.id),
  });
  const close = async (): Promise<void> => {
    opts.signal.removeEventListener('abort', onParentAbort);
    if (!abort.signal.aborted) abort.abort(new ERR_PLUGIN_CLOSED({ plugin: name }));
    await runClosers(name, registrations.closers, log);
  };
  try {
    if (manifest.entry !== undefined) {
      const code = await importPlugin(manifest, plugin.dir, manifest.entry, plugin.version);
      await runSetup(code, ctx, name, opts.timeoutMs ?? DEFAULT_SETUP_TIMEOUT_MS, abort);
    }
    if (registrations.violation) throw registrations.violation;
    const missing = [
      ...(manifest.tools ?? [])
        .filter((t) => t.executor.type === 'module' && !registrations.tools.has(t.name))
        .map((t) => `tool "${t.name}"`),
      ...(manifest.providers ?? [])
        .filter((p) => !registrations.providers.has(p.id))
        .map((p) => `provider "${p.id}"`),
    ];
    if (missing.length > 0)
      throw new ERR_PLUGIN_SETUP_FAILED({
        plugin: name,
        reason: `declared but not registered: ${missing.join(', ')}`,
      });
  } catch (err) {
    await close();
    if (AgentError.is(err)) throw err;
    throw new ERR_PLUGIN_SETUP_FAILED({ plugin: name, reason: reasonOf(err) }, { cause: err });
  }
  registrations.sealed = true;
  return { name, tools: registrations.tools, providers: registrations.providers, close };
}
