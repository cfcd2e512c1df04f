import { describe, expect, it } from 'vitest';

import { resolveDataDir } from '../../../src/core/config/data-dir.js';
import { parseConfigText } from '../../../src/core/config/load.js';

const MINIMAL = '[agent]\nid = "a1"\n[mqtt]\nbroker_url = "embedded"\n';

describe('data_dir', () => {
  it('is resolved relative to the config file', () => {
    const { config } = parseConfigText(`data_dir = "state"\n${MINIMAL}`, '/etc/agents/agent.toml', {
      env: {},
    });
    expect(config.data_dir).toBe('/etc/agents/state');
    expect(resolveDataDir(config, {})).toBe('/etc/agents/state');
  });

  it('can be set by AGENT2389_DATA_DIR', () => {
    const { config } = parseConfigText(MINIMAL, '/etc/agents/agent.toml', {
      env: { AGENT2389_DATA_DIR: '/data' },
    });
    expect(resolveDataDir(config, {})).toBe('/data');
  });

  it('defaults to $XDG_DATA_HOME/agent2389/<id>, else ~/.local/share/agent2389/<id>', () => {
    const { config } = parseConfigText(MINIMAL, '/etc/agents/agent.toml', { env: {} });
    expect(config.data_dir).toBeUndefined();
    expect(resolveDataDir(config, { XDG_DATA_HOME: '/xdg' })).toBe('/xdg/agent2389/a1');
    expect(resolveDataDir(config, { HOME: '/home/op' })).toBe('/home/op/.local/share/agent2389/a1');
    // A relative XDG_DATA_HOME is invalid per the XDG spec and ignored.
    expect(resolveDataDir(config, { XDG_DATA_HOME: 'rel', HOME: '/h' })).toBe('/h/.local/share/agent2389/a1');
  });
});
