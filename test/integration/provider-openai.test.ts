// End to end: a real agent process on mosquitto with `provider = "openai"` against a fake OpenAI server.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { chatBody, startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server.js';
import { startAgentProcess } from '../helpers/agent-process.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { connectProbe } from '../helpers/mqtt-probe.js';

let broker: Mosquitto;
let fake: FakeOpenAiServer;
beforeAll(async () => {
  broker = await startMosquitto();
  fake = await startFakeOpenAiServer();
});
afterAll(async () => {
  await fake.close();
  await broker.stop();
});

const KEY = 'sk-e2e-secret';
const toml = (id: string): string =>
  `[agent]\nid = "${id}"\ndescription = "openai e2e"\ncapabilities = ["testing"]\n` +
  `[mqtt]\nbroker_url = "${broker.url}"\n` +
  `[llm]\nprovider = "openai"\nmodel = "gpt-test"\nbase_url = "${fake.baseUrl}"\napi_key_env = "TEST_OPENAI_KEY"\n` +
  `system_prompt = "You are a test agent."\ntimeout = 5\nmax_retries = 0\n` +
  `[tools]\ncurrent_time = "builtin"\n`;

describe('openai provider end to end', () => {
  it('verifies the model, calls current_time via a tool call, and publishes the final answer', async () => {
    const id = 'it-openai';
    fake.enqueue(
      { body: chatBody(null, [{ id: 'call_time', name: 'current_time', arguments: {} }]) },
      { body: chatBody('It is now.') },
    );
    const agent = await startAgentProcess(toml(id), { TEST_OPENAI_KEY: KEY });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/models/gpt-test']);

    const probe = await connectProbe(broker.url);
    await probe.subscribe('/conversations/#');
    const env = {
      task_id: randomUUID(),
      conversation_id: `c-${randomUUID().slice(0, 6)}`,
      topic: `/control/agents/${id}/input`,
      instruction: 'What time is it?',
      input: null,
      next: null,
    };
    await probe.publish(env.topic, JSON.stringify(env));
    const [res] = await probe.waitFor(`/conversations/${env.conversation_id}/${id}`);
    expect(res!.json()).toMatchObject({ task_id: env.task_id, response: 'It is now.' });

    const chats = fake.requests.filter((r) => r.path === '/v1/chat/completions');
    expect(chats).toHaveLength(2);
    expect(chats.every((r) => r.hasAuthorization)).toBe(true);
    const first = chats[0]!.body!;
    expect(first.model).toBe('gpt-test');
    expect((first.tools as Array<{ function: { name: string } }>).map((t) => t.function.name)).toEqual([
      'current_time',
    ]);
    expect((first.messages as Array<Record<string, unknown>>)[0]).toEqual({
      role: 'system',
      content: 'You are a test agent.',
    });
    const second = chats[1]!.body!.messages as Array<Record<string, unknown>>;
    const toolResult = second.find((m) => m.role === 'tool');
    expect(toolResult).toMatchObject({ role: 'tool', tool_call_id: 'call_time' });
    expect(JSON.parse(String(toolResult!.content))).toHaveProperty('utc');
    expect(agent.output()).not.toContain(KEY);
  });
});
