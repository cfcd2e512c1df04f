import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import {
  intake as runIntake,
  type ClaimTask,
  type IntakeResult,
  type IntakeSettings,
} from '../../../src/core/pipeline/intake.js';
import type { InboundMessage } from '../../../src/core/transport/transport.js';

const TOPIC = '/control/agents/a/input';

/** Intake settings plus step 4's claim (a set of the ids claimed so far, exposed as `claimed`). */
type TestSettings = IntakeSettings & { claim: ClaimTask; claimed: Set<string> };

function settings(overrides: Partial<TestSettings> = {}): TestSettings {
  const claimed = new Set<string>();
  return {
    agentId: 'a',
    inputTopic: TOPIC,
    subscription: TOPIC,
    maxPipelineDepth: 2,
    maxMessageBytes: 4096,
    claimed,
    claim: (id) => Promise.resolve(!claimed.has(id) && claimed.add(id) !== undefined),
    ...overrides,
  };
}

const intake = (m: InboundMessage, s: TestSettings): Promise<IntakeResult> => runIntake(m, s, s.claim);

function envelope(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    task_id: randomUUID(),
    conversation_id: 'conv-1',
    topic: TOPIC,
    instruction: 'hi',
    input: null,
    ...fields,
  };
}

function msg(body: unknown, opts: { retain?: boolean; topic?: string } = {}): InboundMessage {
  const payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return { topic: opts.topic ?? TOPIC, payload, retain: opts.retain ?? false };
}

/** A `next` chain of the given depth. */
function chain(depth: number): Record<string, unknown> | null {
  let next: Record<string, unknown> | null = null;
  for (let i = 0; i < depth; i++) next = { topic: `/control/agents/n${i}/input`, next };
  return next;
}

function expectReject(r: IntakeResult): Extract<IntakeResult, { kind: 'reject' }> {
  if (r.kind !== 'reject') throw new Error(`expected reject, got ${r.kind}`);
  return r;
}

