// A real agent process whose provider and tools come from plugins found by manifest.
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { runCli, startAgentProcess } from '../helpers/agent-process.js';
import { freePort } from '../helpers/free-port.js';

const goodModule = fileURLToPath(new URL('../fixtures/plugins/good-module', import.meta.url));

describe('plugins end to end', () => {
  it('a tool from a [plugins] dirs plugin runs through the loop; status lists it', async () => {
    const port = await freePort();
    const toml =
      `[agent]\nid = "plug"\n[mqtt]\nbroker_url = "embedded"\n[mqtt.embedded]\nport = ${port}\n` +
      `[llm]\nprovider = "scripted"\n[plugins]\ndirs = ["${goodModule}"]\n` +
      `[tools]\necho = "builtin"\n[tools.shout]\nimpl = "plugin:good-module"\nconfig = { greeting = "yo" }\n`;
    const agent = await startAgentProcess(toml);
    expect(agent.output()).toMatch(/"tools":\["echo","shout"\]/);
    const url = `mqtt://127.0.0.1:${port}`;
    const r = await runCli([
      'inject',
      '--broker-url',
      url,
      '--agent-id',
      'plug',
      '--tool',
      'shout',
      '--tool-params',
      '{"text":"hi"}',
      '--wait',
      '10',
    ]);
    expect(r).toMatchObject({ code: 0, stdout: '{"text":"HI"}\n' });
  });

  it('a config table that breaks the plugin optionsSchema stops startup with its coded error and exit 1', async () => {
    const port = await freePort();
    const toml =
      `[agent]\nid = "plug-bad"\n[mqtt]\nbroker_url = "embedded"\n[mqtt.embedded]\nport = ${port}\n` +
      `[llm]\nprovider = "scripted"\n[plugins]\ndirs = ["${goodModule}"]\n` +
      `[tools.shout]\nimpl = "plugin:good-module"\nconfig = { greeting = 5 }\n`;
    const agent = await startAgentProcess(toml, {}, false);
    expect(await agent.exited).toBe(1);
    expect(agent.output()).toMatch(/AGENT_ERR_TOOL_CONFIG_INVALID.*tools\.shout\.config/);
  });
});
