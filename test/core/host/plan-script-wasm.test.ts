// Planning WebAssembly for script tools: the inline `wasm` key, a manifest's "wasm", and what the table may change.
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { parseConfigText } from '../../../src/core/config/load.js';
import { discoverPlugins } from '../../../src/core/host/discover.js';
import { planPlugins } from '../../../src/core/host/plan.js';
import { FIRST_PARTY_PLUGINS_DIR } from '../../../src/plugin-sources.js';
import { thrown } from '../../helpers/thrown.js';

const bare = { injectedProviders: ['scripted'], injectedTools: [] };
const SCRIPT = 'impl = "script"\nsource = "t.js"\ndescription = "d"\n';

const config = (tools: string, sandbox = '') =>
  parseConfigText(
    `[agent]\nid = "p"\n[mqtt]\nbroker_url = "embedded"\n[llm]\nprovider = "scripted"\n${sandbox}[tools]\n${tools}\n`,
    'a.toml',
    { env: {} },
  ).config;

const plugins = () =>
  discoverPlugins({
    firstPartyDir: FIRST_PARTY_PLUGINS_DIR,
    dirs: [fileURLToPath(new URL('../../fixtures/plugins/wasm-script', import.meta.url))],
    nodeModulesDirs: [],
  });

describe('WebAssembly planning', () => {
  it('an inline script has no WebAssembly unless wasm = true', () => {
    expect(planPlugins(config(`[tools.t]\n${SCRIPT}`), [], bare).tools[0]).toMatchObject({ wasm: false });
    const on = planPlugins(config(`[tools.t]\n${SCRIPT}wasm = true`), [], bare).tools[0];
    expect(on).toMatchObject({ kind: 'script', wasm: true });
  });

  it('wasm on a subprocess tool is AGENT_ERR_CONFIG_INVALID at its line', () => {
    const err = thrown(() =>
      planPlugins(config('[tools.t]\nimpl = "external"\ncommand = "/bin/true"\nwasm = true'), [], bare),
    );
    expect(err).toMatchObject({
      code: 'AGENT_ERR_CONFIG_INVALID',
      data: { file: 'a.toml', problems: [{ path: 'tools.t.wasm', line: 11 }] },
    });
  });

  it('a plugin script gets WebAssembly from its manifest; the table may deny it, never grant it', async () => {
    const list = await plugins();
    const tools = (wasmGrow = '', plainGrow = '') =>
      planPlugins(
        config(
          `wasm_grow = { impl = "plugin:wasm-script"${wasmGrow} }\n` +
            `plain_grow = { impl = "plugin:wasm-script"${plainGrow} }\n`,
        ),
        list,
        bare,
      ).tools;
    expect(tools()).toMatchObject([
      { name: 'wasm_grow', wasm: true },
      { name: 'plain_grow', wasm: false },
    ]);
    expect(tools(', wasm = false')[0]).toMatchObject({ name: 'wasm_grow', wasm: false });
    const err = thrown(() => tools('', ', wasm = true'));
    expect(err).toMatchObject({
      code: 'AGENT_ERR_CONFIG_INVALID',
      data: { problems: [{ path: 'tools.plain_grow.wasm', line: 9 }] },
    });
  });

  it('[sandbox] script_host_memory_mb defaults to 2048 MiB and refuses less than 256', () => {
    expect(config('').sandbox.script_host_memory_mb).toBe(2048);
    expect(config('', '[sandbox]\nscript_host_memory_mb = 512\n').sandbox.script_host_memory_mb).toBe(512);
    const err = thrown(() => config('', '[sandbox]\nscript_host_memory_mb = 64\n'));
    expect(err).toMatchObject({ code: 'AGENT_ERR_CONFIG_INVALID' });
  });
});
