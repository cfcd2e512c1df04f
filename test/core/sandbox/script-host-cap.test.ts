// The script host's own memory cap (RLIMIT_DATA through prlimit): memory no isolate counts takes the
// host to its cap, not the machine; the host restarts and the agent (this process) is untouched.
import { describe, expect, it, vi } from 'vitest';

import { rejected } from '../../helpers/thrown.js';
import { callOpts, dataLimitMb, isRunning, scriptSpec, testExecutor } from './script-helpers.js';

describe('the script host memory cap', () => {
  it('the script host runs under RLIMIT_DATA = script_host_memory_mb', async () => {
    const exec = testExecutor({ hostMemoryMb: 512 });
    await exec.load(scriptSpec('add'));
    expect(dataLimitMb(exec.pid!)).toBe(512);
  });

  it('ICU memory behind Intl objects (outside every isolate limit) stops at the cap: the host restarts', async () => {
    const exec = testExecutor({ hostMemoryMb: 384 });
    // The host's cap, never the call's limit, must end it: 20 s of CPU (under the test's 30 s) to spare.
    const spec = scriptSpec('intl-hoard', { timeoutMs: 20_000, memoryLimitMb: 32 });
    await exec.load(spec);
    const pid = exec.pid!;
    // ~1.5 GiB of ICU objects for a few MiB of V8 heap: without the cap the call succeeds.
    const r = await exec.run(spec, { count: 60_000 }, callOpts());
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe('AGENT_ERR_SCRIPT_HOST_CRASHED');
    expect(r.error?.data).toMatchObject({ tool: 'intl-hoard' });
    await vi.waitFor(() => expect(isRunning(pid)).toBe(false));
    const next = await exec.run(spec, { count: 10 }, callOpts());
    expect(next).toMatchObject({ ok: true, value: { kept: 10 } });
    expect(exec.pid).not.toBe(pid);
    expect(dataLimitMb(exec.pid!)).toBe(384);
  });

  it('without prlimit script tools fail closed: AGENT_ERR_SANDBOX_UNAVAILABLE, no host started', async () => {
    const exec = testExecutor({ path: '/nonexistent' });
    const err = await rejected(exec.load(scriptSpec('add')));
    expect(err).toMatchObject({
      code: 'AGENT_ERR_SANDBOX_UNAVAILABLE',
      data: { tool: 'add', mechanism: 'rlimit' },
    });
    const r = await exec.run(scriptSpec('add'), { a: 1, b: 2 }, callOpts());
    expect(r.error?.code).toBe('AGENT_ERR_SANDBOX_UNAVAILABLE');
    expect(exec.pid).toBeUndefined();
  });
});
