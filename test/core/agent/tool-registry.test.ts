// ToolRegistry: static tools from fromEntries, dynamic groups replaced by setGroup, collisions refused.
import { describe, expect, it } from 'vitest';

import { ToolRegistry, type ToolEntry } from '../../../src/core/agent/tool-registry.js';
import type { ToolV1 } from '../../../tool-sdk/src/index.js';
import { recordingLogger } from '../../helpers/recording-logger.js';
import { thrown } from '../../helpers/thrown.js';

function entry(name: string, parameters: Record<string, unknown> = { type: 'object' }): ToolEntry {
  const tool: ToolV1 = {
    specificationVersion: 'v1',
    describe: () => ({ name, description: `tool ${name}`, parameters }),
    execute: () => name,
  };
  return { name, tool, description: tool.describe(), config: {}, executor: 'mcp' };
}

describe('ToolRegistry', () => {
  it('fromEntries: static tools, executor module by default', () => {
    const registry = ToolRegistry.fromEntries([{ ...entry('a'), executor: undefined }]);
    expect(registry.names).toEqual(['a']);
    expect(registry.get('a')?.executor).toBe('module');
  });

  it('setGroup adds a group after the static tools; a second call replaces it; [] removes it', () => {
    const log = recordingLogger();
    const registry = ToolRegistry.fromEntries([entry('static')]);
    let changes = 0;
    registry.onChange(() => changes++);
    registry.setGroup('mcp', [entry('fs__a'), entry('fs__b')], log);
    expect(registry.names).toEqual(['static', 'fs__a', 'fs__b']);
    expect(registry.descriptions.map((d) => d.name)).toEqual(['static', 'fs__a', 'fs__b']);
    expect(registry.get('fs__b')?.executor).toBe('mcp');
    expect(registry.get('fs__b')?.validate({})).toBe(true);
    registry.setGroup('mcp', [entry('fs__c')], log);
    expect(registry.names).toEqual(['static', 'fs__c']);
    expect(registry.get('fs__a')).toBeUndefined();
    registry.setGroup('mcp', [], log);
    expect(registry.names).toEqual(['static']);
    expect(changes).toBe(3);
  });

  it('validates with validationSchema when given; the LLM still sees the described parameters', () => {
    const described = { type: 'object', properties: { s: { type: 'string', pattern: '^x$' } } };
    const registry = ToolRegistry.fromEntries([]);
    registry.setGroup(
      'mcp',
      [
        {
          ...entry('fs__a', described),
          validationSchema: { type: 'object', properties: { s: { type: 'string' } } },
        },
      ],
      recordingLogger(),
    );
    expect(registry.get('fs__a')?.validate({ s: 'not x' })).toBe(true);
    expect(registry.get('fs__a')?.validate({ s: 1 })).toBe(false);
    expect(registry.descriptions[0]?.parameters).toEqual(described);
  });

  it('a tool whose schema does not compile is left out with a warning; the others stay', () => {
    const log = recordingLogger();
    const registry = ToolRegistry.fromEntries([]);
    registry.setGroup(
      'mcp',
      [entry('ok'), entry('bad', { type: 'object', properties: { x: { type: 12 } } })],
      log,
    );
    expect(registry.names).toEqual(['ok']);
    expect(log.entries.filter((e) => e.level === 'warn').map((e) => e.obj)).toEqual([
      expect.objectContaining({ tool: 'bad', group: 'mcp' }),
    ]);
  });

  it('a group tool may not take a static tool name, another group tool name, or one of its own', () => {
    const log = recordingLogger();
    const registry = ToolRegistry.fromEntries([entry('taken')]);
    registry.setGroup('one', [entry('x')], log);
    let changes = 0;
    registry.onChange(() => changes++);
    const cases: [ToolEntry[], string[]][] = [
      [
        [entry('y'), entry('taken')],
        ['[tools].taken', 'two/taken'],
      ],
      [[entry('x')], ['one/x', 'two/x']],
      [
        [entry('z'), entry('z')],
        ['two/z', 'two/z'],
      ],
    ];
    for (const [entries, tools] of cases) {
      const err = thrown(() => registry.setGroup('two', entries, log));
      expect(err.code).toBe('AGENT_ERR_MCP_TOOL_CONFLICT');
      expect((err.data as { tools: string[] }).tools).toEqual(tools);
    }
    // Refused as a whole: nothing changed, nobody told.
    expect(registry.names).toEqual(['taken', 'x']);
    expect(changes).toBe(0);
    // A group may keep its own names when it is replaced.
    registry.setGroup('one', [entry('x')], log);
    expect(registry.names).toEqual(['taken', 'x']);
  });
});
