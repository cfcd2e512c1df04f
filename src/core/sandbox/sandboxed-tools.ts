// Turn planned subprocess and script tools into ToolV1s backed by the sandboxed executors.
import { stat } from 'node:fs/promises';

import type { LoggerV1, ToolCallContext, ToolDescriptionV1, ToolV1 } from '@agent2389/tool-sdk';
import type { AgentConfig } from '../config/schema.js';
import { ERR_TOOL_FAILED, ERR_TOOL_INIT_FAILED } from '../errors.js';
import type { PlannedScriptTool, PlannedSubprocessTool } from '../host/plan-tools.js';
import { wholeMs } from '../observability/duration-ms.js';
import type { ExecutionResult } from './execution.js';
import { wrapperOf } from './launch-plan.js';
import { scriptLimits, subprocessLimits } from './limits.js';
import { sandboxUser } from './sandbox-user.js';
import { ScriptExecutor, type ScriptSpec } from './script.js';
import { assertToolCommandRunnable } from './tool-access.js';
import {
  assertSandboxAvailable,
  describeCommand,
  killAllSubprocesses,
  runSubprocess,
  type SubprocessSpec,
} from './subprocess.js';

export interface SandboxedTool {
  readonly tool: ToolV1;
  readonly description: ToolDescriptionV1;
}

export interface SandboxContext {
  readonly ceilings: AgentConfig['sandbox'];
  readonly env: NodeJS.ProcessEnv;
  readonly log: LoggerV1;
  /** Whose tool processes these are (the SandboxRuntime): closing it kills them, and only them. */
  readonly owner?: object;
}

/** The host's call context may take the execution facts (tool-runner.ts HostToolCallContext). */
type CallContext = ToolCallContext & {
  reportExecution?(r: Pick<ExecutionResult, 'sandbox' | 'timedOut' | 'outputTruncated'>): void;
};

/** Log one call with the shared result fields, report them, then hand the value back or throw the coded error. */
function settle(result: ExecutionResult, tool: string, call: CallContext): unknown {
  const { log } = call;
  const { ok, timedOut, outputTruncated, durationMs, sandbox } = result;
  call.reportExecution?.({ sandbox, timedOut, outputTruncated });
  const fields = {
    tool,
    ok,
    timed_out: timedOut,
    output_truncated: outputTruncated,
    duration_ms: wholeMs(durationMs),
    sandbox,
  };
  if (ok) {
    log.info(fields, 'sandboxed tool call');
    return result.value;
  }
  log.warn({ ...fields, code: result.error?.code }, 'sandboxed tool call failed');
  throw (
    result.error ?? new ERR_TOOL_FAILED({ tool, reason: 'the executor reported a failure without an error' })
  );
}

function warnCapped(log: LoggerV1, tool: string, capped: readonly string[]): void {
  if (capped.length > 0)
    log.warn({ tool, capped }, 'requested limits above the [sandbox] ceilings were lowered to them');
}

/** A declared read-only path that is missing would fail every call in bwrap: refuse the tool at load instead. */
async function assertReadOnlyPathsExist(p: PlannedSubprocessTool): Promise<void> {
  for (const path of p.readOnlyPaths) {
    const found = await stat(path).catch((err: NodeJS.ErrnoException) => err);
    if (found instanceof Error)
      throw new ERR_TOOL_INIT_FAILED(
        {
          tool: p.name,
          reason: `read_only_paths entry ${path} cannot be used (${found.code ?? found.message})`,
        },
        { cause: found },
      );
  }
}

