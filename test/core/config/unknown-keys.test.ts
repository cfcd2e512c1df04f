import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';

import { findUnknownKeys, hoistTopLevelKeys } from '../../../src/core/config/unknown-keys.js';

const BASE = `[agent]\nid = "a1"\n[mqtt]\nbroker_url = "embedded"\n[llm]\nprovider = "scripted"\n`;
const toml = (text: string): Record<string, unknown> => parse(text);

describe('hoistTopLevelKeys', () => {
  it('moves task_timeout found in [tools.x] to the top level, with a warning', () => {
    const raw = toml(`${BASE}[tools.shell]\nimpl = "builtin"\ntask_timeout = 120\n`);
    const warnings = hoistTopLevelKeys(raw);
    expect(raw.task_timeout).toBe(120);
    expect(raw.tools).toEqual({ shell: { impl: 'builtin' } });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.path).toBe('tools.shell.task_timeout');
    expect(warnings[0]!.message).toContain('[tools.shell]');
  });

  it('moves top-level scalars out of any section', () => {
    const raw = toml(`${BASE}[health]\nport = 8081\nmax_concurrent_tasks = 2\npublish_intermediate = true\n`);
    const warnings = hoistTopLevelKeys(raw);
    expect(raw).toMatchObject({
      max_concurrent_tasks: 2,
      publish_intermediate: true,
      health: { port: 8081 },
    });
    expect(raw.health).toEqual({ port: 8081 });
    expect(warnings.map((w) => w.path)).toEqual([
      'health.max_concurrent_tasks',
      'health.publish_intermediate',
    ]);
  });

  it('does not overwrite a top-level value that is already set, and drops the scoped one', () => {
    const raw = toml(`task_timeout = 30\n${BASE}[tools.shell]\nimpl = "builtin"\ntask_timeout = 120\n`);
    const warnings = hoistTopLevelKeys(raw);
    expect(raw.task_timeout).toBe(30);
    expect(raw.tools).toEqual({ shell: { impl: 'builtin' } });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.path).toBe('tools.shell.task_timeout');
    expect(warnings[0]!.message).toMatch(/already set/);
  });

  it('leaves known table keys, nested tables and tool shorthands alone', () => {
    const text =
      `max_pipeline_depth = 4\n${BASE}[tools]\necho = "builtin"\n` +
      `[tools.shell]\nimpl = "builtin"\ntimeout_seconds = 5\n[tools.shell.config]\ntask_timeout = 9\n`;
    const raw = toml(text);
    const before = structuredClone(raw);
    expect(hoistTopLevelKeys(raw)).toEqual([]);
    expect(raw).toEqual(before);
  });

  it('does not hoist a table that happens to have a top-level name', () => {
    const raw = toml(`${BASE}[health.task_timeout]\nx = 1\n`);
    expect(hoistTopLevelKeys(raw)).toEqual([]);
    expect(raw.task_timeout).toBeUndefined();
  });
});

describe('findUnknownKeys', () => {
  it('finds nothing in a config that uses only known keys', () => {
    const text =
      `task_timeout = 5\n${BASE}model = "m"\n[mqtt.embedded]\nport = 1884\n` +
      `[tools]\necho = "builtin"\n[tools.shell]\nimpl = "builtin"\nsandbox = "none"\n`;
    expect(findUnknownKeys(toml(text))).toEqual([]);
  });

  it('warns about an unknown root key, with a suggestion', () => {
    const warnings = findUnknownKeys(toml(`task_timout = 5\n${BASE}`));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.path).toBe('task_timout');
    expect(warnings[0]!.message).toContain('did you mean task_timeout?');
  });

  it('warns about an unknown root table without looking inside it', () => {
    const warnings = findUnknownKeys(toml(`${BASE}[zzzzzzzz]\nfoo = 1\n`));
    expect(warnings.map((w) => w.path)).toEqual(['zzzzzzzz']);
    expect(warnings[0]!.message).not.toContain('did you mean');
  });

  it('warns about unknown keys in a section with the section in the suggestion', () => {
    const warnings = findUnknownKeys(toml(`${BASE}[log]\nformt = "json"\n`));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.path).toBe('log.formt');
    expect(warnings[0]!.message).toContain('did you mean log.format?');
  });

  it('warns about unknown keys in [mqtt.embedded]', () => {
    const warnings = findUnknownKeys(toml(`${BASE}[mqtt.embedded]\nprot = 1884\n`));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.path).toBe('mqtt.embedded.prot');
    expect(warnings[0]!.message).toContain('did you mean mqtt.embedded.port?');
  });

  it('warns about unknown keys in tool tables, inline or not', () => {
    const text = `${BASE}[tools]\nweb = { impl = "builtin", timout_seconds = 3 }\n[tools.shell]\nimpl = "builtin"\ncomand = "ls"\n`;
    const warnings = findUnknownKeys(toml(text));
    expect(warnings.map((w) => w.path).sort()).toEqual(['tools.shell.comand', 'tools.web.timout_seconds']);
    expect(warnings.find((w) => w.path === 'tools.shell.comand')!.message).toContain(
      'did you mean tools.shell.command?',
    );
  });

  it('ignores the free-form [tools.x.config] table', () => {
    const text = `${BASE}[tools.shell]\nimpl = "builtin"\n[tools.shell.config]\nanything = 1\nnested = { deep = true }\n`;
    expect(findUnknownKeys(toml(text))).toEqual([]);
  });

  it('skips sections whose value is not a table (validation reports those)', () => {
    expect(findUnknownKeys({ ...toml(BASE), health: 5, tools: 'x' })).toEqual([]);
  });
});
