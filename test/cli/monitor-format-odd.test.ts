// `agent2389 monitor` shows whatever is on the wire: messages with missing, mistyped or unknown fields still
// get one readable line (pretty and compact), never a crash or an `undefined`.
import { describe, expect, it } from 'vitest';

import { formatCompact, formatPretty } from '../../src/cli/monitor-format.js';
import { observe } from '../../src/cli/observed-message.js';
import { createPalette } from '../../src/cli/terminal-style.js';

const plain = createPalette(false);
const at = new Date(2026, 10, 25, 10, 15, 30, 123); // local time: the clock column is local
const m = (topic: string, payload: unknown, retain = false) =>
  observe(
    { topic, payload: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)), retain },
    at,
  );
const both = (msg: ReturnType<typeof m>) => [formatPretty(msg, plain), formatCompact(msg, plain)];

describe('monitor lines for odd messages', () => {
  it('a status without load, version or tools; capabilities and tools that are not string lists', () => {
    expect(
      both(
        m('/control/agents/w/status', {
          agent_id: 'w',
          status: 'available',
          tools: 'echo',
          capabilities: [1, 'x'],
          load: 'high',
        }),
      ),
    ).toEqual([
      '10:15:30.123 ● status    w            available · capabilities x · no tools',
      '10:15:30.123 status w available tools=0',
    ]);
  });

  it('a retained unavailable status says so, with no details it does not have', () => {
    const [pretty, compact] = both(
      m('/control/agents/w/status', { agent_id: 'w', status: 'unavailable' }, true),
    );
    expect(pretty).toBe('10:15:30.123 ● status    w            unavailable · no tools  (retained)');
    expect(compact).toBe('10:15:30.123 status w unavailable tools=0 retained');
  });

  it('a task whose next hop has no topic shows ? for that hop', () => {
    const task = m('/control/agents/w/input', {
      task_id: 'abc',
      next: { topic: 42, next: { topic: '/control/agents/e/input' } },
    });
    expect(both(task)).toEqual([
      '10:15:30.123 → task      w            task abc · next ? → e',
      '10:15:30.123 task w abc next=?,e',
    ]);
  });

  it('a last-hop task with an instruction and a null input shows the instruction only', () => {
    const task = m('/control/agents/w/input', {
      task_id: 'abc',
      conversation_id: 'c',
      instruction: 'go',
      input: null,
    });
    expect(both(task)).toEqual([
      '10:15:30.123 → task      w            task abc · conv c · last hop\n                        "go"',
      '10:15:30.123 task w abc "go"',
    ]);
  });

  it('a conversation message that is neither a response nor an error is malformed, with its text', () => {
    for (const body of [
      { task_id: 'abc', error: 'plain text' },
      { task_id: 'abc', response: 12 },
    ]) {
      const [pretty, compact] = both(m('/conversations/c/w', body));
      expect(pretty).toBe(
        `10:15:30.123 ? malformed /conversations/c/w · (neither a response nor an error)\n${' '.repeat(24)}${JSON.stringify(body)}`,
      );
      expect(compact).toBe('10:15:30.123 malformed abc /conversations/c/w neither a response nor an error');
    }
  });

  it('a progress event of an unknown kind shows its name alone', () => {
    expect(both(m('/control/agents/w/progress', { agent_id: 'w', event: 'something_new' }))).toEqual([
      '10:15:30.123 · progress  w            something_new',
      '10:15:30.123 progress w something_new',
    ]);
  });

  it('text that is not JSON on an unknown topic', () => {
    expect(both(m('/elsewhere', 'not json'))).toEqual([
      `10:15:30.123 ? malformed /elsewhere · (not JSON)\n${' '.repeat(24)}not json`,
      '10:15:30.123 malformed /elsewhere not JSON',
    ]);
  });
});
