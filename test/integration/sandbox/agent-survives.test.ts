// Attacks through a running agent (real CLI process, embedded broker): each hostile tool fails with
// its coded error, the agent stays up, and the next task succeeds.
import { fileURLToPath } from 'node:url';

import { beforeAll, describe, expect, it } from 'vitest';

import { injectTool, startAgentProcess, type AgentProcess } from '../../helpers/agent-process.js';
import { freePort } from '../../helpers/free-port.js';

const bin = (name: string): string => fileURLToPath(new URL(`../../fixtures/bin/${name}`, import.meta.url));
const script = (name: string): string =>
  fileURLToPath(new URL(`../../fixtures/scripts/${name}`, import.meta.url));

const external = (name: string, fixture: string, extra = ''): string =>
  `[tools.${name}]\nimpl = "external"\ncommand = "${bin(fixture)}"\ndescription = "${fixture}"\n` +
  `parameters = { type = "object" }\ntimeout_seconds = 1\nmax_output_bytes = 65536\n${extra}`;
const inlineScript = (name: string, fixture: string, timeoutMs = 200): string =>
  `[tools.${name}]\nimpl = "script"\nsource = "${script(fixture)}"\ndescription = "${fixture}"\n` +
  `timeout_ms = ${timeoutMs}\nmemory_limit_mb = 16\n`;

let url: string;
let agent: AgentProcess;

beforeAll(async () => {
  const port = await freePort();
  url = `mqtt://127.0.0.1:${port}`;
  agent = await startAgentProcess(
    `[agent]\nid = "hostile"\n[mqtt]\nbroker_url = "embedded"\n[mqtt.embedded]\nport = ${port}\n` +
      `[llm]\nprovider = "scripted"\n[sandbox]\nforce_kill_after_seconds = 0.3\nscript_timeout_ms = 4000\n[tools]\necho = "builtin"\n` +
      external('loop', 'infinite-loop') +
      external('stubborn', 'ignores-sigterm') +
      external('flood', 'stdout-flood') +
      external('snoop', 'reads-env', 'env = ["LANG"]\n') +
      inlineScript('spin', 'loop.js') +
      inlineScript('hog', 'memory-bomb.js', 4000) +
      inlineScript('escape', 'escape.js'),
    { OPENAI_API_KEY: 'sk-agent-secret', LANG: 'C.UTF-8' },
  );
});

const call = (tool: string, params: unknown = {}) => injectTool(url, 'hostile', tool, params, 20);

async function expectHealthy(): Promise<void> {
  const r = await call('echo', { message: 'still here' });
  expect(r).toMatchObject({ code: 0, stdout: '{"message":"still here"}\n' });
  expect(agent.child.exitCode).toBeNull();
}

describe('the agent survives hostile tools', () => {
  it.each([
    ['loop', 'an infinite loop in a subprocess', /tool_execution_failed.*ran longer than its 1000 ms limit/],
    [
      'stubborn',
      'a subprocess that ignores SIGTERM',
      /tool_execution_failed.*ran longer than its 1000 ms limit/,
    ],
    ['flood', 'a stdout flood', /tool_execution_failed.*more than 65536 bytes on stdout/],
    ['spin', 'an infinite loop in a script', /tool_execution_failed.*ran longer than its 200 ms limit/],
    ['hog', 'a memory bomb in a script', /tool_execution_failed.*exceeded its 16 MB memory limit/],
  ])('%s: %s fails with its limit, then the next task succeeds', async (tool, _what, expected) => {
    const r = await call(tool);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(expected);
    await expectHealthy();
  });

  it("a subprocess never sees the agent's API key, only allowed variables", async () => {
    const r = await call('snoop');
    expect(r.code).toBe(0);
    const env = JSON.parse(r.stdout) as Record<string, string>;
    expect(env.OPENAI_API_KEY).toBeUndefined();
    expect(env.LANG).toBe('C.UTF-8');
    expect(JSON.stringify(env)).not.toContain('sk-agent-secret');
  });

  it('prototype tricks in a script find no process, require or import', async () => {
    const r = await call('escape');
    expect(r.code).toBe(0);
    const seen = JSON.parse(r.stdout) as Record<string, string>;
    const ways = ['constructorProcess', 'fnConstructorProcess', 'functionThisProcess', 'globalProcess'];
    for (const way of [...ways, 'require', 'module', 'hostProto', 'dynamicImport'])
      expect(['undefined', 'threw'], way).toContain(seen[way]);
    await expectHealthy();
  });
});
