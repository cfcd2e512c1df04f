// Build agents on the in-memory broker for unit tests; every agent created is stopped after the test.
import { randomUUID } from 'node:crypto';

import { onTestFinished } from 'vitest';

import type { ProviderFactoryV1, ProviderV1 } from '@agent2389/tool-sdk';
import { FIRST_PARTY_PLUGINS_DIR } from '../../src/plugin-sources.js';
import type { CreateAgentOptions } from '../../src/core/agent/agent-options.js';
import { Agent } from '../../src/core/agent/agent.js';
import { parseConfigText } from '../../src/core/config/load.js';
import {
  createMemoryBroker,
  type MemoryBroker,
  type MemoryTransport,
} from '../../src/core/transport/memory.js';
import type { InboundMessage } from '../../src/core/transport/transport.js';

export interface Harness {
  broker: MemoryBroker;
  agent: Agent;
  transport(): MemoryTransport;
  /** Every message published on topics matching `filter`, parsed as JSON. */
  collect(filter: string): Array<{ topic: string; retain: boolean; body: Record<string, unknown> }>;
  send(envelope: Record<string, unknown>): void;
}

export function toml(id: string, extra = ''): string {
  return `max_concurrent_tasks = 8\n${extra.startsWith('[') ? '' : extra}\n[agent]\nid = "${id}"\ncapabilities = ["testing"]\n[mqtt]\nbroker_url = "embedded"\n[llm]\nprovider = "scripted"\n[tools]\necho = "builtin"\ncurrent_time = "builtin"\n${extra.startsWith('[') ? extra : ''}`;
}

export function envelope(agentId: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    task_id: randomUUID(),
    conversation_id: 'conv-1',
    topic: `/control/agents/${agentId}/input`,
    instruction: 'say hi',
    input: null,
    next: null,
    ...fields,
  };
}

/** A provider factory around inline `doGenerate` / `verify` functions. */
export function fakeProvider(
  id: string,
  impl: Pick<ProviderV1, 'doGenerate'> & Partial<Pick<ProviderV1, 'verify'>>,
): ProviderFactoryV1 {
  return { id, requiresApiKey: false, create: () => ({ specificationVersion: 'v1', id, ...impl }) };
}

export function makeHarness(
  configToml: string,
  options: CreateAgentOptions = {},
  broker = createMemoryBroker(),
): Harness {
  const { config } = parseConfigText(configToml, 'test.toml', { env: {} });
  let transport: MemoryTransport | undefined;
  const agent = new Agent(config, {
    plugins: { firstPartyDir: FIRST_PARTY_PLUGINS_DIR },
    ...options,
    transport: (will) =>
      (transport = broker.createTransport({ clientId: `agent-${config.agent.id}`, will, manualAck: true })),
  });
  onTestFinished(() => agent.stop());
  return {
    broker,
    agent,
    transport: () => transport!,
    collect(filter) {
      const seen: Array<{ topic: string; retain: boolean; body: Record<string, unknown> }> = [];
      broker.subscribe(filter, (m: InboundMessage) =>
        seen.push({
          topic: m.topic,
          retain: m.retain,
          body: JSON.parse(m.payload.toString()) as Record<string, unknown>,
        }),
      );
      return seen;
    },
    send(env) {
      broker.publish(String(env.topic), JSON.stringify(env));
    },
  };
}
