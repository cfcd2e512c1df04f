// The Transport interface: the only thing the agent knows of MQTT.

export interface InboundMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly retain: boolean;
}

export interface PublishOptions {
  readonly retain?: boolean;
}

export interface LastWill {
  readonly topic: string;
  readonly payload: string;
  readonly retain: boolean;
  /**
   * MQTT 5 Will Delay Interval: the broker publishes the Will this long after the connection died —
   * and not at all if a client resumes the session first (a replica taking over, docs/scaling.md).
   */
  readonly delaySeconds?: number;
}

export interface CloseOptions {
  /**
   * MQTT 5: end the session with the connection (DISCONNECT with session expiry 0), so the broker
   * forgets its subscriptions and stops queueing for it. Default: the session outlives the connection.
   */
  readonly endSession?: boolean;
}

export type TransportEvent = 'connect' | 'reconnect' | 'offline' | 'error';

/**
 * Acknowledge one inbound message (its PUBACK). With manual acknowledgement nothing is acknowledged
 * until this is called; a message never acknowledged is redelivered by the broker to the next session.
 * Calling it after the connection the message came on was lost does nothing (that packet id belongs
 * to the old connection; the broker redelivers the message on the new one). Idempotent.
 */
export type Acknowledge = () => void;

export interface TransportHandlers {
  /**
   * Called for every inbound message; must not throw. With manual acknowledgement the handler owns
   * `ack`; otherwise the message is acknowledged on receipt and `ack` does nothing.
   */
  onMessage(msg: InboundMessage, ack: Acknowledge): void;
  /** Called after every successful (re)connection: `first` is true only for the first CONNACK. */
  onConnect(info: { first: boolean; sessionPresent: boolean }): void;
  onDisconnect(reason: string): void;
}

export interface Transport {
  /** Connect (retrying with capped backoff until connected or closed). Resolves on the first CONNACK. */
  connect(handlers: TransportHandlers): Promise<void>;
  /** Subscribe at QoS 1 and resolve on SUBACK. Subscriptions are renewed after every reconnect. */
  subscribe(topic: string): Promise<void>;
  unsubscribe(topic: string): Promise<void>;
  /** Publish at QoS 1; resolves on PUBACK. */
  publish(topic: string, payload: string, options?: PublishOptions): Promise<void>;
  readonly connected: boolean;
  /** Clean disconnect (no Will). */
  close(options?: CloseOptions): Promise<void>;
}
