// An in-memory MQTT-like broker and Transport for unit tests: wildcards, retained messages, Last Will, async delivery.
import { ERR_TRANSPORT_CLOSED } from '../errors.js';
import { refusePublishTopic, refuseTopicFilter } from './topic-guard.js';
import type {
  Acknowledge,
  InboundMessage,
  LastWill,
  PublishOptions,
  Transport,
  TransportHandlers,
} from './transport.js';

const NO_ACK: Acknowledge = () => undefined;

/**
 * A transport on the memory broker. Sessions are not persistent, except that with `manualAck` the
 * messages not acknowledged when a transport disconnects are redelivered when a transport with the
 * same client id connects (it then sees `sessionPresent: true`).
 */
export interface MemoryTransport extends Transport {
  /**
   * Drop the connection without DISCONNECT: the Will is published and onDisconnect is called.
   * By default the transport is then dead (like a killed process: later calls reject with
   * AGENT_ERR_TRANSPORT_CLOSED). With `reconnect: true` it comes back on a later microtask like a
   * real transport after a broker restart without persistence: subscriptions are gone and
   * onConnect is called with `{ first: false, sessionPresent: false }`.
   */
  crash(options?: { reconnect?: boolean }): void;
}

export interface MemoryBroker {
  createTransport(opts: { clientId: string; will?: LastWill; manualAck?: boolean }): MemoryTransport;
  /** Publish as the broker (or a test publisher); delivery is asynchronous. */
  publish(topic: string, payload: string | Buffer, options?: PublishOptions): void;
  /** A test spy: `cb` sees every matching publish (retained ones first, with retain=true). Returns an unsubscribe function. */
  subscribe(filter: string, cb: (msg: InboundMessage) => void): () => void;
  /** The retained payload of `topic`, if any. */
  retained(topic: string): Buffer | undefined;
}

/** MQTT topic filter matching with `+` (one level) and `#` (this level and all below). */
export function topicMatches(filter: string, topic: string): boolean {
  if (filter === topic) return true;
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}

interface Subscriber {
  matches(topic: string): boolean;
  deliver(msg: InboundMessage): void;
}

export function createMemoryBroker(): MemoryBroker {
  const retainedMessages = new Map<string, Buffer>();
  const subscribers = new Set<Subscriber>();
  // Messages a client left unacknowledged (manualAck): redelivered when that client id connects again.
  const unacked = new Map<string, InboundMessage[]>();

  function route(topic: string, payload: Buffer, retain: boolean): void {
    if (retain) {
      if (payload.length === 0) retainedMessages.delete(topic);
      else retainedMessages.set(topic, payload);
    }
    const msg: InboundMessage = { topic, payload, retain: false };
    for (const sub of subscribers) if (sub.matches(topic)) queueMicrotask(() => sub.deliver(msg));
  }

  function sendRetained(filter: string, sub: Subscriber): void {
    for (const [topic, payload] of retainedMessages) {
      if (topicMatches(filter, topic)) queueMicrotask(() => sub.deliver({ topic, payload, retain: true }));
    }
  }

  function createTransport(opts: {
    clientId: string;
    will?: LastWill;
    manualAck?: boolean;
  }): MemoryTransport {
    const filters = new Set<string>();
    // Delivered and not acknowledged yet (manualAck), in delivery order; `connection` counts sessions.
    const inflight = new Set<InboundMessage>();
    let connection = 0;
    // Publishes made while disconnected: sent on the next connect, rejected if the transport dies first.
    const whileDown: Array<{ send(): void; fail(e: Error): void }> = [];
    let handlers: TransportHandlers | undefined;
    let connected = false;
    let dead = false;
    const closedError = (): Error => new ERR_TRANSPORT_CLOSED({});
    const endpoint: Subscriber = {
      matches: (topic) => {
        for (const f of filters) if (topicMatches(f, topic)) return true;
        return false;
      },
      deliver: (msg) => {
        if (!connected || !handlers) return;
        let ack: Acknowledge = NO_ACK;
        if (opts.manualAck === true && !msg.retain) {
          const entry = { ...msg };
          const on = connection;
          inflight.add(entry);
          ack = () => {
            if (on === connection) inflight.delete(entry);
          };
        }
        try {
          handlers.onMessage(msg, ack);
        } catch {
          // Like the MQTT transport: a throwing handler never breaks the broker.
        }
      },
    };
    /** The session ends: what was not acknowledged waits for this client id's next connection. */
    const keepUnacked = (): void => {
      connection += 1;
      if (inflight.size === 0) return;
      unacked.set(opts.clientId, [...(unacked.get(opts.clientId) ?? []), ...inflight]);
      inflight.clear();
    };
    const up = (first: boolean): void => {
      connected = true;
      subscribers.add(endpoint);
      const redeliver = first ? (unacked.get(opts.clientId) ?? []) : [];
      unacked.delete(opts.clientId);
      for (const msg of redeliver) queueMicrotask(() => endpoint.deliver(msg));
      for (const pending of whileDown.splice(0)) pending.send();
      handlers?.onConnect({ first, sessionPresent: redeliver.length > 0 });
    };
    const down = (reason: string): void => {
      connected = false;
      keepUnacked();
      filters.clear();
      subscribers.delete(endpoint);
      handlers?.onDisconnect(reason);
    };
    const close = async (): Promise<void> => {
      if (dead) return;
      dead = true;
      for (const pending of whileDown.splice(0)) pending.fail(closedError());
      if (connected) down('closed');
      await Promise.resolve();
    };
    return {
      get connected() {
        return connected;
      },
      async connect(h) {
        if (dead) throw closedError();
        handlers = h;
        await Promise.resolve();
        if (dead) throw closedError();
        up(true);
      },
      async subscribe(filter) {
        if (dead) throw closedError();
        const refused = refuseTopicFilter(filter); // as the MQTT transport does (docs/protocol.md §1)
        if (refused) throw refused;
        await Promise.resolve();
        filters.add(filter);
        if (connected) sendRetained(filter, endpoint);
      },
      async unsubscribe(filter) {
        if (dead) throw closedError();
        const refused = refuseTopicFilter(filter);
        if (refused) throw refused;
        await Promise.resolve();
        filters.delete(filter);
      },
      async publish(topic, payload, options) {
        if (dead) throw closedError();
        const refused = refusePublishTopic(topic);
        if (refused) throw refused;
        const send = (): void => route(topic, Buffer.from(payload), options?.retain ?? false);
        if (connected) send();
        else
          await new Promise<void>((resolve, reject) =>
            whileDown.push({ send: () => resolve(send()), fail: reject }),
          );
        await Promise.resolve();
      },
      close,
      crash(options) {
        if (dead || !connected) return;
        down('connection lost');
        if (options?.reconnect) unacked.delete(opts.clientId); // a broker restart without persistence
        if (opts.will) route(opts.will.topic, Buffer.from(opts.will.payload), opts.will.retain);
        if (options?.reconnect) queueMicrotask(() => !dead && up(false));
        else void close();
      },
    };
  }

  return {
    createTransport,
    publish: (topic, payload, options) =>
      route(topic, typeof payload === 'string' ? Buffer.from(payload) : payload, options?.retain ?? false),
    subscribe(filter, cb) {
      const spy: Subscriber = { matches: (topic) => topicMatches(filter, topic), deliver: cb };
      subscribers.add(spy);
      sendRetained(filter, spy);
      return () => subscribers.delete(spy);
    },
    retained: (topic) => retainedMessages.get(topic),
  };
}
