// The search backend contract (one per API) and the shared mapping of raw entries to results.

export interface SearchResult {
  readonly title: string;
  readonly url: string;
  readonly snippet: string;
}

/** One search API (Serper, SearXNG, …): its answer mapped to results, in the backend's order. */
export interface SearchBackend {
  readonly name: string;
  /** At most `numResults` results; `signal` aborts the request (timeouts are the backend's own). */
  search(query: string, numResults: number, signal: AbortSignal): Promise<SearchResult[]>;
}

/** Which keys of a raw entry hold the title, URL and snippet. */
export interface ResultFields {
  readonly title: string;
  readonly url: string;
  readonly snippet: string;
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Map raw entries to results: entries without a URL are dropped, a missing title or snippet is "". */
export function collectResults(
  entries: readonly unknown[],
  fields: ResultFields,
  limit: number,
): SearchResult[] {
  const results: SearchResult[] = [];
  for (const entry of entries) {
    if (results.length >= limit) break;
    if (!isObject(entry)) continue;
    const url = text(entry[fields.url]).trim();
    if (url === '') continue;
    results.push({ title: text(entry[fields.title]), url, snippet: text(entry[fields.snippet]) });
  }
  return results;
}
