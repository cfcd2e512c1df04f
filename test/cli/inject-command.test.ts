// `agent2389 inject` option checks and --preview-only, in this process: none of these reach a broker
// (the broker URL is a closed port, so a connection attempt would exit 3, not 0 or 64).
import { describe, expect, it } from 'vitest';

import { EXIT_USAGE } from '../../src/cli/cli-program.js';
import { parseEnvelope } from '../../src/core/protocol/envelope.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { freePort } from '../helpers/free-port.js';

const inject = async (...args: string[]) =>
  runCliInProcess([
    'inject',
    '--broker-url',
    `mqtt://127.0.0.1:${await freePort()}`,
    '--connect-timeout',
    '1',
    ...args,
  ]);

describe('agent2389 inject: options', () => {
  it.each([
    ['neither --agent-id nor --capability', ['--query', 'q']],
    ['both --agent-id and --capability', ['--agent-id', 'a', '--capability', 'c', '--query', 'q']],
  ])('%s is a usage error (64)', async (_name, args) => {
    const r = await inject(...args);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stderr).toMatch(/^error: /);
  });

  it.each([
    ['--wait', 'soon'],
    ['--wait', '0'],
    ['--wait', '-3'],
    ['--discovery-timeout', '0'],
    ['--discovery-timeout', 'NaN'],
    ['--stale-after', '-1'],
  ])('%s %s is a usage error (64), before connecting', async (flag, value) => {
    const r = await inject('--capability', 'research', '--query', 'q', flag, value);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stderr).toContain(flag);
  });

  it.each([
    ['an empty --capability', ['--capability', ' ', '--query', 'q']],
    ['--query with --message', ['--agent-id', 'a', '--query', 'q', '--message', 'm']],
    ['--query with --next', ['--agent-id', 'a', '--query', 'q', '--next', 'b']],
    ['bad --input with --capability', ['--capability', 'c', '--query', 'q', '--input', '{']],
    ['a bad --task-id with --capability', ['--capability', 'c', '--query', 'q', '--task-id', 'x']],
  ])('%s is a usage error (64), before connecting', async (_name, args) => {
    expect((await inject(...args)).code).toBe(EXIT_USAGE);
  });

  it('--preview-only with --agent-id prints the v2 envelope on stdout and sends nothing (no broker needed)', async () => {
    const taskId = '5d9e2c1a-3b4f-4c6d-8e7f-9a0b1c2d3e4f';
    const r = await inject(
      '--agent-id',
      'researcher',
      '--query',
      'Rust async',
      '--task-id',
      taskId,
      '--conversation-id',
      'conv-preview',
      '--preview-only',
      '--wait',
    );
    expect(r.code).toBe(0);
    const envelope = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(envelope).toEqual({
      task_id: taskId,
      conversation_id: 'conv-preview',
      topic: '/control/agents/researcher/input',
      instruction: 'Rust async',
      input: null,
      next: null,
      version: '2.0',
      context: { original_query: 'Rust async', steps_completed: [], iteration_count: 0 },
    });
    expect(parseEnvelope(envelope, 'researcher').ok).toBe(true);
    expect(r.stderr).toContain(`would send task ${taskId} to /control/agents/researcher/input`);
  });
});
