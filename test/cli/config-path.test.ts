import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { UsageError } from '../../src/cli/build-envelope.js';
import { configPath } from '../../src/cli/config-path.js';

describe('configPath', () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.AGENT_CONFIG;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.AGENT_CONFIG;
    else process.env.AGENT_CONFIG = saved;
  });

  it('uses the positional path, even when AGENT_CONFIG is set', () => {
    process.env.AGENT_CONFIG = '/etc/agent/from-env.toml';
    expect(configPath('agent.toml')).toBe('agent.toml');
  });

  it('falls back to AGENT_CONFIG', () => {
    process.env.AGENT_CONFIG = '/etc/agent/from-env.toml';
    expect(configPath(undefined)).toBe('/etc/agent/from-env.toml');
  });

  it('is a UsageError when neither is given', () => {
    delete process.env.AGENT_CONFIG;
    expect(() => configPath(undefined)).toThrow(UsageError);
  });

  it('treats an empty AGENT_CONFIG as unset', () => {
    process.env.AGENT_CONFIG = '';
    expect(() => configPath(undefined)).toThrow(UsageError);
  });
});