describe('intake (docs/protocol.md §4 steps 2–6)', () => {
  it('accepts a valid envelope and reports its depth', async () => {
    const env = envelope({ next: chain(1) });
    const r = await intake(msg(env), settings());
    expect(r).toMatchObject({ kind: 'accept', depth: 1, envelope: { task_id: env.task_id } });
  });

  it('FR-005: discards a retained message, even a valid one', async () => {
    const s = settings();
    const env = envelope();
    expect((await intake(msg(env, { retain: true }), s)).kind).toBe('discard');
    expect((await intake(msg(env), s)).kind).toBe('accept'); // not claimed by the retained copy
  });

  it('FR-014: discards an envelope whose topic does not match the input topic', async () => {
    const r = await intake(msg(envelope({ topic: '/control/agents/b/input' })), settings());
    expect(r).toEqual({ kind: 'discard', reason: 'topic mismatch' });
    expect((await intake(msg(envelope({ topic: undefined })), settings())).kind).toBe('discard');
  });

  it('FR-006: a non-canonical topic that canonicalizes to the input topic matches', async () => {
    const r = await intake(msg(envelope({ topic: '//control/agents/a/input/' })), settings());
    expect(r.kind).toBe('accept');
  });

  it.each([
    ['not JSON', '{"task_id": '],
    ['a JSON array', '[1,2]'],
    ['a JSON string', '"text"'],
    ['JSON null', 'null'],
  ])('discards a payload that is %s, without publishing', async (_name, text) => {
    expect((await intake(msg(text), settings())).kind).toBe('discard');
  });

  it('FR-010: discards a duplicate task_id', async () => {
    const s = settings();
    const env = envelope();
    expect((await intake(msg(env), s)).kind).toBe('accept');
    expect(await intake(msg(env), s)).toEqual({ kind: 'discard', reason: 'duplicate task_id' });
  });

  it('FR-010: claims the id at intake, so a redelivery mid-processing is a duplicate', async () => {
    const s = settings();
    const env = envelope();
    await intake(msg(env), s);
    expect(s.claimed.has(env.task_id as string)).toBe(true);
  });

  it('FR-010: a claim that rejects (the dedupe store is unreachable) rejects the intake', async () => {
    const down = new Error('store down');
    const s = settings({ claim: () => Promise.reject(down) });
    await expect(intake(msg(envelope()), s)).rejects.toBe(down);
  });

  it('FR-010: a mismatched topic does not claim the id', async () => {
    const s = settings();
    const env = envelope();
    await intake(msg({ ...env, topic: '/control/agents/b/input' }), s);
    expect((await intake(msg(env), s)).kind).toBe('accept');
  });

  it('FR-013: accepts depth == max_pipeline_depth', async () => {
    const r = await intake(msg(envelope({ next: chain(2) })), settings());
    expect(r).toMatchObject({ kind: 'accept', depth: 2 });
  });

  it('FR-013: rejects depth > max_pipeline_depth with pipeline_depth_exceeded and a reply address', async () => {
    const env = envelope({ next: chain(3) });
    const r = expectReject(await intake(msg(env), settings()));
    expect(r.code).toBe('pipeline_depth_exceeded');
    expect(r.reply).toEqual({ taskId: env.task_id, conversationId: 'conv-1' });
    expect(r.message).toBe('pipeline depth 3 exceeds the limit of 2');
  });

  it('FR-007: rejects an invalid envelope with invalid_input and a reply address', async () => {
    const env = envelope({ instruction: 42 });
    const r = expectReject(await intake(msg(env), settings()));
    expect(r.code).toBe('invalid_input');
    expect(r.message).toContain('instruction');
    expect(r.reply).toEqual({ taskId: env.task_id, conversationId: 'conv-1' });
  });

  it('FR-007: a non-UUID task_id is invalid_input, still answerable on its conversation', async () => {
    const r = expectReject(await intake(msg(envelope({ task_id: 'abc' })), settings()));
    expect(r.code).toBe('invalid_input');
    expect(r.reply).toEqual({ taskId: 'abc', conversationId: 'conv-1' });
  });

  it.each([
    ['has a wildcard', 'a+b'],
    ['is empty', ''],
    ['is not a string', 7],
  ])('rejects without a reply address when conversation_id %s', async (_name, conversationId) => {
    const r = expectReject(await intake(msg(envelope({ conversation_id: conversationId })), settings()));
    expect(r.code).toBe('invalid_input');
    expect(r.reply).toBeUndefined();
  });

  it('FR-010, NFR-003: a non-UUID task_id is never claimed: 2 000 envelopes with a 200 KB one leave the store empty', async () => {
    const s = settings({ maxMessageBytes: 262_144 });
    const big = 'x'.repeat(200_000);
    for (let i = 0; i < 2000; i++) {
      const r = expectReject(await intake(msg(envelope({ task_id: `${i}${big}` })), s));
      expect(r.code).toBe('invalid_input');
      expect(r.reply).toBeUndefined(); // too long to echo: logged only
    }
    expect(s.claimed.size).toBe(0);
  });

  it('FR-010: a non-UUID task_id sent twice is rejected twice (it is no task, so no duplicate)', async () => {
    const s = settings();
    const env = envelope({ task_id: 'not-a-uuid' });
    expect(expectReject(await intake(msg(env), s)).code).toBe('invalid_input');
    expect(expectReject(await intake(msg(env), s)).code).toBe('invalid_input');
  });

  it('FR-011: input nested 10 000 levels deep is invalid_input naming the limit, answerable', async () => {
    const input = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const env = envelope();
    const text = JSON.stringify(env).replace('"input":null', `"input":${input}`);
    const r = expectReject(await intake(msg(text), settings({ maxMessageBytes: 262_144 })));
    expect(r.code).toBe('invalid_input');
    expect(r.message).toContain('128');
    expect(r.reply).toEqual({ taskId: env.task_id, conversationId: 'conv-1' });
  });

  it('FR-011: nesting up to the limit in every hop of a pipeline is accepted', async () => {
    let input: unknown = 'leaf';
    for (let i = 0; i < 126; i++) input = [input]; // the envelope (1) + 127 levels of input = 128
    const next = {
      topic: '/control/agents/b/input',
      input,
      next: { topic: '/control/agents/c/input', input },
    };
    const r = await intake(msg(envelope({ input, next })), settings({ maxMessageBytes: 262_144 }));
    expect(r.kind).toBe('accept');
  });

  it.each([
    ['U+0001', 'c\u0001'],
    ['U+0085', 'c\u0085'],
    ['U+FFFF', 'c\uffff'],
    ['a lone surrogate', 'c\ud800'],
    ['70 000 bytes', 'c'.repeat(70_000)],
  ])(
    'FR-006: a conversation_id holding %s is invalid_input without a reply address (no topic to publish to)',
    async (_name, conversationId) => {
      const s = settings({ maxMessageBytes: 262_144 });
      const r = expectReject(await intake(msg(envelope({ conversation_id: conversationId })), s));
      expect(r.code).toBe('invalid_input');
      expect(r.message).toContain('conversation_id');
      expect(r.reply).toBeUndefined();
    },
  );

  it('FR-006: a conversation topic too long for this agent id has no reply address', async () => {
    const id = 'c'.repeat(65_535 - '/conversations//a'.length);
    const s = settings({ maxMessageBytes: 262_144 });
    expect((await intake(msg(envelope({ conversation_id: id })), s)).kind).toBe('accept');
    const r = expectReject(await intake(msg(envelope({ conversation_id: `${id}c` })), s));
    expect(r).toMatchObject({ code: 'invalid_input', reply: undefined });
  });

  it('FR-006: an invalid next.topic is invalid_input answered on the (valid) conversation topic', async () => {
    const env = envelope({ next: { topic: '/control/agents/b\u0085/input' } });
    const r = expectReject(await intake(msg(env), settings()));
    expect(r.code).toBe('invalid_input');
    expect(r.message).toContain('next.topic');
    expect(r.reply).toEqual({ taskId: env.task_id, conversationId: 'conv-1' });
  });

  it('has no reply address when task_id is missing', async () => {
    const r = expectReject(await intake(msg(envelope({ task_id: undefined })), settings()));
    expect(r.reply).toBeUndefined();
  });
});

