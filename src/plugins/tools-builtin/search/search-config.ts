// Reads the web_search config table (already schema-checked, defaults filled in) into settings.

export type BackendName = 'serper' | 'searxng';

export interface SearchSettings {
  readonly backend: BackendName;
  readonly endpoint: URL;
  /** The environment variable holding the API key; undefined = no key (searxng without api_key_env). */
  readonly apiKeyEnv: string | undefined;
  readonly timeoutSeconds: number;
}

export const SERPER_DEFAULT_ENDPOINT = 'https://google.serper.dev/search';
export const SERPER_DEFAULT_KEY_ENV = 'SERPER_API_KEY';
const DEFAULT_TIMEOUT_SECONDS = 15;

const KEY = 'tools.web_search.config';

const optionalString = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : undefined;

function readBackend(v: unknown): BackendName {
  if (v === undefined || v === 'serper') return 'serper';
  if (v === 'searxng') return 'searxng';
  throw new Error(`${KEY}.backend must be "serper" or "searxng"`);
}

/** The endpoint as a URL; credentials in it are refused (fetch cannot send them, and they would leak into logs). */
function parseEndpoint(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${KEY}.endpoint is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${KEY}.endpoint must be an http:// or https:// URL`);
  }
  if (url.username || url.password) {
    throw new Error(
      `${KEY}.endpoint must not contain credentials; put the key in the variable named by api_key_env`,
    );
  }
  return url;
}

function readEndpoint(backend: BackendName, v: unknown): URL {
  const raw = optionalString(v);
  if (raw) return parseEndpoint(raw);
  if (backend === 'serper') return new URL(SERPER_DEFAULT_ENDPOINT);
  throw new Error(
    `${KEY}.endpoint is required when backend is "searxng" (the instance's search URL, e.g. http://localhost:8080/search)`,
  );
}

function readTimeout(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : DEFAULT_TIMEOUT_SECONDS;
}

/** Settings from the config table; throws a plain Error (the host reports a tool init failure). */
export function readSearchSettings(config: Record<string, unknown>): SearchSettings {
  const backend = readBackend(config.backend);
  return {
    backend,
    endpoint: readEndpoint(backend, config.endpoint),
    apiKeyEnv:
      optionalString(config.api_key_env) ?? (backend === 'serper' ? SERPER_DEFAULT_KEY_ENV : undefined),
    timeoutSeconds: readTimeout(config.timeout_seconds),
  };
}
