// agent2389/testing: load one plugin folder through the real host and call its tools (for plugin tests).
import type {
  ToolHarness,
  ToolHarnessOptions,
  ToolHarnessResult,
} from '../../tool-sdk/src/testing/harness-types.js';
import { ToolRegistry } from '../core/agent/tool-registry.js';
import { runToolCall } from '../core/agent/tool-runner.js';
import { ERR_CONFIG_UNSUPPORTED } from '../core/errors.js';
import { loadGeneration, moduleToolKey } from '../core/host/generation.js';
import { readManifest } from '../core/host/manifest.js';
import { checkRuntimeRanges } from '../core/host/order.js';
import { silentLogger } from '../core/observability/silent-logger.js';
import { VERSION } from '../core/version.js';

const MAX_OUTPUT_BYTES = 2 * 1024 * 1024;

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
  const registry = ToolRegistry.fromEntries(
    declared
      .filter((t) => t.executor.type === 'module')
      .map((t) => ({
        name: t.name,
        tool: generation.tools.get(moduleToolKey(manifest.name, t.name))!.tool,
        description: { name: t.name, description: t.description, parameters: t.parameters },
        config: opts.options ?? {},
      })),
  );
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
      const outcome = await runToolCall(
        { id: `harness-${++calls}`, name: tool, input: parameters },
        registry,
        {
          signal: generation.signal,
          log,
          maxOutputBytes: MAX_OUTPUT_BYTES,
        },
      );
      if (outcome.ok)
        return { ok: true, value: JSON.parse(outcome.content) as unknown, durationMs: outcome.durationMs };
      return {
        ok: false,
        code: outcome.error?.code ?? 'AGENT_ERR_TOOL_FAILED',
        message: outcome.error?.message ?? outcome.content,
        durationMs: outcome.durationMs,
      };
    },
    close: () => generation.close(),
  };
}
