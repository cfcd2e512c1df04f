// The plugin context: registrations only while setup() runs.
import { describe, expect, it } from 'vitest';

import type { ProviderFactoryV1 } from '@agent2389/tool-sdk';
import { createPluginContext } from '../../../src/core/host/context.js';
import { silentLogger } from '../../../src/core/observability/silent-logger.js';
import { thrown } from '../../helpers/thrown.js';

const spec = {
  name: 'late',
  options: {},
  log: silentLogger,
  signal: new AbortController().signal,
  moduleTools: [],
  providers: ['late-llm'],
};
const provider = { id: 'late-llm' } as unknown as ProviderFactoryV1;

describe('createPluginContext', () => {
  it('a registration after setup() has finished is AGENT_ERR_PLUGIN_REGISTRATION_CLOSED naming the plugin', () => {
    const { ctx, registrations } = createPluginContext(spec);
    ctx.registerProvider(provider);
    expect([...registrations.providers.keys()]).toEqual(['late-llm']);
    registrations.sealed = true;
    registrations.providers.clear();
    expect(thrown(() => ctx.registerProvider(provider))).toMatchObject({
      code: 'AGENT_ERR_PLUGIN_REGISTRATION_CLOSED',
      data: { plugin: 'late' },
    });
    expect(registrations.providers.size).toBe(0);
  });
});
