import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { createWebSearchTool } from '../../../../src/plugins/tools-builtin/search/web-search-tool.js';
import { silentLogger } from '../../../../src/core/observability/silent-logger.js';
import { initTool, recordingLogger, search, toolError, useFakeSearchServer } from './harness.js';

const initCtx = { log: silentLogger, signal: new AbortController().signal, agentId: 'a', dataDir: '/tmp/x' };

/** The error initialize fails with (succeeding fails the test). */
async function initFailure(config: Record<string, unknown>): Promise<Error> {
  try {
    await createWebSearchTool({ env: {} }).initialize?.({ timeout_seconds: 15, ...config }, initCtx);
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected initialize to fail');
}

describe('web_search tool setup', () => {
  const fake = useFakeSearchServer();

  it('describes itself exactly as plugin.json declares it', () => {
    const manifest = JSON.parse(
      readFileSync(new URL('../../../../src/plugins/tools-builtin/plugin.json', import.meta.url), 'utf8'),
    ) as { tools: { name: string; description: string; parameters: unknown }[] };
    const declared = manifest.tools.find((t) => t.name === 'web_search')!;
    expect(createWebSearchTool().describe()).toEqual({
      name: 'web_search',
      description: declared.description,
      parameters: declared.parameters,
    });
  });

  it('starts without an API key, warns naming the variable, and fails each call with SEARCH_NOT_CONFIGURED', async () => {
    const log = recordingLogger();
    const tool = await initTool({ endpoint: `${fake.server.url}/search` }, {}, log);
    const warnings = log.entries.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0])).toContain('SERPER_API_KEY');
    const err = await toolError(search(tool, { query: 'x', num_results: 1 }));
    expect(err.code).toBe('SEARCH_NOT_CONFIGURED');
    expect(err.data).toEqual({ env: 'SERPER_API_KEY' });
    expect(fake.server.requests).toHaveLength(0);
  });

  it('treats an empty key variable as missing', async () => {
    const tool = await initTool({ endpoint: `${fake.server.url}/search` }, { SERPER_API_KEY: '  ' });
    expect((await toolError(search(tool, { query: 'x' }))).code).toBe('SEARCH_NOT_CONFIGURED');
    expect(fake.server.requests).toHaveLength(0);
  });

  it('names a custom api_key_env in the not-configured failure', async () => {
    const tool = await initTool({ api_key_env: 'MY_KEY' }, { SERPER_API_KEY: 'unused' });
    const err = await toolError(search(tool, { query: 'x' }));
    expect(err.code).toBe('SEARCH_NOT_CONFIGURED');
    expect(err.data).toEqual({ env: 'MY_KEY' });
  });

  it('reads the key at initialize, not per call', async () => {
    const env: Record<string, string | undefined> = { SERPER_API_KEY: 'k1' };
    fake.server.answer({ body: { organic: [] } });
    const tool = createWebSearchTool({ env });
    await tool.initialize?.({ backend: 'serper', endpoint: `${fake.server.url}/search` }, initCtx);
    env.SERPER_API_KEY = 'k2';
    await search(tool, { query: 'x', num_results: 1 });
    expect(fake.server.requests[0]!.headers['x-api-key']).toBe('k1');
  });

  it('refuses to start the searxng backend without an endpoint', async () => {
    const err = await initFailure({ backend: 'searxng' });
    expect(err.message).toMatch(/tools\.web_search\.config\.endpoint/);
  });

  it('refuses an endpoint with credentials in it, without repeating them', async () => {
    const err = await initFailure({ backend: 'searxng', endpoint: 'http://user:hunter2@localhost/search' });
    expect(err.message).toMatch(/tools\.web_search\.config\.endpoint/);
    expect(err.message).not.toContain('hunter2');
  });

  it('needs no key for searxng without api_key_env', async () => {
    const log = recordingLogger();
    fake.server.answer({ body: { results: [] } });
    const tool = await initTool({ backend: 'searxng', endpoint: `${fake.server.url}/search` }, {}, log);
    expect(log.entries.filter((l) => l.level === 'warn')).toEqual([]);
    expect(await search(tool, { query: 'x', num_results: 1 })).toEqual({ query: 'x', results: [] });
  });

  it('fails searxng calls with SEARCH_NOT_CONFIGURED when its api_key_env variable is unset', async () => {
    const tool = await initTool(
      {
        backend: 'searxng',
        endpoint: `${fake.server.url}/search`,
        api_key_env: 'SEARX_TOKEN',
      },
      {},
    );
    expect((await toolError(search(tool, { query: 'x' }))).code).toBe('SEARCH_NOT_CONFIGURED');
    expect(fake.server.requests).toHaveLength(0);
  });
});
