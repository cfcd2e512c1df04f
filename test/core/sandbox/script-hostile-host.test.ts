// A script host that makes up replies (ids never issued, duplicates, junk) cannot answer a call it was
// not asked, nor crash the agent: the executor drops what matches no request in flight and logs it.
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect } from 'vitest';

import { SCRIPT_HOST_ENTRY_ENV } from '../../../src/core/sandbox/script-host/host-process.js';
import { needs } from '../../helpers/require-tool.js';
import { callOpts, recordingLogger, scriptSpec, testExecutor } from './script-helpers.js';

const HOSTILE = fileURLToPath(new URL('../../fixtures/script-hosts/hostile-host.js', import.meta.url));

describe('ScriptExecutor with a hostile script host', () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env[SCRIPT_HOST_ENTRY_ENV];
    process.env[SCRIPT_HOST_ENTRY_ENV] = HOSTILE;
  });
  afterEach(() => {
    process.env[SCRIPT_HOST_ENTRY_ENV] = saved;
  });

  needs('prlimit').it('made-up replies are dropped and logged; each call gets its own answer', async () => {
    const log = recordingLogger();
    const exec = testExecutor({ log });
    const spec = scriptSpec('add');
    await exec.load(spec);
    const callLog = recordingLogger();
    const r = await exec.run(spec, { a: 1, b: 2 }, callOpts(callLog));
    expect(r).toMatchObject({ ok: true, value: { a: 1, b: 2 } });
    // A log line at a level that does not exist arrives at info.
    expect(callLog.entries.map((e) => e.level)).toEqual(['info']);
    const dropped = log.entries.filter((e) => e.msg?.includes('matches no call'));
    // Unknown so far: load +1000, null, a string, run +1000, a string id = 5; logged at counts 1, 2, 4.
    const seen = dropped.map((e) => e.obj as { kind?: unknown; count?: unknown });
    expect(seen.map((o) => [o.kind, o.count])).toEqual([
      ['unknown', 1],
      ['unknown', 2],
      ['unknown', 4],
    ]);
    expect(dropped.every((e) => e.level === 'warn')).toBe(true);
    expect(exec.pid).toBeTypeOf('number'); // the host was not killed for it, and the agent did not crash
  });

  needs('prlimit').it('an outcome of no known kind is ERR_SCRIPT_FAILED', async () => {
    const exec = testExecutor();
    const r = await exec.run(scriptSpec('add', {}, { tool: 'junk' }), {}, callOpts());
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe('AGENT_ERR_SCRIPT_FAILED');
  });
});
