// A module tool's deadline: the manifest default (executor.timeoutMs), lowered by [tools.x] timeout_seconds,
// 30 s when neither asks, and capped (with a warning) by the operator's [sandbox] timeout_seconds.
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { resolveParts, type ResolvedParts } from '../../../src/core/agent/resolve.js';
import { runToolCall } from '../../../src/core/agent/tool-runner.js';
import { parseConfigText } from '../../../src/core/config/load.js';
import { FIRST_PARTY_PLUGINS_DIR } from '../../../src/plugin-sources.js';
import type { ToolFactoryV1 } from '@agent2389/tool-sdk';
import { recordingLogger } from '../../helpers/recording-logger.js';

const fixtures = fileURLToPath(new URL('../../fixtures/plugins/', import.meta.url));

const configOf = (tools: string, sandbox = '') =>
  parseConfigText(
    `[agent]\nid = "m"\n[mqtt]\nbroker_url = "embedded"\n[llm]\nprovider = "scripted"\n` +
      `[plugins]\ndirs = ["${fixtures}hanging-module"]\n[sandbox]\n${sandbox}\n[tools]\n${tools}\n`,
    'a.toml',
    { env: {} },
  ).config;

const injected: ToolFactoryV1 = {
  name: 'inline',
  create: () => ({
    specificationVersion: 'v1',
    describe: () => ({ name: 'inline', description: 'inline', parameters: { type: 'object' } }),
    execute: () => new Promise(() => {}),
  }),
};

let open: ResolvedParts | undefined;
afterEach(async () => {
  await open?.close?.();
  open = undefined;
});

async function resolved(tools: string, sandbox = '') {
  const log = recordingLogger();
  open = await resolveParts(
    configOf(tools, sandbox),
    { providers: [], tools: [injected], plugins: { firstPartyDir: FIRST_PARTY_PLUGINS_DIR } },
    {},
    log,
  );
  return { tools: open.tools, log };
}

const capWarnings = (log: ReturnType<typeof recordingLogger>) =>
  log.entries.filter((e) => e.level === 'warn' && 'capped' in (e.obj ?? {})).map((e) => e.obj);

describe('module tool deadlines', () => {
  it('takes the manifest default (executor.timeoutMs)', async () => {
    const { tools } = await resolved('hang = "plugin:hanging-module"');
    expect(tools.get('hang')).toMatchObject({ executor: 'module', timeoutMs: 200 });
  });

  it('[tools.x] timeout_seconds lowers the manifest default', async () => {
    const { tools } = await resolved('[tools.hang]\nimpl = "plugin:hanging-module"\ntimeout_seconds = 0.05');
    expect(tools.get('hang')?.timeoutMs).toBe(50);
  });

  it('is 30 s for a tool that asks for nothing (first-party and injected tools)', async () => {
    const { tools } = await resolved('echo = "builtin"\ninline = "builtin"');
    expect(tools.get('echo')).toMatchObject({ executor: 'module', timeoutMs: 30_000 });
    expect(tools.get('inline')).toMatchObject({ executor: 'module', timeoutMs: 30_000 });
  });

  it('is capped by [sandbox] timeout_seconds, with a warning naming the tool', async () => {
    const { tools, log } = await resolved(
      '[tools.inline]\nimpl = "builtin"\ntimeout_seconds = 100\n[tools.echo]\nimpl = "builtin"',
      'timeout_seconds = 0.1',
    );
    expect(tools.get('inline')?.timeoutMs).toBe(100);
    expect(tools.get('echo')?.timeoutMs).toBe(100);
    expect(capWarnings(log)).toEqual([{ tool: 'inline', capped: ['timeoutMs'] }]);
  });

  it('the injected tool that never settles ends at the capped deadline with ERR_TOOL_TIMEOUT', async () => {
    const { tools } = await resolved('inline = "builtin"', 'timeout_seconds = 0.05');
    const out = await runToolCall({ id: 'c', name: 'inline', input: {} }, tools, {
      signal: new AbortController().signal,
      log: recordingLogger(),
      maxOutputBytes: 100,
    });
    expect(out.error?.data).toEqual({ tool: 'inline', timeoutMs: 50 });
  });
});
