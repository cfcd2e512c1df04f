// initialize() checks what JSON Schema cannot: CIDR syntax and host globs, naming the key.
import { describe, expect, it } from 'vitest';

import { silentLogger } from '../../../../src/core/observability/silent-logger.js';
import { createHttpRequestTool } from '../../../../src/plugins/tools-builtin/http/http-request-tool.js';
import { configWith, type HttpToolConfig } from './harness.js';

async function initialize(overrides: Partial<HttpToolConfig>): Promise<void> {
  const init = { log: silentLogger, signal: new AbortController().signal, agentId: 'a1', dataDir: '/tmp/x' };
  await createHttpRequestTool().initialize?.({ ...configWith(overrides) }, init);
}

describe('http_request: initialize', () => {
  it('accepts the defaults and well-formed entries', async () => {
    await expect(initialize({})).resolves.toBeUndefined();
    await expect(
      initialize({
        allowed_private_cidrs: ['10.1.2.0/24', 'fd00::/8', '192.168.0.10'],
        allowed_hosts: ['*.example.com', 'api.example.org'],
        denied_hosts: ['admin.example.com'],
      }),
    ).resolves.toBeUndefined();
  });

  it('rejects a malformed allowed_private_cidrs entry with an error naming the key and the entry', async () => {
    await expect(initialize({ allowed_private_cidrs: ['10.0.0.0/8', '10.0.0.0/40'] })).rejects.toThrow(
      /allowed_private_cidrs.*10\.0\.0\.0\/40/,
    );
    await expect(initialize({ allowed_private_cidrs: ['intranet'] })).rejects.toThrow(
      /allowed_private_cidrs/,
    );
  });

  it('rejects a host glob with a scheme, port or path, naming the key', async () => {
    await expect(initialize({ allowed_hosts: ['https://example.com'] })).rejects.toThrow(/allowed_hosts/);
    await expect(initialize({ denied_hosts: ['example.com:8080'] })).rejects.toThrow(/denied_hosts/);
  });
});
