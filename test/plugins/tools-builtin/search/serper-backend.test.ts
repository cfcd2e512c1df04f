import { describe, expect, it } from 'vitest';

import { exposed, initTool, KEY, search, toolError, useFakeSearchServer } from './harness.js';

const organic = (n: number): unknown[] =>
  Array.from({ length: n }, (_, i) => ({
    title: `Title ${i + 1}`,
    link: `https://example.com/${i + 1}`,
    snippet: `Snippet ${i + 1}`,
    position: i + 1,
  }));

describe('web_search with the serper backend', () => {
  const fake = useFakeSearchServer();
  const endpoint = (): string => `${fake.server.url}/search`;

  it('POSTs {q, num} as JSON with the key in X-API-KEY', async () => {
    fake.server.answer({ body: { organic: organic(2) } });
    const tool = await initTool({ endpoint: endpoint() });
    await search(tool, { query: 'mqtt agents', num_results: 3 });
    const [req] = fake.server.requests;
    expect(req!.method).toBe('POST');
    expect(req!.url.pathname).toBe('/search');
    expect(req!.headers['x-api-key']).toBe(KEY);
    expect(req!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req!.body)).toEqual({ q: 'mqtt agents', num: 3 });
  });

  it('maps organic results to {title, url, snippet} in the backend order', async () => {
    fake.server.answer({
      body: {
        searchParameters: { q: 'x' },
        answerBox: { answer: 'ignored' },
        organic: [
          { title: 'B', link: 'https://b.example/', snippet: 'bee', position: 1 },
          { title: 'A', link: 'https://a.example/', snippet: 'ay', position: 2 },
        ],
      },
    });
    const tool = await initTool({ endpoint: endpoint() });
    expect(await search(tool, { query: 'x', num_results: 5 })).toEqual({
      query: 'x',
      results: [
        { title: 'B', url: 'https://b.example/', snippet: 'bee' },
        { title: 'A', url: 'https://a.example/', snippet: 'ay' },
      ],
    });
  });

  it('returns at most num_results even when the server sends more', async () => {
    fake.server.answer({ body: { organic: organic(10) } });
    const tool = await initTool({ endpoint: endpoint() });
    const out = await search(tool, { query: 'x', num_results: 3 });
    expect(out.results.map((r) => r.url)).toEqual([
      'https://example.com/1',
      'https://example.com/2',
      'https://example.com/3',
    ]);
  });

  it('asks for 5 results when num_results is missing', async () => {
    fake.server.answer({ body: { organic: organic(8) } });
    const tool = await initTool({ endpoint: endpoint() });
    const out = await search(tool, { query: 'x' });
    expect(JSON.parse(fake.server.requests[0]!.body)).toEqual({ q: 'x', num: 5 });
    expect(out.results).toHaveLength(5);
  });

  it('drops entries without a link and fills a missing title or snippet with ""', async () => {
    fake.server.answer({
      body: {
        organic: [
          { title: 'no link', snippet: 's' },
          { link: 'https://only-link.example/' },
          'not an object',
          { title: 'empty link', link: '' },
          { title: 7, link: 'https://odd.example/', snippet: null },
        ],
      },
    });
    const tool = await initTool({ endpoint: endpoint() });
    expect((await search(tool, { query: 'x', num_results: 10 })).results).toEqual([
      { title: '', url: 'https://only-link.example/', snippet: '' },
      { title: '', url: 'https://odd.example/', snippet: '' },
    ]);
  });

  it('treats an answer without organic results as no results', async () => {
    fake.server.answer({ body: { searchParameters: { q: 'zzz' } } });
    const tool = await initTool({ endpoint: endpoint() });
    expect(await search(tool, { query: 'zzz', num_results: 5 })).toEqual({ query: 'zzz', results: [] });
  });

  it('reads the key from the variable named by api_key_env', async () => {
    fake.server.answer({ body: { organic: organic(1) } });
    const tool = await initTool(
      { endpoint: endpoint(), api_key_env: 'MY_SEARCH_KEY' },
      { MY_SEARCH_KEY: 'other-key' },
    );
    await search(tool, { query: 'x', num_results: 1 });
    expect(fake.server.requests[0]!.headers['x-api-key']).toBe('other-key');
  });

  it('rejects a key the server refuses with SEARCH_BACKEND_FAILED and never repeats the key', async () => {
    fake.server.answer((req) => ({
      status: 401,
      body: { message: `Unauthorized: key ${String(req.headers['x-api-key'])} is not valid` },
    }));
    const tool = await initTool({ endpoint: endpoint() });
    const err = await toolError(search(tool, { query: 'x', num_results: 1 }));
    expect(err.code).toBe('SEARCH_BACKEND_FAILED');
    expect(err.data).toMatchObject({ backend: 'serper', status: 401 });
    expect(exposed(err)).not.toContain(KEY);
    expect(exposed(err)).toContain('SERPER_API_KEY');
  });

  it('does not follow a redirect (the key header must not travel to another host)', async () => {
    fake.server.answer((req) =>
      req.url.pathname === '/search'
        ? { status: 302, headers: { location: '/elsewhere?token=abc' }, raw: '' }
        : { body: { organic: organic(1) } },
    );
    const tool = await initTool({ endpoint: endpoint() });
    const err = await toolError(search(tool, { query: 'x', num_results: 1 }));
    expect(err.code).toBe('SEARCH_BACKEND_FAILED');
    expect(err.data).toMatchObject({ status: 302, location: `${fake.server.url}/elsewhere` });
    expect(fake.server.requests).toHaveLength(1);
  });
});
