// v2 envelopes as the Rust implementation serialises them (serde: `None` is null, iteration_count may be
// missing, timestamps with a numeric offset and nanoseconds), sent to a real agent process on mosquitto
// routed by a real HTTP gatekeeper. Each is accepted and routed; a malformed context is invalid_input.
import { randomUUID } from 'node:crypto';

import { expect, onTestFinished } from 'vitest';

import { startAgentProcess } from '../../helpers/agent-process.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { connectProbe, type Probe } from '../../helpers/mqtt-probe.js';
import { startScriptedServer } from '../../helpers/scripted-http-server.js';
import { needs } from '../../helpers/require-tool.js';

const AGENT = 'rv-agent';
const INPUT = `/control/agents/${AGENT}/input`;
const RUST_TIME = '2026-12-07T10:15:30.123456789+00:00';

interface Asked {
  original_query: string;
  workflow_history: { agent_id: string; action: string; timestamp: string }[];
  iteration_count: number;
}

/** Publish a v2 envelope (`fields` over the defaults) and wait for what the agent answered. */
async function send(probe: Probe, fields: Record<string, unknown>): Promise<Record<string, unknown>> {
  const conversation = `rv-${randomUUID().slice(0, 8)}`;
  const taskId = randomUUID();
  await probe.publish(
    INPUT,
    JSON.stringify({
      task_id: taskId,
      conversation_id: conversation,
      topic: INPUT,
      instruction: 'Summarise the tide tables',
      input: null,
      next: null,
      version: '2.0',
      ...fields,
    }),
  );
  const [answer] = await probe.waitFor(`/conversations/${conversation}/${AGENT}`, 1, 30_000);
  const body = answer!.json();
  expect(body.task_id).toBe(taskId);
  return body;
}

needs('mosquitto').it(
  'Rust v2 envelopes: context and routing_trace null, context without iteration_count, offset and nanosecond timestamps are accepted; a malformed context is invalid_input',
  async () => {
    const broker = await startMosquitto();
    onTestFinished(() => broker.stop());
    const asked: Asked[] = [];
    const gatekeeper = await startScriptedServer(({ body }) => {
      asked.push(body as unknown as Asked);
      return {
        body: { workflow_complete: true, reasoning: 'done', next_agent: null, next_instruction: null },
      };
    });
    onTestFinished(() => gatekeeper.close());
    await startAgentProcess(
      [
        `[agent]\nid = "${AGENT}"`,
        `[mqtt]\nbroker_url = "${broker.url}"`,
        '[llm]\nprovider = "scripted"',
        `[routing]\nstrategy = "gatekeeper"\n[routing.gatekeeper]\nurl = "${gatekeeper.url}/route"\n`,
      ].join('\n'),
    );
    const probe = await connectProbe(broker.url);
    await probe.subscribe('/conversations/#');

    // 1. serde's None: both optional fields null → absent; the first hop's query is the instruction.
    expect(await send(probe, { context: null, routing_trace: null })).toHaveProperty('response');
    expect(asked.at(-1)).toMatchObject({
      original_query: 'Summarise the tide tables',
      workflow_history: [],
      iteration_count: 0,
    });

    // 2. A context without iteration_count means 0; Rust timestamps (+00:00, nanoseconds) are kept.
    const step = { agent_id: 'rust-researcher', action: 'research tides', timestamp: RUST_TIME };
    expect(
      await send(probe, {
        context: { original_query: 'Tides?', steps_completed: [step] },
        routing_trace: null,
      }),
    ).toHaveProperty('response');
    expect(asked.at(-1)).toMatchObject({
      original_query: 'Tides?',
      workflow_history: [step],
      iteration_count: 0,
    });

    // 3. A full Rust trace: context null-free, routing_trace with a numeric offset and step_number.
    const trace = [
      { from_agent: 'rust-a', to_agent: AGENT, reason: 'next', timestamp: RUST_TIME, step_number: 1 },
    ];
    expect(
      await send(probe, {
        context: { original_query: 'Tides?', steps_completed: [step], iteration_count: 1 },
        routing_trace: trace,
      }),
    ).toHaveProperty('response');
    expect(asked.at(-1)).toMatchObject({ iteration_count: 1 });

    // Malformed contexts are refused as invalid_input, and the gatekeeper is not asked.
    const before = asked.length;
    for (const context of [
      { original_query: 'q', iteration_count: 1 }, // steps_completed missing
      { original_query: 'q', steps_completed: [], iteration_count: '3' },
      { original_query: 'q', steps_completed: [{ ...step, timestamp: 'yesterday' }] },
    ]) {
      const refused = await send(probe, { context });
      expect(refused).toMatchObject({ error: { code: 'invalid_input' } });
    }
    const badStep = await send(probe, { routing_trace: [{ ...trace[0], step_number: -1 }] });
    expect(badStep).toMatchObject({ error: { code: 'invalid_input' } });
    expect(asked.length).toBe(before);
  },
  120_000,
);
