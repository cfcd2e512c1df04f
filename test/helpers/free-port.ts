// Test helper: find a TCP port that is free on the loopback interface right now.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * Ask the kernel for a free port by listening on port 0, then release it.
 * There is a small window in which another process may take the port; callers that bind it
 * themselves should retry on EADDRINUSE if that matters to them.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const { port } = server.address() as AddressInfo;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}
