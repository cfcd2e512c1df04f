// A stdio MCP server that cannot start stops the agent's startup with a coded error naming the server
// and the end of its stderr; nothing of it is left running.
import { expect, it } from 'vitest';

import { startAgentProcess } from '../../helpers/agent-process.js';

it('an MCP server that exits at startup: AGENT_ERR_MCP_START_FAILED with the server name and its stderr tail', async () => {
  const agent = await startAgentProcess(
    [
      '[agent]\nid = "mcp-broken"',
      '[mqtt]\nbroker_url = "embedded"\n[mqtt.embedded]\nport = 0',
      '[llm]\nprovider = "scripted"',
      '[mcp.broken]',
      'command = "/bin/sh"',
      `args = ["-c", "echo 'cannot open the database /var/lib/broken.db' >&2; exit 3"]`,
      'startup_timeout_seconds = 20',
      '',
    ].join('\n'),
    {},
    false,
  );
  const code = await agent.exited;
  expect(code).not.toBe(0);
  const output = agent.output();
  expect(output).toContain('AGENT_ERR_MCP_START_FAILED');
  expect(output).toContain('[AGENT_ERR_MCP_START_FAILED] MCP server "broken"');
  expect(output).toContain('cannot open the database /var/lib/broken.db');
}, 60_000);
