import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { loadGeneration } from '../../src/core/host/generation.js';
import type { LoadableManifest } from '../../src/core/host/load.js';
import { silentLogger } from '../../src/core/observability/silent-logger.js';

const pluginsDir = fileURLToPath(new URL('../../src/plugins/', import.meta.url));
// As discovery does: a folder without plugin.json (provider-common, shared code) is no plugin.
const pluginNames = readdirSync(pluginsDir).filter((name) => existsSync(`${pluginsDir}${name}/plugin.json`));
const firstParty = pluginNames.map((name) => {
  const dir = `${pluginsDir}${name}`;
  return {
    dir,
    manifest: JSON.parse(readFileSync(`${dir}/plugin.json`, 'utf8')) as LoadableManifest & {
      tools?: Array<{
        name: string;
        description: string;
        parameters: unknown;
        configSchema?: unknown;
        executor: { type: string };
      }>;
    },
  };
});

describe('first-party plugins load through the plugin host', () => {
  it('every first-party plugin registers exactly what its plugin.json declares', async () => {
    const gen = await loadGeneration(firstParty, {
      id: 1,
      log: silentLogger,
      optionsFor: (n) => ({ options: {}, key: n }),
    });
    expect([...gen.providers.keys()].sort()).toEqual(['anthropic', 'openai', 'scripted']);
    expect([...gen.tools.keys()].sort()).toEqual([
      'tools-builtin:file_list',
      'tools-builtin:file_read',
      'tools-builtin:file_write',
      'tools-builtin:http_request',
      'tools-builtin:web_search',
      'tools-core:current_time',
      'tools-core:echo',
    ]);
    await gen.close();
  });

  it("each module tool's describe() matches its manifest entry", async () => {
    const gen = await loadGeneration(firstParty, {
      id: 2,
      log: silentLogger,
      optionsFor: (n) => ({ options: {}, key: n }),
    });
    for (const plugin of firstParty) {
      for (const declared of plugin.manifest.tools ?? []) {
        const { executor: _executor, configSchema: _configSchema, ...described } = declared;
        expect(gen.tools.get(`${plugin.manifest.name}:${declared.name}`)?.tool.describe()).toEqual(described);
      }
    }
    await gen.close();
  });
});
