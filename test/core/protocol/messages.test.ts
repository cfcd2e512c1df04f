import { afterEach, describe, expect, it, vi } from 'vitest';

import { WIRE_ERROR_CODES, buildStatus, type StatusInfo } from '../../../src/core/protocol/messages.js';

const info: StatusInfo = {
  agentId: 'writer',
  description: 'Writes articles',
  capabilities: ['writing'],
  tools: ['http_request'],
  version: '0.1.0',
};

describe('buildStatus (§3.3)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('FR-002: carries every §3.3 field', () => {
    const msg = buildStatus(info, 'available', 0.25);
    expect(msg).toEqual({
      agent_id: 'writer',
      status: 'available',
      timestamp: expect.any(String) as unknown,
      description: 'Writes articles',
      capabilities: ['writing'],
      tools: ['http_request'],
      load: 0.25,
      version: '0.1.0',
    });
  });

  it('RULE-003: timestamp is RFC 3339 UTC with a Z suffix', () => {
    vi.useFakeTimers({ now: new Date('2026-11-25T10:15:30.123Z'), toFake: ['Date'] });
    const msg = buildStatus(info, 'unavailable', 0);
    expect(msg.timestamp).toBe('2026-11-25T10:15:30.123Z');
    expect(msg.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    expect(msg.status).toBe('unavailable');
  });

  it('omits description when there is none', () => {
    const msg = buildStatus({ ...info, description: undefined }, 'available', 0);
    expect(msg).not.toHaveProperty('description');
    expect(JSON.stringify(msg)).not.toContain('description');
  });

  it('rounds load to three decimals', () => {
    expect(buildStatus(info, 'available', 1 / 3).load).toBe(0.333);
    expect(buildStatus(info, 'available', 1).load).toBe(1);
  });

  it('copies the capability and tool lists', () => {
    const caps = ['a'];
    const msg = buildStatus({ ...info, capabilities: caps }, 'available', 0);
    caps.push('b');
    expect(msg.capabilities).toEqual(['a']);
  });
});

describe('FR-011: wire error codes', () => {
  it('lists exactly the five §3.5 codes', () => {
    expect([...WIRE_ERROR_CODES].sort()).toEqual(
      [
        'internal_error',
        'invalid_input',
        'llm_error',
        'pipeline_depth_exceeded',
        'tool_execution_failed',
      ].sort(),
    );
  });
});
