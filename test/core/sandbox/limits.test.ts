import { describe, expect, it } from 'vitest';

import { parseConfigText } from '../../../src/core/config/load.js';
import { DEFAULT_SCRIPT_LIMITS, DEFAULT_SUBPROCESS_LIMITS } from '../../../src/core/sandbox/execution.js';
import { scriptLimits, subprocessLimits } from '../../../src/core/sandbox/limits.js';

const ceilings = (sandbox = '') =>
  parseConfigText(`[agent]\nid = "l"\n[mqtt]\nbroker_url = "embedded"\n[sandbox]\n${sandbox}\n`, 'a.toml', {
    env: {},
  }).config.sandbox;

describe('sandbox limits', () => {
  it('default to the host defaults under the default ceilings', () => {
    expect(subprocessLimits(ceilings(), {})).toEqual({ limits: DEFAULT_SUBPROCESS_LIMITS, capped: [] });
    expect(scriptLimits(ceilings(), {})).toEqual({ limits: DEFAULT_SCRIPT_LIMITS, capped: [] });
  });

  it('a manifest or tool table may lower a limit', () => {
    const { limits, capped } = subprocessLimits(ceilings(), { timeoutMs: 500, maxOutputBytes: 1024 });
    expect(limits).toMatchObject({ timeoutMs: 500, maxOutputBytes: 1024, cpuSeconds: 30 });
    expect(capped).toEqual([]);
  });

  it('never raises one above the operator ceiling, and says which were capped', () => {
    const { limits, capped } = subprocessLimits(ceilings('timeout_seconds = 10'), {
      timeoutMs: 60_000,
      memoryMb: 99_999,
    });
    expect(limits.timeoutMs).toBe(10_000);
    expect(limits.memoryMb).toBe(1024);
    expect(capped).toEqual(['timeoutMs', 'memoryMb']);
  });

  it('a ceiling below the host default lowers the default too', () => {
    const { limits } = scriptLimits(ceilings('script_timeout_ms = 200\nscript_memory_limit_mb = 16'), {});
    expect(limits).toEqual({ timeoutMs: 200, memoryLimitMb: 16, maxOutputBytes: 1024 * 1024 });
  });

  it('an operator can raise a ceiling so a manifest may ask for more', () => {
    const { limits, capped } = scriptLimits(ceilings('script_timeout_ms = 5000'), { timeoutMs: 3000 });
    expect(limits.timeoutMs).toBe(3000);
    expect(capped).toEqual([]);
  });
});
