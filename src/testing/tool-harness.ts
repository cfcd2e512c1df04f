// agent2389/testing: load one plugin folder through the real host and call its tools (for plugin tests).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type {
  ToolHarness,
  ToolHarnessOptions,
  ToolHarnessResult,
} from '../../tool-sdk/src/testing/harness-types.js';
import { initializeTools, shutdownTools } from '../core/agent/tool-lifecycle.js';
import { ToolRegistry } from '../core/agent/tool-registry.js';
import { runToolCall } from '../core/agent/tool-runner.js';
import { ERR_CONFIG_UNSUPPORTED } from '../core/errors.js';
import { loadGeneration, moduleToolKey, type Generation } from '../core/host/generation.js';
import type { PluginManifest, ToolManifest } from '../core/host/manifest.js';
import { readManifest } from '../core/host/manifest.js';
import { validateToolConfig } from '../core/host/options.js';
import { checkRuntimeRanges } from '../core/host/order.js';
import { silentLogger } from '../core/observability/silent-logger.js';
import { VERSION } from '../core/version.js';

const MAX_OUTPUT_BYTES = 2 * 1024 * 1024;

function moduleRegistry(
  manifest: PluginManifest,
  generation: Generation,
  opts: ToolHarnessOptions,
): ToolRegistry {
  const configFor = (t: ToolManifest): Record<string, unknown> =>
    validateToolConfig(
      { tool: t.name, plugin: manifest.name },
      t.configSchema ?? manifest.optionsSchema,
      opts.config?.[t.name] ?? opts.options ?? {},
    );
  return ToolRegistry.fromEntries(
    (manifest.tools ?? [])
      .filter((t) => t.executor.type === 'module')
      .map((t) => ({
        name: t.name,
        tool: generation.tools.get(moduleToolKey(manifest.name, t.name))!.tool,
        description: { name: t.name, description: t.description, parameters: t.parameters },
        config: configFor(t),
      })),
  );
}

export async function createToolHarness(
  pluginDir: string,
  opts: ToolHarnessOptions = {},
): Promise<ToolHarness> {
  const { manifest, dir } = await readManifest(pluginDir);
  checkRuntimeRanges([{ manifest }], VERSION);
  const log = opts.log ?? silentLogger;
  const generation = await loadGeneration([{ manifest, dir }], {
    id: 0,
    log,
    optionsFor: () => ({ options: opts.options ?? {}, key: 'createToolHarness options' }),
    ...(opts.setupTimeoutMs !== undefined ? { setupTimeoutMs: opts.setupTimeoutMs } : {}),
  });
  const declared = manifest.tools ?? [];
  let registry: ToolRegistry | undefined;
  try {
    registry = moduleRegistry(manifest, generation, opts);
    await initializeTools({ tools: registry }, log, generation.signal, {
      agentId: opts.agentId ?? 'harness',
      dataDir: opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'agent2389-harness-'))),
    });
  } catch (err) {
    await shutdownTools(registry && { tools: registry }, log);
    await generation.close();
    throw err;
  }
  const tools = registry;
  let calls = 0;
  return {
    tools: declared.map((t) => t.name),
    async call(tool, parameters): Promise<ToolHarnessResult> {
      const executor = declared.find((t) => t.name === tool)?.executor.type;
      if (executor !== undefined && executor !== 'module') {
        const err = new ERR_CONFIG_UNSUPPORTED({
          key: `tools.${tool}`,
          reason: `the ${executor} executor is not in this version of agent2389 yet`,
        });
        return { ok: false, code: err.code, message: err.message, durationMs: 0 };
      }
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
      await generation.close();
    },
  };
}
