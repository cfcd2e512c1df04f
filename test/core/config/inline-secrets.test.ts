// Secrets written inline are AGENT_ERR_CONFIG_INVALID at their key and line, with the fix; the value is never shown.
import { describe, expect, it } from 'vitest';

import { checkConfigText, parseConfigText } from '../../../src/core/config/load.js';
import type { ConfigProblem } from '../../../src/core/errors.js';

const problemsOf = (text: string): ConfigProblem[] => {
  const { error } = checkConfigText(text, 'agent.toml', { env: {} });
  expect(error?.code).toBe('AGENT_ERR_CONFIG_INVALID');
  return (error!.data as { problems: ConfigProblem[] }).problems;
};

describe('inline secrets', () => {
  it('[mqtt] password, [llm] api_key and [dedupe] redis_url are errors naming the *_env key, at their lines', () => {
    const text =
      '[agent]\nid = "a"\n[mqtt]\nbroker_url = "embedded"\npassword = "hunter2-secret"\n' +
      '[llm]\nprovider = "scripted"\napi_key = "sk-inline-secret"\n[dedupe]\nredis_url = "redis://:pw-secret@h"\n';
    const problems = problemsOf(text);
    expect(problems.map((p) => [p.path, p.line])).toEqual([
      ['mqtt.password', 5],
      ['llm.api_key', 8],
      ['dedupe.redis_url', 10],
    ]);
    expect(problems[0]!.message).toContain('use password_env = "VAR"');
    expect(problems[1]!.message).toContain('use api_key_env = "VAR"');
    const { error, warnings } = checkConfigText(text, 'agent.toml', { env: {} });
    for (const secret of ['hunter2-secret', 'sk-inline-secret', 'pw-secret']) {
      expect(error!.message).not.toContain(secret);
      expect(JSON.stringify(error!.data)).not.toContain(secret);
      expect(JSON.stringify(warnings)).not.toContain(secret);
    }
    // Not also an unknown-key warning.
    expect(warnings.map((w) => w.path)).not.toContain('mqtt.password');
  });

  it('is reported together with the other problems of the file', () => {
    const problems = problemsOf('[agent]\nid = "bad id"\n[mqtt]\nbroker_url = "embedded"\nusername = "u"\n');
    expect(problems.map((p) => p.path).sort()).toEqual(['agent.id', 'mqtt.username']);
  });

  it('the *_env form loads', () => {
    const text =
      '[agent]\nid = "a"\n[mqtt]\nbroker_url = "embedded"\nusername_env = "U"\npassword_env = "P"\n';
    expect(parseConfigText(text, 'agent.toml', { env: {} }).config.mqtt.password_env).toBe('P');
  });
});

describe('misspelt keys and generated wording', () => {
  it('a tool table without impl but with imp: impl is required, did you mean impl, at the line of imp', () => {
    const problems = problemsOf(
      '[agent]\nid = "a"\n[mqtt]\nbroker_url = "embedded"\n[tools.x]\nimp = "builtin"\n',
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: 'tools.x.impl', line: 6 });
    expect(problems[0]!.message).toContain('did you mean impl?');
  });

  it('a tool table with a bad value is reported at its key, not as "must be an impl string or a table"', () => {
    const problems = problemsOf('[agent]\nid = "a"\n[mqtt]\nbroker_url = "embedded"\n[tools.x]\nimpl = 3\n');
    expect(problems).toMatchObject([{ path: 'tools.x.impl', line: 6 }]);
    // A value that is not a table keeps the union's summary.
    expect(problemsOf('[agent]\nid = "a"\n[mqtt]\nbroker_url = "embedded"\n[tools]\nx = 3\n')).toMatchObject([
      { path: 'tools.x', message: expect.stringContaining('impl string') as string },
    ]);
  });

  it('says "an array", never "a array"', () => {
    const [p] = problemsOf('[agent]\nid = "a"\ncapabilities = "x"\n[mqtt]\nbroker_url = "embedded"\n');
    expect(p).toMatchObject({ path: 'agent.capabilities' });
    expect(p!.message).toContain('must be an array');
  });
});
