import { describe, expect, it } from 'vitest';

import {
  ageMs,
  agentOfInputTopic,
  clockTime,
  formatDuration,
  preview,
  relativeAge,
} from '../../src/cli/display-text.js';

describe('display-text', () => {
  it('preview flattens whitespace and cuts with an ellipsis', () => {
    expect(preview('a\n\n  b\tc', 10)).toBe('a b c');
    expect(preview('abcdefghij', 5)).toBe('abcd…');
    expect(preview('abcde', 5)).toBe('abcde');
  });

  it('formatDuration picks a unit', () => {
    expect(formatDuration(41.4)).toBe('41 ms');
    expect(formatDuration(1234)).toBe('1.2 s');
    expect(formatDuration(125_000)).toBe('2m 05s');
    expect(formatDuration(-1)).toBe('?');
  });

  it('clockTime is HH:MM:SS.mmm local time', () => {
    expect(clockTime(new Date(2026, 0, 2, 3, 4, 5, 6))).toBe('03:04:05.006');
  });

  it('relativeAge reads like "4s ago", from the status timestamp', () => {
    const now = Date.parse('2026-11-25T10:15:34.500Z');
    expect(ageMs('2026-11-25T10:15:30.123Z', now)).toBe(4377);
    expect(relativeAge(ageMs('2026-11-25T10:15:30.123Z', now))).toBe('4s ago');
    expect(relativeAge(3 * 60_000 + 5)).toBe('3m ago');
    expect(relativeAge(2 * 3_600_000)).toBe('2h ago');
    expect(relativeAge(5 * 86_400_000)).toBe('5d ago');
    expect(relativeAge(-2000)).toBe('just now');
    expect(ageMs('yesterday', now)).toBeUndefined();
    expect(ageMs(42, now)).toBeUndefined();
    expect(relativeAge(undefined)).toBe('unknown');
  });

  it('agentOfInputTopic extracts the agent id, or returns the topic', () => {
    expect(agentOfInputTopic('/control/agents/writer/input')).toBe('writer');
    expect(agentOfInputTopic('//control/agents/writer/input/')).toBe('writer');
    expect(agentOfInputTopic('/somewhere/else')).toBe('/somewhere/else');
  });
});
