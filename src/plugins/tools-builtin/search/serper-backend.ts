// Serper-style search API: POST {q, num} with X-API-KEY, answer `organic: [{title, link, snippet}]`.
import { collectResults, isObject, type SearchBackend, type SearchResult } from './search-backend.js';
import { badResponse, type SearchTarget } from './search-errors.js';
import { requestJson } from './search-http.js';

export interface SerperOptions {
  readonly endpoint: URL;
  readonly apiKey: string;
  /** The variable the key came from, named in hints (never the key itself). */
  readonly apiKeyEnv: string;
  readonly timeoutSeconds: number;
}

const SERPER_FIELDS = { title: 'title', url: 'link', snippet: 'snippet' } as const;

/**
 * The organic results. Serper leaves out empty sections, so a missing `organic` means no results;
 * anything else that is not a list (or an answer that is not an object) is a bad response.
 * answerBox, knowledgeGraph and the like are ignored.
 */
export function parseSerperAnswer(answer: unknown, limit: number, target: SearchTarget): SearchResult[] {
  if (!isObject(answer)) throw badResponse(target, 'expected a JSON object');
  const organic = answer.organic ?? [];
  if (!Array.isArray(organic)) throw badResponse(target, '"organic" is not a list');
  return collectResults(organic, SERPER_FIELDS, limit);
}

export function createSerperBackend(options: SerperOptions): SearchBackend {
  const target: SearchTarget = { backend: 'serper', host: options.endpoint.host };
  const statusHint = (status: number): string | undefined =>
    status === 401 || status === 403 ? `the API key in ${options.apiKeyEnv} was rejected` : undefined;
  return {
    name: 'serper',
    async search(query, numResults, signal) {
      const answer = await requestJson({
        target,
        url: options.endpoint,
        method: 'POST',
        headers: {
          'X-API-KEY': options.apiKey,
          'Content-Type': 'application/json',
          Accept: 'application/json',
        },
        body: JSON.stringify({ q: query, num: numResults }),
        timeoutSeconds: options.timeoutSeconds,
        signal,
        secret: options.apiKey,
        statusHint,
      });
      return parseSerperAnswer(answer, numResults, target);
    },
  };
}
