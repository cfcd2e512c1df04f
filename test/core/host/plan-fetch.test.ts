// Planning host.fetch for script tools: declared host functions × the [tools.x.fetch] policy table.
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { DEFAULT_FETCH_POLICY } from '../../../src/core/config/fetch-policy.js';
import { parseConfigText } from '../../../src/core/config/load.js';
import { discoverPlugins } from '../../../src/core/host/discover.js';
import { planPlugins } from '../../../src/core/host/plan.js';
import { FIRST_PARTY_PLUGINS_DIR } from '../../../src/plugin-sources.js';
import { thrown } from '../../helpers/thrown.js';

const bare = { injectedProviders: ['scripted'], injectedTools: [] };
const SCRIPT = 'impl = "script"\nsource = "t.js"\ndescription = "d"\n';

const config = (tools: string) =>
  parseConfigText(
    `[agent]\nid = "p"\n[mqtt]\nbroker_url = "embedded"\n[llm]\nprovider = "scripted"\n[tools]\n${tools}\n`,
    'a.toml',
    { env: {} },
  ).config;

const plan = (tools: string) => planPlugins(config(tools), [], bare);

describe('host.fetch planning', () => {
  it('an inline script has only host.log unless host_functions adds fetch', () => {
    expect(plan(`[tools.t]\n${SCRIPT}`).tools[0]).toMatchObject({ hostFunctions: ['log'] });
    expect(plan(`[tools.t]\n${SCRIPT}`).tools[0]).not.toHaveProperty('fetch');
  });

  it('declaring fetch without a [tools.x.fetch] table gives the default policy: public hosts only', () => {
    const t = plan(`[tools.t]\n${SCRIPT}host_functions = ["log", "fetch"]`).tools[0];
    expect(t).toMatchObject({ hostFunctions: ['log', 'fetch'], fetch: DEFAULT_FETCH_POLICY });
    expect(DEFAULT_FETCH_POLICY).toMatchObject({
      allow_private_networks: false,
      allowed_private_cidrs: [],
      max_requests: 10,
    });
  });

  it('the [tools.x.fetch] table is the policy, with defaults for the keys it leaves out', () => {
    const tools =
      `[tools.t]\n${SCRIPT}host_functions = ["fetch"]\n` +
      '[tools.t.fetch]\nallowed_hosts = ["api.example.com"]\nmax_requests = 3';
    expect(plan(tools).tools[0]).toMatchObject({
      hostFunctions: ['fetch'],
      fetch: { ...DEFAULT_FETCH_POLICY, allowed_hosts: ['api.example.com'], max_requests: 3 },
    });
  });

  it('a fetch table for a script that does not declare fetch is AGENT_ERR_CONFIG_INVALID at its line', () => {
    const err = thrown(() => plan(`[tools.t]\n${SCRIPT}[tools.t.fetch]\nmax_requests = 3`));
    expect(err).toMatchObject({
      code: 'AGENT_ERR_CONFIG_INVALID',
      data: { file: 'a.toml', problems: [{ path: 'tools.t.fetch', line: 12 }] },
    });
  });

  it('a malformed CIDR or host glob is AGENT_ERR_TOOL_CONFIG_INVALID naming tools.x.fetch', () => {
    for (const bad of [
      'allowed_private_cidrs = ["10.0.0.0/33"]',
      'allowed_hosts = ["https://example.com/"]',
    ]) {
      const err = thrown(() =>
        plan(`[tools.t]\n${SCRIPT}host_functions = ["fetch"]\n[tools.t.fetch]\n${bad}`),
      );
      expect(err).toMatchObject({ code: 'AGENT_ERR_TOOL_CONFIG_INVALID', data: { key: 'tools.t.fetch' } });
    }
  });

  it('an unknown key in the fetch table (a typo in a security policy) is a config error', () => {
    const err = thrown(() =>
      config(`[tools.t]\n${SCRIPT}host_functions = ["fetch"]\n[tools.t.fetch]\nallow_private_network = true`),
    );
    expect(err).toMatchObject({
      code: 'AGENT_ERR_CONFIG_INVALID',
      data: { problems: [{ path: 'tools.t.fetch.allow_private_network' }] },
    });
  });

  it('host_functions and fetch on a subprocess tool are AGENT_ERR_CONFIG_INVALID at their line', () => {
    const external = 'impl = "external"\ncommand = "/bin/true"\n';
    for (const [extra, key] of [
      ['host_functions = ["fetch"]', 'tools.t.host_functions'],
      ['[tools.t.fetch]\nmax_requests = 1', 'tools.t.fetch'],
    ]) {
      const err = thrown(() => plan(`[tools.t]\n${external}${extra}`));
      expect(err).toMatchObject({
        code: 'AGENT_ERR_CONFIG_INVALID',
        data: { problems: [{ path: key, line: 11 }] },
      });
    }
  });

  it("a plugin script's host functions come from its manifest: the table cannot add fetch", async () => {
    const list = await discoverPlugins({
      firstPartyDir: FIRST_PARTY_PLUGINS_DIR,
      dirs: [fileURLToPath(new URL('../../fixtures/plugins/good-tools', import.meta.url))],
      nodeModulesDirs: [],
    });
    const base = '[tools.word_count]\nimpl = "plugin:good-tools"\n';
    for (const [extra, key] of [
      ['host_functions = ["fetch"]', 'tools.word_count.host_functions'],
      ['[tools.word_count.fetch]\nmax_requests = 1', 'tools.word_count.fetch'],
    ]) {
      const err = thrown(() => planPlugins(config(base + extra), list, bare));
      expect(err).toMatchObject({
        code: 'AGENT_ERR_CONFIG_INVALID',
        data: { problems: [{ path: key, line: 10 }] },
      });
    }
  });
});
