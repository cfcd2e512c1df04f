// `agent2389 validate` in-process: a [tools] table that the plugin plan refuses is reported with its key and line.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { runCliInProcess } from '../helpers/cli-in-process.js';

const MCP_PLUGIN = fileURLToPath(new URL('../fixtures/plugins/mcp-servers', import.meta.url));

let dir: string;
let stderr: string;
let stdout: string;
let code: number;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agent2389-validate-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function validate(toml: string): Promise<string> {
  const file = join(dir, 'agent.toml');
  await writeFile(file, toml);
  ({ code, stdout, stderr } = await runCliInProcess(['validate', file]));
  return file;
}

const head = '[agent]\nid = "v"\n[mqtt]\nbroker_url = "embedded"\n[llm]\nprovider = "scripted"\n';

describe('agent2389 validate', () => {
  it('names the key and its line when a tool table combines keys that do not go together', async () => {
    const file = await validate(`${head}[tools.t]\nimpl = "external"\ncommand = "/bin/true"\nwasm = true\n`);
    expect(code).toBe(1);
    expect(stderr).toContain(
      `error: ${file}:10: AGENT_ERR_CONFIG_INVALID: tools.t.wasm applies to script tools only`,
    );
  });

  it('names the key and its line for an impl that does not exist', async () => {
    await validate(`${head}[tools]\n\necho = "wasm"\n`);
    expect(code).toBe(1);
    expect(stderr).toMatch(/:9: AGENT_ERR_CONFIG_INVALID: tools\.echo\.impl "wasm" must be /);
  });

  it('passes a valid inline tool table', async () => {
    await validate(`${head}[tools.t]\nimpl = "external"\ncommand = "/bin/true"\n`);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('agent2389 validate: [mcp] servers', () => {
  it('reports every missing cwd / read_only_paths / writable_paths entry by its key and line', async () => {
    const file = await validate(
      `${head}[mcp.fs]\ncommand = "node"\ncwd = "./no-such-dir"\nsandbox = "bwrap"\n` +
        `read_only_paths = ["/no/such/ro"]\nwritable_paths = [".", "./no-such-out"]\n`,
    );
    expect(code).toBe(1);
    expect(stderr).toContain(`error: ${file}:9: AGENT_ERR_CONFIG_INVALID: mcp.fs.cwd `);
    expect(stderr).toMatch(/no-such-dir/);
    expect(stderr).toMatch(/:11: AGENT_ERR_CONFIG_INVALID: mcp\.fs\.read_only_paths\.0 /);
    expect(stderr).toMatch(/:12: AGENT_ERR_CONFIG_INVALID: mcp\.fs\.writable_paths\.1 .*no-such-out/);
    expect(stderr).not.toContain('writable_paths.0');
    expect(stdout).toBe('');
  });

  it('reports a plugin that ships no such server, and a plugin that is not there, with their codes', async () => {
    const plugins = `[plugins]\ndirs = [${JSON.stringify(MCP_PLUGIN)}]\nnpm = false\n`;
    await validate(`${head}${plugins}[mcp.pong]\nplugin = "mcp-servers"\n`);
    expect(code).toBe(1);
    expect(stderr).toContain('AGENT_ERR_CONFIG_INVALID');
    expect(stderr).toMatch(/AGENT_ERR_CONFIG_INVALID: mcp\.pong\.plugin .*ships: ping, pinger/);

    await validate(`${head}${plugins}[mcp.ping]\nplugin = "no-such-plugin"\n`);
    expect(code).toBe(1);
    expect(stderr).toContain('AGENT_ERR_PLUGIN_NOT_FOUND');
  });

  it('accepts valid servers (config and plugin), names them, lowers limits with a warning, starts none', async () => {
    const marker = join(dir, 'server-ran');
    await mkdir(join(dir, 'srv'));
    const file = await validate(
      `${head}[plugins]\ndirs = [${JSON.stringify(MCP_PLUGIN)}]\nnpm = false\n` +
        `[mcp.local]\ncommand = "/bin/sh"\nargs = ["-c", ${JSON.stringify(`touch ${marker}`)}]\ncwd = "srv"\n` +
        `[mcp.ping]\nplugin = "mcp-servers"\nserver = "pinger"\n`,
    );
    expect(code).toBe(0);
    expect(stdout).toBe(
      `${file} is valid: agent v, provider scripted, broker embedded, tools: (none), mcp servers: local, ping\n`,
    );
    // The plugin's pinger asks for more than the [sandbox] ceilings allow.
    expect(stderr).toMatch(
      /^warning: .*agent\.toml: requested limits above the \[sandbox\] ceilings were lowered to them \(server=ping, capped=\["memory_mb","max_processes"\]\)\n$/,
    );
    expect(existsSync(marker)).toBe(false);
  });
});
