// `web_search`: search the web through a Serper-style API or a SearXNG instance; returns title, URL, snippet.
import type { LoggerV1, ToolV1 } from '@agent2389/tool-sdk';
import { describeFromManifest } from '../manifest-tools.js';
import type { SearchBackend, SearchResult } from './search-backend.js';
import { readSearchSettings, type SearchSettings } from './search-config.js';
import { notConfigured } from './search-errors.js';
import { createSearxngBackend } from './searxng-backend.js';
import { createSerperBackend } from './serper-backend.js';

export interface WebSearchInput {
  query: string;
  num_results?: number;
}

export interface WebSearchOutput {
  query: string;
  results: SearchResult[];
}

export interface WebSearchToolOptions {
  /** Where API keys are read from at initialize; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const DEFAULT_NUM_RESULTS = 5;
const MAX_NUM_RESULTS = 20;

/** Ready to search, or waiting for an API key that was not set at startup. */
type SearchState = { readonly backend: SearchBackend } | { readonly missingKeyEnv: string };

function numResultsOf(input: WebSearchInput): number {
  const n = input.num_results;
  if (typeof n !== 'number' || !Number.isFinite(n)) return DEFAULT_NUM_RESULTS;
  return Math.min(MAX_NUM_RESULTS, Math.max(1, Math.floor(n)));
}

function createBackend(settings: SearchSettings, apiKey: string | undefined): SearchBackend {
  const { endpoint, apiKeyEnv, timeoutSeconds } = settings;
  if (settings.backend === 'searxng')
    return createSearxngBackend({ endpoint, apiKey, apiKeyEnv, timeoutSeconds });
  return createSerperBackend({ endpoint, apiKey: apiKey ?? '', apiKeyEnv: apiKeyEnv ?? '', timeoutSeconds });
}

/** The backend, or — when the key's variable is unset — a warning now and SEARCH_NOT_CONFIGURED per call. */
function prepare(settings: SearchSettings, env: WebSearchToolOptions['env'], log: LoggerV1): SearchState {
  const variable = settings.apiKeyEnv;
  const apiKey = variable ? env?.[variable]?.trim() || undefined : undefined;
  if (variable && !apiKey) {
    log.warn(
      { backend: settings.backend, env: variable },
      `web_search: environment variable ${variable} is not set; every search will fail with SEARCH_NOT_CONFIGURED`,
    );
    return { missingKeyEnv: variable };
  }
  log.debug({ backend: settings.backend, host: settings.endpoint.host }, 'web_search ready');
  return { backend: createBackend(settings, apiKey) };
}

export function createWebSearchTool(
  options: WebSearchToolOptions = {},
): ToolV1<WebSearchInput, WebSearchOutput> {
  const env = options.env ?? process.env;
  let state: SearchState | undefined;
  return {
    specificationVersion: 'v1',
    describe: () => describeFromManifest('web_search'),
    initialize(config, ctx) {
      state = prepare(readSearchSettings(config), env, ctx.log);
    },
    async execute(input, ctx) {
      state ??= prepare(readSearchSettings({}), env, ctx.log);
      if ('missingKeyEnv' in state) throw notConfigured(state.missingKeyEnv);
      const numResults = numResultsOf(input);
      const results = await state.backend.search(input.query, numResults, ctx.signal);
      return { query: input.query, results: results.slice(0, numResults) };
    },
  };
}
