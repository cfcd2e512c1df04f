// Attacks through a running agent (real CLI process, embedded broker): each hostile tool fails with
// its coded error, the agent stays up, and the next task succeeds.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { beforeAll, describe, expect, it } from 'vitest';

import { injectTool, startAgentProcess, type AgentProcess } from '../../helpers/agent-process.js';
import { freePort } from '../../helpers/free-port.js';
import { needs } from '../../helpers/require-tool.js';
import { alive } from '../../core/sandbox/subprocess-fixtures.js';

const bin = (name: string): string => fileURLToPath(new URL(`../../fixtures/bin/${name}`, import.meta.url));
const script = (name: string): string =>
  fileURLToPath(new URL(`../../fixtures/scripts/${name}`, import.meta.url));

const external = (name: string, fixture: string, extra = ''): string =>
  `[tools.${name}]\nimpl = "external"\ncommand = "${bin(fixture)}"\ndescription = "${fixture}"\n` +
  `parameters = { type = "object" }\ntimeout_seconds = 1\nmax_output_bytes = 65536\n${extra}`;
const inlineScript = (name: string, fixture: string, timeoutMs = 200, memoryMb = 16): string =>
  `[tools.${name}]\nimpl = "script"\nsource = "${script(fixture)}"\ndescription = "${fixture}"\n` +
  `timeout_ms = ${timeoutMs}\nmemory_limit_mb = ${memoryMb}\n`;

let url: string;
let agent: AgentProcess;

beforeAll(async () => {
  const port = await freePort();
  url = `mqtt://127.0.0.1:${port}`;
  agent = await startAgentProcess(
    `[agent]\nid = "hostile"\n[mqtt]\nbroker_url = "embedded"\n[mqtt.embedded]\nport = ${port}\n` +
      `[llm]\nprovider = "scripted"\n[sandbox]\nforce_kill_after_seconds = 0.3\nscript_timeout_ms = 4000\n` +
      `script_memory_limit_mb = 512\nmax_processes = 32\nmemory_mb = 256\n[tools]\necho = "builtin"\n` +
      external('loop', 'infinite-loop') +
      external('stubborn', 'ignores-sigterm') +
      external('flood', 'stdout-flood') +
      external('snoop', 'reads-env', 'env = ["LANG"]\n') +
      inlineScript('spin', 'loop.js') +
      inlineScript('hog', 'memory-bomb.js', 4000) +
      inlineScript('escape', 'escape.js') +
      inlineScript('huge', 'big-result.js', 4000, 512) +
      inlineScript('ssrf', 'fetch.js', 4000) +
      'host_functions = ["fetch"]\n' +
      external('errflood', 'stderr-flood') +
      external('orphaner', 'spawns-grandchild-and-exits') +
      external('bomb', 'fork-bomb') +
      external('pyhog', 'memory-bomb') +
      external('peek', 'reads-file', 'sandbox = "bwrap"\n') +
      external('dial', 'opens-network', 'sandbox = "bwrap"\n'),
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
    [
      'huge',
      'a script returning a 100 MB string',
      /tool_execution_failed.*more than 1048576 bytes on result/,
    ],
    ['errflood', 'a stderr flood', /tool_execution_failed.*more than 65536 bytes on stderr/],
    ['bomb', 'a fork bomb', /tool_execution_failed.*ran longer than its 1000 ms limit/],
    [
      'pyhog',
      'a memory bomb in a subprocess',
      /tool_execution_failed.*tool "pyhog" (exited with code|was killed)/,
    ],
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

  it('a script declaring fetch cannot reach the metadata address, loopback or localhost', async () => {
    for (const target of [
      'http://169.254.169.254/latest/meta-data/',
      'http://127.0.0.1:1/',
      'http://localhost/',
    ]) {
      const r = await call('ssrf', { mode: 'throw', url: target });
      expect(r.code, target).toBe(1);
      expect(r.stderr, target).toMatch(/tool_execution_failed.*\[HTTP_PRIVATE_ADDRESS\]/);
    }
    await expectHealthy();
  });

  it('a grandchild left sleeping by a tool that exits normally is killed with its call', async () => {
    const r = await call('orphaner');
    expect(r.code).toBe(0);
    const { grandchild } = JSON.parse(r.stdout) as { grandchild: number };
    expect(alive(grandchild)).toBe(false); // gone, or a zombie nobody reaped yet
    await expectHealthy();
  });

  needs('bwrap').it('under bwrap a tool reads no host secrets and has no network', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agent2389-secret-'));
    const secret = join(dir, 'api-key.txt');
    await writeFile(secret, 'sk-do-not-read', { mode: 0o644 });
    const peek = await call('peek', { paths: ['/etc/shadow', secret, '/root', dir] });
    expect(peek.code).toBe(0);
    const seen = JSON.parse(peek.stdout) as Record<string, { ok: boolean }>;
    for (const path of ['/etc/shadow', secret, '/root', dir]) expect(seen[path]?.ok, path).toBe(false);
    expect(peek.stdout).not.toContain('sk-do-not-read');
    const server = createServer((s) => s.end('hello'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const dial = await call('dial', { host: '127.0.0.1', port });
    server.close();
    expect(JSON.parse(dial.stdout)).toMatchObject({ connected: false });
    await expectHealthy();
  });
});
