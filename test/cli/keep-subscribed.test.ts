import { describe, expect, it, onTestFinished, vi } from 'vitest';

import { createSubscriptions } from '../../src/cli/keep-subscribed.js';
import type { InboundMessage } from '../../src/core/transport/transport.js';
import { createMemoryBroker } from '../../src/core/transport/memory.js';

describe('createSubscriptions', () => {
  it('subscribes again after a reconnect that lost the session', async () => {
    const broker = createMemoryBroker();
    const transport = broker.createTransport({ clientId: 'cli' });
    const got: string[] = [];
    const restored = vi.fn();
    const subs = createSubscriptions({ onRestored: restored });
    await transport.connect({
      onMessage: (m: InboundMessage) => void got.push(m.payload.toString()),
      onConnect: ({ first }) => {
        if (!first) subs.onReconnect();
      },
      onDisconnect() {},
    });
    onTestFinished(() => transport.close());
    await subs.subscribe(transport, ['/a/+', '/b']);
    broker.publish('/a/1', 'before');
    await vi.waitFor(() => expect(got).toEqual(['before']));

    transport.crash({ reconnect: true });
    await vi.waitFor(() => expect(restored).toHaveBeenCalledTimes(1));
    broker.publish('/a/2', 'after');
    broker.publish('/b', 'b too');
    await vi.waitFor(() => expect(got).toEqual(['before', 'after', 'b too']));
  });

  it('does nothing on a reconnect before the first subscribe', () => {
    const restored = vi.fn();
    createSubscriptions({ onRestored: restored }).onReconnect();
    expect(restored).not.toHaveBeenCalled();
  });
});
