// @agent2389/tool-sdk/http: HTTP requests under a URL policy (the built-in http_request tool and the
// script executor's host.fetch use it; plugin authors may too).
export { fetchWithPolicy } from './policy-fetch.js';
export type { HopObserver, PolicyRequest, PolicyResponse } from './policy-fetch.js';
export { parseHttpConfig, HTTP_CONFIG_DEFAULTS } from './http-config.js';
export type { HttpConfig } from './http-config.js';
export type { Resolver } from './guarded-lookup.js';
// The per-hop check and the guarded single exchange, for clients that need their own fetch (MCP over HTTP).
export { checkTarget } from './target-checks.js';
export { sendRequest } from './fetch-limited.js';
export type { HopRequest } from './fetch-limited.js';
export type { BodyEncoding } from './response-body.js';
