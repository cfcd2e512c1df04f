import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';

import { runToolCall } from '../../../src/core/agent/tool-runner.js';
import { parseConfigText } from '../../../src/core/config/load.js';
import {
  createCurrentTimeTool,
  currentTimeToolFactory,
} from '../../../src/plugins/tools-core/current-time.js';
import { silentLogger as silent } from '../../../src/core/observability/silent-logger.js';
import { registryFor } from '../../helpers/tool-registry.js';

const ctx = { callId: 'c1', signal: new AbortController().signal, log: silent };
const NOW = new Date('2026-11-25T10:15:30.123Z');

describe('current_time tool', () => {
  const tool = createCurrentTimeTool(() => NOW);

  it('RULE-003: defaults to UTC, with an RFC 3339 Z timestamp and Unix milliseconds', async () => {
    expect(await tool.execute({}, ctx)).toEqual({
      utc: '2026-11-25T10:15:30.123Z',
      unix_ms: NOW.getTime(),
      timezone: 'UTC',
      local: '2026-11-25 10:15:30',
    });
  });

  it.each([
    ['Europe/Paris', '2026-11-25 11:15:30'],
    ['Asia/Kolkata', '2026-11-25 15:45:30'],
    ['America/Los_Angeles', '2026-11-25 02:15:30'],
    ['Pacific/Kiritimati', '2026-11-26 00:15:30'],
  ])('formats the time in %s', async (timezone, local) => {
    const out = await tool.execute({ timezone }, ctx);
    expect(out).toMatchObject({ timezone, local, utc: '2026-11-25T10:15:30.123Z' });
  });

  it('an unknown zone throws an error naming the zone', () => {
    expect(() => tool.execute({ timezone: 'Mars/Olympus_Mons' }, ctx)).toThrow(/Mars\/Olympus_Mons/);
  });

  it('FR-009: an unknown zone reaches the LLM as an AGENT_ERR_TOOL_FAILED result naming the zone', async () => {
    const toml = `[agent]\nid = "a1"\n[mqtt]\nbroker_url = "embedded"\n[llm]\nprovider = "scripted"\n[tools]\ncurrent_time = "builtin"\n`;
    const { config } = parseConfigText(toml, 'agent.toml', { env: {} });
    const registry = registryFor(config, [
      { name: 'current_time', create: () => createCurrentTimeTool(() => NOW) },
    ]);
    const call = { id: 'c1', name: 'current_time', input: { timezone: 'Nowhere/City' } };
    const out = await runToolCall(call, registry, { signal: ctx.signal, log: silent, maxOutputBytes: 1_000 });
    expect(out.ok).toBe(false);
    expect(out.error?.code).toBe('AGENT_ERR_TOOL_FAILED');
    expect((out.error?.data as { tool: string; reason: string }).tool).toBe('current_time');
    expect((out.error?.data as { reason: string }).reason).toContain('Nowhere/City');
  });

  it('uses the real clock by default', async () => {
    const before = Date.now();
    const out = await currentTimeToolFactory.create().execute({}, ctx);
    expect((out as { unix_ms: number }).unix_ms).toBeGreaterThanOrEqual(before);
  });

  it('FR-009: its schema accepts an optional string timezone and nothing else', () => {
    const d = tool.describe();
    expect(d.name).toBe('current_time');
    const validate = new Ajv({ strict: false }).compile(d.parameters);
    expect(validate({})).toBe(true);
    expect(validate({ timezone: 'UTC' })).toBe(true);
    expect(validate({ timezone: 1 })).toBe(false);
    expect(validate({ tz: 'UTC' })).toBe(false);
  });
});
