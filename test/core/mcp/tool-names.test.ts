// Agent names of MCP tools: `<server>__<tool>`, sanitised, bounded, collisions refused.
import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { AgentError } from '../../../src/core/errors.js';
import {
  agentToolName,
  assignToolNames,
  findToolNames,
  MAX_TOOL_NAME_LENGTH,
} from '../../../src/core/mcp/tool-names.js';
import type { McpToolInfo } from '../../../src/core/mcp/types.js';

const tool = (name: string): McpToolInfo => ({ name, inputSchema: { type: 'object' } });
const VALID = /^[A-Za-z0-9_-]{1,64}$/;

describe('agentToolName', () => {
  it('joins server and tool with __', () => {
    expect(agentToolName('fs', 'read_file')).toBe('fs__read_file');
    expect(agentToolName('my-srv', 'get-sum')).toBe('my-srv__get-sum');
  });

  it('replaces every character outside [A-Za-z0-9_-] by one _', () => {
    expect(agentToolName('fs', 'read.file v2/ü😀')).toBe('fs__read_file_v2___');
    expect(agentToolName('fs', 'read.file v2/ü😀')).toMatch(VALID);
  });

  it('cuts names over 64 characters and appends 6 hex of the sha256 of the full original name', () => {
    const long = 'x'.repeat(100);
    const name = agentToolName('srv', long);
    const hash = createHash('sha256').update(`srv__${long}`).digest('hex').slice(0, 6);
    expect(name).toHaveLength(MAX_TOOL_NAME_LENGTH);
    expect(name).toBe(`srv__${'x'.repeat(MAX_TOOL_NAME_LENGTH - 7 - 5)}_${hash}`);
    expect(name).toMatch(VALID);
    // Two long names that share their first 57 characters still differ.
    expect(agentToolName('srv', `${long}a`)).not.toBe(agentToolName('srv', `${long}b`));
  });

  it('keeps a name of exactly 64 characters as it is', () => {
    const tool64 = 'y'.repeat(64 - 5);
    expect(agentToolName('srv', tool64)).toBe(`srv__${tool64}`);
  });
});

describe('findToolNames / assignToolNames', () => {
  it('names every tool when nothing collides', () => {
    const named = assignToolNames('fs', [tool('a'), tool('b')], new Map());
    expect(named.map((n) => [n.agentName, n.info.name])).toEqual([
      ['fs__a', 'a'],
      ['fs__b', 'b'],
    ]);
  });

  it('two tools of one server mapping to one name: both left out, one conflict naming both', () => {
    const { named, conflicts } = findToolNames('fs', [tool('a.b'), tool('a_b'), tool('c')], new Map());
    expect(named.map((n) => n.agentName)).toEqual(['fs__c']);
    expect(conflicts.map((c) => [c.code, c.data])).toEqual([
      ['AGENT_ERR_MCP_TOOL_CONFLICT', { name: 'fs__a_b', tools: ['fs/a.b', 'fs/a_b'] }],
    ]);
  });

  it('a name already taken ([tools] entry or another server) is refused', () => {
    const taken = new Map([['fs__read', '[tools].fs__read']]);
    const { named, conflicts } = findToolNames('fs', [tool('read'), tool('write')], taken);
    expect(named.map((n) => n.agentName)).toEqual(['fs__write']);
    expect(conflicts[0]?.data).toEqual({ name: 'fs__read', tools: ['[tools].fs__read', 'fs/read'] });
  });

  it('assignToolNames throws the first conflict', () => {
    let thrown: unknown;
    try {
      assignToolNames('fs', [tool('a b'), tool('a-b'), tool('a_b')], new Map());
    } catch (err) {
      thrown = err;
    }
    expect(AgentError.is(thrown, 'AGENT_ERR_MCP_TOOL_CONFLICT')).toBe(true);
    expect((thrown as AgentError).data).toEqual({ name: 'fs__a_b', tools: ['fs/a b', 'fs/a_b'] });
  });
});
