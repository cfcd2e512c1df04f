// SearXNG JSON API: GET <endpoint>?q=…&format=json, answer `results: [{url, title, content}]`.
import { collectResults, isObject, type SearchBackend, type SearchResult } from './search-backend.js';
import { badResponse, type SearchTarget } from './search-errors.js';
import { requestJson } from './search-http.js';

export interface SearxngOptions {
  readonly endpoint: URL;
  /**
   * SearXNG itself has no API keys. An instance behind an authenticating reverse proxy can be given
   * one with api_key_env: it is sent as `Authorization: Bearer <key>` (what oauth2-proxy, Caddy or
   * nginx token checks expect). Without api_key_env no auth header is sent.
   */
  readonly apiKey: string | undefined;
  readonly apiKeyEnv: string | undefined;
  readonly timeoutSeconds: number;
}

const SEARXNG_FIELDS = { title: 'title', url: 'url', snippet: 'content' } as const;

/** The search URL: the endpoint with its own query parameters kept, plus q and format=json. */
export function searxngUrl(endpoint: URL, query: string): URL {
  const url = new URL(endpoint);
  url.searchParams.set('q', query);
  url.searchParams.set('format', 'json');
  return url;
}

/** SearXNG always sends a `results` list; anything else is a bad response. */
export function parseSearxngAnswer(answer: unknown, limit: number, target: SearchTarget): SearchResult[] {
  if (!isObject(answer)) throw badResponse(target, 'expected a JSON object');
  if (!Array.isArray(answer.results)) throw badResponse(target, '"results" is missing or not a list');
  return collectResults(answer.results, SEARXNG_FIELDS, limit);
}

function statusHintFor(apiKeyEnv: string | undefined): (status: number) => string | undefined {
  return (status) => {
    if (status === 403) {
      const proxy = apiKeyEnv ? `, or a proxy rejected the key in ${apiKeyEnv}` : '';
      return `SearXNG answers 403 when its JSON API is off: add "json" to search.formats in settings.yml${proxy}`;
    }
    if (status === 401) {
      return apiKeyEnv
        ? `the key in ${apiKeyEnv} was rejected`
        : 'the server wants credentials: set api_key_env (the key is sent as Authorization: Bearer)';
    }
    return undefined;
  };
}

export function createSearxngBackend(options: SearxngOptions): SearchBackend {
  const target: SearchTarget = { backend: 'searxng', host: options.endpoint.host };
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.apiKey) headers.Authorization = `Bearer ${options.apiKey}`;
  const statusHint = statusHintFor(options.apiKeyEnv);
  return {
    name: 'searxng',
    async search(query, numResults, signal) {
      const answer = await requestJson({
        target,
        url: searxngUrl(options.endpoint, query),
        method: 'GET',
        headers,
        timeoutSeconds: options.timeoutSeconds,
        signal,
        secret: options.apiKey,
        statusHint,
      });
      return parseSearxngAnswer(answer, numResults, target);
    },
  };
}