describe('NFR-003: oversized payloads', () => {
  const big = 'x'.repeat(5000);

  it('NFR-003: rejects with invalid_input and ids scanned from the payload', async () => {
    const env = envelope({ conversation_id: 'conv "q"', input: big });
    const r = expectReject(await intake(msg(env), settings()));
    expect(r.code).toBe('invalid_input');
    expect(r.reply).toEqual({ taskId: env.task_id, conversationId: 'conv "q"' });
    expect(r.message).toContain('4096');
  });

  it('NFR-003: does not claim the id of an oversized payload', async () => {
    const s = settings();
    const env = envelope({ input: big });
    await intake(msg(env), s);
    expect((await intake(msg({ ...env, input: null }), s)).kind).toBe('accept');
  });

  it('NFR-003: discards an oversized payload whose topic does not match', async () => {
    const r = await intake(msg(envelope({ topic: '/control/agents/b/input', input: big })), settings());
    expect(r).toEqual({ kind: 'discard', reason: 'topic mismatch' });
  });

  it('NFR-003: rejects an oversized non-JSON payload, without a reply address', async () => {
    const r = expectReject(await intake(msg(big), settings()));
    expect(r).toMatchObject({ code: 'invalid_input', reply: undefined });
  });

  it('FR-005: a retained oversized payload is discarded', async () => {
    expect((await intake(msg(envelope({ input: big }), { retain: true }), settings())).kind).toBe('discard');
  });

  it('NFR-003: a payload of exactly max_message_bytes is processed normally', async () => {
    const env = envelope({ input: '' });
    const size = Buffer.byteLength(JSON.stringify(env));
    const r = await intake(msg(env), settings({ maxMessageBytes: size }));
    expect(r.kind).toBe('accept');
  });

  it('FR-014: an envelope for this agent that arrived on another MQTT topic is discarded', async () => {
    const r = await intake(msg(envelope(), { topic: '/control/agents/other/input' }), settings());
    expect(r).toEqual({ kind: 'discard', reason: 'topic mismatch' });
  });
});
