// Memory attacks through a running agent (real CLI process, embedded broker): WebAssembly without the
// opt-in, wasm growth past the tool's limit with it, and ICU memory no isolate counts. Each fails with
// its code, the script host stays within its cap (or restarts at it), and the agent keeps serving.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { beforeAll, describe, expect, it } from 'vitest';

import { injectTool, startAgentProcess, type AgentProcess } from '../../helpers/agent-process.js';
import { freePort } from '../../helpers/free-port.js';

const script = (name: string): string =>
  fileURLToPath(new URL(`../../fixtures/scripts/${name}`, import.meta.url));
const inlineScript = (name: string, fixture: string, extra = ''): string =>
  `[tools.${name}]\nimpl = "script"\nsource = "${script(fixture)}"\ndescription = "${fixture}"\n` +
  `timeout_ms = 20000\nmemory_limit_mb = 32\n${extra}`;

const HOST_MB = 384;
let url: string;
let agent: AgentProcess;

beforeAll(async () => {
  const port = await freePort();
  url = `mqtt://127.0.0.1:${port}`;
  agent = await startAgentProcess(
    `[agent]\nid = "memory"\n[mqtt]\nbroker_url = "embedded"\n[mqtt.embedded]\nport = ${port}\n` +
      `[llm]\nprovider = "scripted"\n[sandbox]\nscript_timeout_ms = 20000\n` +
      `script_host_memory_mb = ${HOST_MB}\n[tools]\necho = "builtin"\n` +
      inlineScript('hoard', 'intl-hoard.js') +
      inlineScript('nowasm', 'wasm-memory-grow.js') +
      inlineScript('wasm', 'wasm-memory-grow.js', 'wasm = true\n'),
  );
});

const call = (tool: string, params: unknown = {}) => injectTool(url, 'memory', tool, params, 40);

/** The code the agent logged for the last failed call of `tool`. */
function lastCode(tool: string): unknown {
  const failed = agent.logs().filter((l) => l.msg === 'sandboxed tool call failed' && l.tool === tool);
  return failed.at(-1)?.code;
}

/** The script hosts the agent started so far, by pid, with their RLIMIT_DATA in MiB. */
function hosts(): { pid: number; dataLimitMb: number }[] {
  return agent
    .logs()
    .filter((l) => l.msg === 'script host started')
    .map((l) => ({ pid: l.pid as number, dataLimitMb: l.data_limit_mb as number }));
}

/** Peak resident memory of a live process, in MiB. */
function peakMb(pid: number): number {
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(kb?.[1]) / 1024;
}

async function expectHealthy(): Promise<void> {
  const r = await call('echo', { message: 'still here' });
  expect(r).toMatchObject({ code: 0, stdout: '{"message":"still here"}\n' });
  expect(agent.child.exitCode).toBeNull();
}

describe('script memory attacks through the agent', () => {
  it('WebAssembly is absent without the opt-in; with it, growth stops at the memory limit', async () => {
    expect((await call('nowasm', { mb: 1536 })).code).toBe(1);
    expect(lastCode('nowasm')).toBe('AGENT_ERR_SCRIPT_WASM_DISABLED');
    expect((await call('wasm', { mb: 1536 })).code).toBe(1);
    expect(lastCode('wasm')).toBe('AGENT_ERR_SCRIPT_MEMORY_LIMIT');
    const ok = await call('wasm', { mb: 8 });
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as { mb: number }).mb).toBeCloseTo(8, 0);
    // Every host the agent started is capped (the shared one and the wasm tool's own); the live ones
    // never held more than their cap.
    expect(hosts().length).toBeGreaterThanOrEqual(2);
    for (const host of hosts()) {
      expect(host.dataLimitMb).toBeLessThanOrEqual(HOST_MB);
      let peak: number;
      try {
        peak = peakMb(host.pid);
      } catch {
        continue; // gone
      }
      expect(peak).toBeLessThan(host.dataLimitMb);
    }
    await expectHealthy();
  });

  it('ICU memory no isolate counts takes the script host to its cap, never the agent', async () => {
    expect((await call('hoard', { count: 60_000 })).code).toBe(1);
    expect(lastCode('hoard')).toBe('AGENT_ERR_SCRIPT_HOST_CRASHED');
    await expectHealthy();
    const next = await call('hoard', { count: 10 });
    expect(next.code).toBe(0);
    expect(JSON.parse(next.stdout)).toEqual({ kept: 10 });
  });
});