/** Build a subprocess tool: fail closed if its sandbox is unavailable; ask `--describe` if needed. */
export async function createSubprocessTool(
  p: PlannedSubprocessTool,
  ctx: SandboxContext,
): Promise<SandboxedTool> {
  const { limits, capped } = subprocessLimits(ctx.ceilings, p.requested);
  warnCapped(ctx.log, p.name, capped);
  const workDirBase = p.workDirBase ?? ctx.ceilings.work_dir;
  const spec: SubprocessSpec = {
    tool: p.name,
    command: p.command,
    args: p.args,
    ...(p.toolDir !== undefined ? { toolDir: p.toolDir } : {}),
    ...(workDirBase !== undefined ? { workDirBase } : {}),
    envAllow: p.envAllow,
    sandbox: p.sandbox,
    network: p.network,
    readOnlyPaths: p.readOnlyPaths,
    isolateSameUser: ctx.ceilings.isolate_same_user_tools,
    ...(ctx.ceilings.user ? { runAs: ctx.ceilings.user } : {}),
    limits,
  };
  await assertSandboxAvailable(spec);
  await assertToolCommandRunnable(spec, ctx.env);
  await assertReadOnlyPathsExist(p);
  if (sandboxUser(spec.runAs) === undefined && wrapperOf(spec, undefined) === 'none')
    ctx.log.warn(
      { tool: p.name },
      "the tool runs unconfined as the agent's own user ([sandbox] isolate_same_user_tools = false): it can read the agent's environment and signal it",
    );
  const callOpts = (signal: AbortSignal, log: LoggerV1) => ({
    signal,
    env: ctx.env,
    log,
    ...(ctx.owner ? { owner: ctx.owner } : {}),
  });
  const described =
    p.description !== undefined && p.parameters !== undefined
      ? { description: p.description, parameters: p.parameters }
      : await describeCommand(spec, callOpts(AbortSignal.timeout(limits.timeoutMs), ctx.log));
  const description = {
    name: p.name,
    description: p.description ?? described.description,
    parameters: p.parameters ?? described.parameters,
  };
  const tool: ToolV1 = {
    specificationVersion: 'v1',
    describe: () => description,
    execute: async (input, call) => {
      const payload = { tool: p.name, parameters: input, config: p.config };
      return settle(await runSubprocess(spec, payload, callOpts(call.signal, call.log)), p.name, call);
    },
  };
  return { tool, description };
}

/** Build a script tool on the agent's script executor (compiled in the script host at startup). */
export async function createScriptTool(
  p: PlannedScriptTool,
  ctx: SandboxContext,
  executor: ScriptExecutor,
): Promise<SandboxedTool> {
  const { limits, capped } = scriptLimits(ctx.ceilings, p.requested);
  warnCapped(ctx.log, p.name, capped);
  const spec: ScriptSpec = {
    tool: p.name,
    source: p.source,
    limits,
    hostFunctions: p.hostFunctions,
    ...(p.fetch ? { fetch: p.fetch } : {}),
    ...(p.wasm ? { wasm: true } : {}),
  };
  await executor.load(spec);
  const description = { name: p.name, description: p.description, parameters: p.parameters };
  const tool: ToolV1 = {
    specificationVersion: 'v1',
    describe: () => description,
    execute: async (input, call) =>
      settle(await executor.run(spec, input, { signal: call.signal, log: call.log }), p.name, call),
  };
  return { tool, description };
}

/** The executors an agent's sandboxed tools share; closed on shutdown. */
export class SandboxRuntime {
  #scripts?: ScriptExecutor;
  readonly #log: LoggerV1;
  readonly #scriptHostMemoryMb: number | undefined;

  /** `scriptHostMemoryMb`: [sandbox] script_host_memory_mb (default DEFAULT_SCRIPT_HOST_MEMORY_MB). */
  constructor(log: LoggerV1, opts: { scriptHostMemoryMb?: number } = {}) {
    this.#log = log;
    this.#scriptHostMemoryMb = opts.scriptHostMemoryMb;
  }

  /** The script executor, created (and its child started) on first use. */
  scripts(): ScriptExecutor {
    if (this.#scripts) return this.#scripts;
    const log = this.#log.child({ component: 'script-host' });
    const hostMemoryMb = this.#scriptHostMemoryMb;
    return (this.#scripts = new ScriptExecutor({ log, ...(hostMemoryMb ? { hostMemoryMb } : {}) }));
  }

  /** Kill the live process groups of this runtime's tools (pass it as SandboxContext.owner) and stop its script host. */
  async close(): Promise<void> {
    await killAllSubprocesses(this);
    await this.#scripts?.close();
  }
}
