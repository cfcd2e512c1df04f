// describeCommand: `command --describe` under the same sandbox and limits, validated, coded failures.
import { beforeAll, describe, expect, it } from 'vitest';

import { describeCommand } from '../../../src/core/sandbox/subprocess.js';
import { rejected } from '../../helpers/thrown.js';
import { FAST_LIMITS, callOptions, ensureFixtureModes, fixtureSpec } from './subprocess-fixtures.js';

beforeAll(ensureFixtureModes);

describe('describeCommand', () => {
  it('returns the description and parameter schema the tool prints', async () => {
    await expect(describeCommand(fixtureSpec('echo-json'), callOptions())).resolves.toEqual({
      description: 'Echo the request',
      parameters: { type: 'object', properties: {} },
    });
  });

  it.each([
    ['prints no JSON', fixtureSpec('non-json'), 'AGENT_ERR_TOOL_BAD_OUTPUT'],
    ['exits non-zero', fixtureSpec('exit-nonzero-with-stderr'), 'AGENT_ERR_TOOL_EXIT'],
    ['cannot start', fixtureSpec('not-executable'), 'AGENT_ERR_TOOL_NOT_EXECUTABLE'],
    [
      'runs too long',
      fixtureSpec('infinite-loop', { limits: { ...FAST_LIMITS, timeoutMs: 300, forceKillAfterMs: 300 } }),
      'AGENT_ERR_TOOL_TIMEOUT',
    ],
  ])('throws ERR_TOOL_DESCRIBE_FAILED when the tool %s, with the cause', async (_what, spec, causeCode) => {
    const err = await rejected(describeCommand(spec, callOptions()));
    expect(err.code).toBe('AGENT_ERR_TOOL_DESCRIBE_FAILED');
    expect((err.cause as { code?: string }).code).toBe(causeCode);
  });

  it('throws ERR_TOOL_DESCRIBE_FAILED when parameters is not an object schema', async () => {
    const err = await rejected(describeCommand(fixtureSpec('bad-describe'), callOptions()));
    expect(err.code).toBe('AGENT_ERR_TOOL_DESCRIBE_FAILED');
    expect(err.data).toMatchObject({ tool: 'bad-describe' });
  });
});
