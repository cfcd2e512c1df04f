// The provider-anthropic plugin loads through the plugin host and registers what plugin.json declares.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { loadGeneration } from '../../../src/core/host/generation.js';
import type { LoadableManifest } from '../../../src/core/host/load.js';
import { silentLogger } from '../../../src/core/observability/silent-logger.js';

const dir = fileURLToPath(new URL('../../../src/plugins/provider-anthropic', import.meta.url));

describe('provider-anthropic plugin', () => {
  it('registers the `anthropic` provider factory (requires an API key)', async () => {
    const manifest = JSON.parse(readFileSync(`${dir}/plugin.json`, 'utf8')) as LoadableManifest;
    const gen = await loadGeneration([{ dir, manifest }], {
      id: 1,
      log: silentLogger,
      optionsFor: (n) => ({ options: {}, key: n }),
    });
    expect([...gen.providers.keys()]).toEqual(['anthropic']);
    expect(gen.providers.get('anthropic')?.factory.requiresApiKey).toBe(true);
    await gen.close();
  });
});
