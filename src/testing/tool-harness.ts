// agent2389/testing: load one plugin folder through the real host and call its tools (for plugin tests).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { LoggerV1 } from '@agent2389/tool-sdk';
import type { ToolHarness, ToolHarnessOptions, ToolHarnessResult } from '@agent2389/tool-sdk/testing';
import { buildPlannedTool } from '../core/agent/resolve.js';
import { initializeTools, shutdownTools } from '../core/agent/tool-lifecycle.js';
import { ToolRegistry } from '../core/agent/tool-registry.js';
import { runToolCall } from '../core/agent/tool-runner.js';
import { fetchPolicySchema } from '../core/config/fetch-policy.js';
import { sandboxSection } from '../core/config/schema.js';
import { loadGeneration, type Generation } from '../core/host/generation.js';
import { readManifest, type ReadManifest } from '../core/host/manifest.js';
import { planPluginTool } from '../core/host/plan-tools.js';
import { SandboxRuntime } from '../core/sandbox/sandboxed-tools.js';
import { validateToolConfig } from '../core/host/options.js';
import { checkRuntimeRanges } from '../core/host/order.js';
import { silentLogger } from '../core/observability/silent-logger.js';
import { VERSION } from '../core/version.js';

const MAX_OUTPUT_BYTES = 2 * 1024 * 1024;

type RegistryEntry = Parameters<typeof ToolRegistry.fromEntries>[0][number];

/** Every declared tool, through the executor its manifest names (module, subprocess or script). */
async function buildRegistry(
  read: ReadManifest,
  generation: Generation,
  runtime: SandboxRuntime,
  opts: ToolHarnessOptions,
  log: LoggerV1,
): Promise<ToolRegistry> {
  const { manifest, dir, file } = read;
  const plugin = { manifest, dir, file, source: 'dir' as const };
  const sandbox = { ceilings: sandboxSection.parse({}), env: process.env, log };
  const entries: RegistryEntry[] = [];
  for (const t of manifest.tools ?? []) {
    const config = validateToolConfig(
      { tool: t.name, plugin: manifest.name },
      t.configSchema ?? manifest.optionsSchema,
      opts.config?.[t.name] ?? opts.options ?? {},
    );
    const table = opts.fetch?.[t.name];
    const fetch = table === undefined ? undefined : fetchPolicySchema.parse(table);
    const entry = { impl: `plugin:${manifest.name}`, config, ...(fetch ? { fetch } : {}) };
    const planned = planPluginTool(plugin, t, entry, config);
    entries.push(await buildPlannedTool(planned, { generation, sandbox, runtime }));
  }
  return ToolRegistry.fromEntries(entries);
}

export async function createToolHarness(
  pluginDir: string,
  opts: ToolHarnessOptions = {},
): Promise<ToolHarness> {
  const read = await readManifest(pluginDir);
  const { manifest, dir } = read;
  checkRuntimeRanges([{ manifest }], VERSION);
  const log = opts.log ?? silentLogger;
  const generation = await loadGeneration([{ manifest, dir }], {
    id: 0,
    log,
    optionsFor: () => ({ options: opts.options ?? {}, key: 'createToolHarness options' }),
    ...(opts.setupTimeoutMs !== undefined ? { setupTimeoutMs: opts.setupTimeoutMs } : {}),
  });
  const runtime = new SandboxRuntime(log);
  let registry: ToolRegistry | undefined;
  try {
    registry = await buildRegistry(read, generation, runtime, opts, log);
    await initializeTools({ tools: registry }, log, generation.signal, {
      agentId: opts.agentId ?? 'harness',
      dataDir: opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'agent2389-harness-'))),
    });
  } catch (err) {
    await shutdownTools(registry && { tools: registry }, log);
    await runtime.close();
    await generation.close();
    throw err;
  }
  const tools = registry;
  let calls = 0;
  return {
    tools: (manifest.tools ?? []).map((t) => t.name),
    async call(tool, parameters): Promise<ToolHarnessResult> {
      const outcome = await runToolCall({ id: `harness-${++calls}`, name: tool, input: parameters }, tools, {
        signal: generation.signal,
        log,
        maxOutputBytes: MAX_OUTPUT_BYTES,
      });
      if (outcome.ok)
        return { ok: true, value: JSON.parse(outcome.content) as unknown, durationMs: outcome.durationMs };
      const toolCode = (outcome.error?.data as { toolCode?: unknown } | undefined)?.toolCode;
      return {
        ok: false,
        code: outcome.error?.code ?? 'AGENT_ERR_TOOL_FAILED',
        message: outcome.error?.message ?? outcome.content,
        ...(typeof toolCode === 'string' ? { toolCode } : {}),
        durationMs: outcome.durationMs,
      };
    },
    async close() {
      await shutdownTools({ tools }, log);
      await runtime.close();
      await generation.close();
    },
  };
}
