import { describe, expect, it } from 'vitest';

import {
  isAgentStatusTopic,
  readStatusMessage,
  statusTopicAgent,
} from '../../../src/core/routing/status-message.js';

describe('status topics', () => {
  it('isAgentStatusTopic is true exactly for what /control/agents/+/status delivers', () => {
    expect(isAgentStatusTopic('/control/agents/writer/status')).toBe(true);
    expect(isAgentStatusTopic('/control/agents/a b/status')).toBe(true); // delivered, then ignored
    expect(isAgentStatusTopic('/control/agents/writer/input')).toBe(false);
    expect(isAgentStatusTopic('/control/agents/w/replicas/r/status')).toBe(false);
    expect(isAgentStatusTopic('/control/agents//status')).toBe(false);
  });

  it('statusTopicAgent takes a valid agent id of bounded length from the topic', () => {
    expect(statusTopicAgent('/control/agents/writer-1.a_b/status')).toBe('writer-1.a_b');
    expect(statusTopicAgent('/control/agents/a b/status')).toBeUndefined();
    expect(statusTopicAgent('/control/agents/+/status')).toBeUndefined();
    expect(statusTopicAgent(`/control/agents/${'i'.repeat(256)}/status`)).toHaveLength(256);
    expect(statusTopicAgent(`/control/agents/${'i'.repeat(257)}/status`)).toBeUndefined();
  });
});

describe('readStatusMessage', () => {
  it('reads a status, without the fields discovery does not use (timestamp)', () => {
    const payload = Buffer.from(
      '{"agent_id":"w","status":"available","timestamp":"x","capabilities":["a"],"load":0.5,"extra":1}',
    );
    expect(readStatusMessage('/control/agents/w/status', payload)).toEqual({
      kind: 'status',
      status: { id: 'w', status: 'available', capabilities: ['a'], tools: [], load: 0.5, version: '' },
    });
  });

  it('reads an empty payload as a cleared status and gives a reason for an invalid one', () => {
    expect(readStatusMessage('/control/agents/w/status', Buffer.alloc(0))).toEqual({
      kind: 'cleared',
      id: 'w',
    });
    expect(readStatusMessage('/control/agents/w/status', Buffer.from('null'))).toMatchObject({
      kind: 'invalid',
      reason: expect.any(String) as string,
    });
  });

  it('reads a payload that is a view into a larger buffer (as the transport may give)', () => {
    const big = Buffer.from('xxxx{"agent_id":"w","status":"unavailable"}yyyy');
    const view = big.subarray(4, big.length - 4);
    expect(readStatusMessage('/control/agents/w/status', view)).toMatchObject({ kind: 'status' });
  });
});
