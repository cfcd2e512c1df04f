import { describe, expect, it } from 'vitest';

import { exposed, initTool, search, toolError, useFakeSearchServer } from './harness.js';

const results = (n: number): unknown[] =>
  Array.from({ length: n }, (_, i) => ({
    url: `https://example.org/${i + 1}`,
    title: `Title ${i + 1}`,
    content: `Content ${i + 1}`,
    engine: 'duckduckgo',
    score: 1,
  }));

describe('web_search with the searxng backend', () => {
  const fake = useFakeSearchServer();
  const searxng = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    backend: 'searxng',
    endpoint: `${fake.server.url}/search`,
    ...extra,
  });

  it('GETs the endpoint with q and format=json and no auth header by default', async () => {
    fake.server.answer({ body: { query: 'x', results: results(1) } });
    const tool = await initTool(searxng(), {});
    await search(tool, { query: 'open source llm', num_results: 2 });
    const [req] = fake.server.requests;
    expect(req!.method).toBe('GET');
    expect(req!.url.pathname).toBe('/search');
    expect(req!.url.searchParams.get('q')).toBe('open source llm');
    expect(req!.url.searchParams.get('format')).toBe('json');
    expect(req!.headers.authorization).toBeUndefined();
  });

  it('keeps the query parameters already on the endpoint', async () => {
    fake.server.answer({ body: { query: 'x', results: [] } });
    const tool = await initTool(
      searxng({ endpoint: `${fake.server.url}/search?categories=general&language=de` }),
      {},
    );
    await search(tool, { query: 'x', num_results: 2 });
    const { searchParams } = fake.server.requests[0]!.url;
    expect(searchParams.get('categories')).toBe('general');
    expect(searchParams.get('language')).toBe('de');
    expect(searchParams.get('q')).toBe('x');
    expect(searchParams.get('format')).toBe('json');
  });

  it('maps content to snippet and keeps at most num_results in order', async () => {
    fake.server.answer({ body: { query: 'x', results: results(30), unresponsive_engines: [] } });
    const tool = await initTool(searxng(), {});
    expect(await search(tool, { query: 'x', num_results: 2 })).toEqual({
      query: 'x',
      results: [
        { title: 'Title 1', url: 'https://example.org/1', snippet: 'Content 1' },
        { title: 'Title 2', url: 'https://example.org/2', snippet: 'Content 2' },
      ],
    });
  });

  it('drops results without a url', async () => {
    fake.server.answer({
      body: {
        results: [
          { title: 'no url', content: 'c' },
          { url: 'https://u.example/', title: 'U' },
        ],
      },
    });
    const tool = await initTool(searxng(), {});
    expect((await search(tool, { query: 'x', num_results: 5 })).results).toEqual([
      { title: 'U', url: 'https://u.example/', snippet: '' },
    ]);
  });

  it('encodes a Unicode query as UTF-8', async () => {
    const query = 'café 東京 🚀 a&b=c+d #1 100%';
    fake.server.answer({ body: { results: [] } });
    const tool = await initTool(searxng(), {});
    await search(tool, { query, num_results: 1 });
    const { url } = fake.server.requests[0]!;
    expect(url.searchParams.get('q')).toBe(query);
    expect(url.search).toContain('caf%C3%A9');
    expect(url.search).toContain('%F0%9F%9A%80');
  });

  it('sends the key named by api_key_env as a Bearer token', async () => {
    fake.server.answer({ body: { results: [] } });
    const tool = await initTool(searxng({ api_key_env: 'SEARX_TOKEN' }), { SEARX_TOKEN: 'proxy-token-99' });
    await search(tool, { query: 'x', num_results: 1 });
    expect(fake.server.requests[0]!.headers.authorization).toBe('Bearer proxy-token-99');
  });

  it('reports an instance without the JSON format (403) as SEARCH_BACKEND_FAILED with a hint', async () => {
    fake.server.answer({
      status: 403,
      headers: { 'content-type': 'text/html' },
      raw: '<h1>403 Forbidden</h1>',
    });
    const tool = await initTool(searxng(), {});
    const err = await toolError(search(tool, { query: 'x', num_results: 1 }));
    expect(err.code).toBe('SEARCH_BACKEND_FAILED');
    expect(err.data).toMatchObject({ backend: 'searxng', status: 403 });
    expect(err.message).toContain('search.formats');
  });

  it('never repeats the proxy key, even when the server echoes it', async () => {
    fake.server.answer((req) => ({ status: 401, raw: `bad token: ${String(req.headers.authorization)}` }));
    const tool = await initTool(searxng({ api_key_env: 'SEARX_TOKEN' }), { SEARX_TOKEN: 'proxy-token-99' });
    const err = await toolError(search(tool, { query: 'x', num_results: 1 }));
    expect(err.code).toBe('SEARCH_BACKEND_FAILED');
    expect(err.data).toMatchObject({ status: 401 });
    expect(exposed(err)).not.toContain('proxy-token-99');
  });

  it.each([
    ['an answer without results', { query: 'x' }],
    ['results that are not a list', { results: { url: 'https://x.example/' } }],
    ['a JSON array', [{ url: 'https://x.example/' }]],
  ])('rejects %s with SEARCH_BAD_RESPONSE', async (_name, body) => {
    fake.server.answer({ body });
    const tool = await initTool(searxng(), {});
    expect((await toolError(search(tool, { query: 'x', num_results: 1 }))).code).toBe('SEARCH_BAD_RESPONSE');
  });
});
