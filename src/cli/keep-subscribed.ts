// Long-running CLI clients (monitor, pipeline) use a clean session, which forgets its subscriptions when
// the connection drops: remember them and subscribe again after every reconnect.
import type { Transport } from '../core/transport/transport.js';

export interface Subscriptions {
  /** Pass to connectCli as its onReconnect. */
  readonly onReconnect: () => void;
  /** Subscribe to `topics` now (resolves on the SUBACKs) and again after every reconnect. */
  subscribe(transport: Transport, topics: readonly string[]): Promise<void>;
}

export interface SubscriptionHooks {
  /** Subscribed again after a reconnect. */
  onRestored?(): void;
  /** A re-subscription failed (the next reconnect tries again). */
  onError?(err: unknown): void;
}

export function createSubscriptions(hooks: SubscriptionHooks = {}): Subscriptions {
  let transport: Transport | undefined;
  let topics: readonly string[] = [];
  return {
    onReconnect() {
      const t = transport;
      if (!t) return;
      Promise.all(topics.map((topic) => t.subscribe(topic))).then(
        () => hooks.onRestored?.(),
        (err: unknown) => hooks.onError?.(err),
      );
    },
    async subscribe(t, list) {
      transport = t;
      topics = [...topics, ...list];
      for (const topic of list) await t.subscribe(topic);
    },
  };
}
