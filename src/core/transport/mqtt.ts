// The MQTT Transport on mqtt.js (the only importer of `mqtt`; its internals only through mqtt-internals.ts):
// persistent QoS 1 session, capped backoff, TCP_NODELAY, TLS.
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { MqttClient } from 'mqtt';
import type { IClientOptions, IClientPublishOptions, IClientSubscribeOptions, IStream } from 'mqtt';
import type { LoggerV1 } from '@agent2389/tool-sdk';
import {
  AgentError,
  ERR_TRANSPORT_ACK_WITHHELD,
  ERR_TRANSPORT_CLOSED,
  ERR_TRANSPORT_CONNECT,
  ERR_TRANSPORT_PUBLISH,
  ERR_TRANSPORT_SUBSCRIBE,
  reasonOf,
  toError,
} from '../errors.js';
import { topicNameProblem } from '../protocol/topics.js';
import { coalesceWrites } from './coalesce-writes.js';
import { ConnectAttempts } from './connect-attempts.js';
import { parseBrokerUrl, readTlsMaterial } from './mqtt-endpoint.js';
import type { TlsFiles, TlsMaterial } from './mqtt-endpoint.js';
import {
  destroyConnection,
  downgradeToMqtt311,
  failAllPending,
  forgetPendingCallback,
  guardPacketWriter,
  protocolVersionOf,
  reconnectDelayOf,
  sendPuback,
  setReconnectDelay,
} from './mqtt-internals.js';
import { quotedTopic, refusePublishTopic, refuseTopicFilter } from './topic-guard.js';
import type { Acknowledge, LastWill, PublishOptions, Transport, TransportHandlers } from './transport.js';

export interface ReconnectBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

export interface MqttTransportOptions extends TlsFiles {
  /** `mqtt://host[:1883]` or `mqtts://host[:8883]`; credentials go in username/password, never in the URL. */
  readonly url: string;
  readonly clientId: string;
  readonly protocolVersion: 4 | 5;
  readonly keepAliveSeconds: number;
  readonly username?: string;
  readonly password?: string;
  /** Sent with QoS 1 and its own retain flag when the connection dies without DISCONNECT. Agents always set it. */
  readonly will?: LastWill;
  /** Clean session (default false: a persistent session, so QoS 1 messages wait for us). True for short-lived CLI clients. */
  readonly clean?: boolean;
  /**
   * With protocolVersion 5: if the broker refuses MQTT 5 (e.g. aedes, older brokers), retry as
   * MQTT 3.1.1 instead of failing forever. Set when the version was not configured explicitly.
   */
  readonly protocolFallback?: boolean;
  /** MQTT 5 session expiry for a persistent session (default 3600). MQTT 3.1.1 sessions expire by broker policy only. */
  readonly sessionExpirySeconds?: number;
  /** Reconnect delays (default 250 ms doubling up to 30 s, with jitter). */
  readonly reconnect?: ReconnectBackoff;
  /** Added to the warning about a broker that cannot be reached (what else to check; connect-attempts.ts). */
  readonly unreachableHint?: string;
  /** How long one attempt waits for CONNACK (default 10 s). */
  readonly connectTimeoutMs?: number;
  /**
   * Acknowledge inbound messages only when the handler calls `ack` (default false: on receipt).
   * Agents set it: a task is acknowledged once answered, so a crash never loses one.
   */
  readonly manualAck?: boolean;
  /**
   * MQTT 5: the most unacknowledged QoS 1 messages the broker may send us at once (CONNECT Receive
   * Maximum, 1–65535); the broker holds the rest. With manualAck this bounds what waits in memory.
   */
  readonly receiveMaximum?: number;
  readonly log: LoggerV1;
}

export const DEFAULT_BACKOFF: ReconnectBackoff = { initialMs: 250, maxMs: 30_000 };
const CLOSE_TIMEOUT_MS = 5_000;
const PUBLISH_PLAIN: IClientPublishOptions = { qos: 1, retain: false };
const PUBLISH_RETAINED: IClientPublishOptions = { qos: 1, retain: true };
const SUBSCRIBE_QOS1: IClientSubscribeOptions = { qos: 1 };
const NOT_ACKNOWLEDGED = new ERR_TRANSPORT_ACK_WITHHELD({}); // mqtt.js only checks truthiness
const NO_ACK = (): void => undefined;

/** Whether `DEBUG` (the `debug` package's switch) names mqtt.js's trace, e.g. `DEBUG=mqttjs*`. */
export function mqttTraceWanted(debug = process.env.DEBUG): boolean {
  return debug !== undefined && /(^|[\s,])(\*|mqttjs[^\s,]*)/.test(debug);
}

/** True for a CONNACK refusing the protocol version (3.1.1 return code 1, MQTT 5 reason code 0x84). */
function refusesProtocol(err: Error & { code?: unknown }): boolean {
  return err.code === 1 || err.code === 0x84 || /protocol version/i.test(err.message);
}

/** Delay before reconnect number `attempt` (0-based): min(max, initial·2^attempt), jittered into [cap/2, cap]. */
export function backoffDelayMs(attempt: number, backoff: ReconnectBackoff, random = Math.random): number {
  const cap = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt, 30));
  return Math.max(1, Math.round(cap / 2 + (random() * cap) / 2));
}

/** Hand one operation to mqtt.js; `done` is called on its ack (or failure). */
type Send = (c: MqttClient, done: (err?: Error | null) => void) => void;

export function createMqttTransport(options: MqttTransportOptions): Transport {
  const endpoint = parseBrokerUrl(options.url);
  const backoff = options.reconnect ?? DEFAULT_BACKOFF;
  const log = options.log.child({ broker: endpoint.display, clientId: options.clientId });
  let client: MqttClient | undefined;
  let started = false;
  let closed = false;
  let closing: Promise<void> | undefined;
  let rejectFirstConnect: ((err: Error) => void) | undefined;

  const closedError = (cause?: unknown): Error => new ERR_TRANSPORT_CLOSED({}, { cause });
  const handlerFailed = (what: string) => (err: unknown) => log.error({ err }, `${what} handler failed`);
  const onMessageFailed = handlerFailed('onMessage');

  /** Call a handler; a throw or a rejected promise is logged, never thrown into mqtt.js. */
  function safely(what: string, call: () => unknown): void {
    try {
      const result = call();
      if (result instanceof Promise) result.catch(handlerFailed(what));
    } catch (err) {
      handlerFailed(what)(err);
    }
  }

  function startClient(
    handlers: TransportHandlers,
    tls: TlsMaterial,
    onFirstConnect: () => void,
  ): MqttClient {
    let attempt = 0;
    let first = true;
    let up = false;
    let lastError: string | undefined;
    /** The last attempt ended in a CONNACK refusal (credentials, ACL), not a network failure. */
    let refused = false;
    const attempts = new ConnectAttempts({
      log,
      broker: endpoint.display,
      maxDelayMs: backoff.maxMs,
      hint: options.unreachableHint,
    });
    /** Counts CONNACKs: a packet id is only meaningful on the connection it came on. */
    let connection = 0;
    const { will } = options;

    // Our own stream builder: TCP_NODELAY on every (re)connect's socket, plain or TLS, before CONNECT is sent.
    const streamBuilder = (): IStream => {
      const { host, port, servername } = endpoint;
      const socket = endpoint.secure
        ? tlsConnect({ host, port, servername, rejectUnauthorized: true, ...tls })
        : netConnect({ host, port, noDelay: true });
      socket.setNoDelay(true);
      socket.on('error', (err: Error) => (lastError = err.message));
      return coalesceWrites(socket);
    };
    const mqttOptions: IClientOptions = {
      clientId: options.clientId,
      protocolId: 'MQTT',
      protocolVersion: options.protocolVersion,
      keepalive: options.keepAliveSeconds,
      username: options.username,
      password: options.password,
      clean: options.clean ?? false,
      resubscribe: false, // handlers.onConnect re-subscribes
      reconnectPeriod: backoffDelayMs(0, backoff),
      reconnectOnConnackError: true,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      queueQoSZero: false,
      // mqtt.js traces every packet through `debug`; unless DEBUG asks for it, skip even the calls.
      ...(!mqttTraceWanted() && { log: () => undefined }),
      ...(will && {
        will: {
          topic: will.topic,
          payload: Buffer.from(will.payload),
          qos: 1,
          retain: will.retain,
          ...(options.protocolVersion === 5 &&
            will.delaySeconds !== undefined && { properties: { willDelayInterval: will.delaySeconds } }),
        },
      }),
      ...(options.protocolVersion === 5 && {
        properties: {
          ...(options.clean !== true && { sessionExpiryInterval: options.sessionExpirySeconds ?? 3600 }),
          ...(options.receiveMaximum !== undefined && { receiveMaximum: options.receiveMaximum }),
        },
      }),
    };
    const c = new MqttClient(streamBuilder, mqttOptions);
    guardPacketWriter(c, (err, packet) => {
      const reason = `the packet writer failed (${reasonOf(err)}): dropped`;
      const topic = typeof packet.topic === 'string' ? quotedTopic(packet.topic) : `(${packet.cmd} packet)`;
      const failure =
        packet.cmd === 'connect'
          ? new ERR_TRANSPORT_CONNECT({ broker: endpoint.display, reason }, { cause: err })
          : packet.cmd === 'subscribe' || packet.cmd === 'unsubscribe'
            ? new ERR_TRANSPORT_SUBSCRIBE({ topic, reason }, { cause: err })
            : new ERR_TRANSPORT_PUBLISH({ topic, reason }, { cause: err });
      log.error({ err: failure }, 'MQTT packet could not be written: dropped, reconnecting');
      return failure;
    });

    // mqtt.js waits its reconnect period after each failure: we set it for the next wait before each attempt.
    c.on('reconnect', () => {
      attempt += 1;
      setReconnectDelay(c, backoffDelayMs(attempt, backoff));
    });
    // A new connection starts at its CONNACK: mqtt.js emits 'connect' only after re-sending its stored
    // publishes, and messages the broker delivers meanwhile belong to the new connection already.
    c.on('packetreceive', (packet) => {
      if (packet.cmd === 'connack') connection += 1;
    });
    c.on('connect', (connack) => {
      attempt = 0;
      setReconnectDelay(c, backoffDelayMs(0, backoff));
      up = true;
      const info = { first, sessionPresent: connack.sessionPresent };
      first = false;
      const { msg, ...failed } = attempts.connected();
      log.info({ ...info, ...failed }, msg);
      safely('onConnect', () => handlers.onConnect(info));
      if (info.first) onFirstConnect();
    });
    c.on('close', () => {
      const wasUp = up;
      const reason = lastError ?? (wasUp ? 'connection closed' : 'connection closed before CONNACK');
      const wasRefused = refused;
      up = false;
      lastError = undefined;
      refused = false;
      if (wasUp) safely('onDisconnect', () => handlers.onDisconnect(closed ? 'closed' : reason));
      if (closed) return;
      const retryInMs = reconnectDelayOf(c);
      if (wasUp) log.warn({ reason, retryInMs }, 'MQTT connection lost');
      else attempts.failed(reason, retryInMs, wasRefused);
    });
    c.on('error', (err: Error & { code?: unknown }) => {
      lastError = err.message;
      refused ||= typeof err.code === 'number'; // a CONNACK reason code; network errors have string codes
      if (options.protocolFallback && protocolVersionOf(c) === 5 && refusesProtocol(err)) {
        downgradeToMqtt311(c);
        setReconnectDelay(c, backoffDelayMs(0, backoff));
        log.warn(
          'the broker does not accept MQTT 5: using MQTT 3.1.1 (set [mqtt] protocol_version = 4 to skip this)',
        );
      }
      log.debug({ err: err.message }, 'MQTT client error');
    });
    c.on('disconnect', (packet) => {
      const code = packet.reasonCode ?? 0;
      lastError =
        code === 142 // MQTT 5 "session taken over": two processes share this client id and will evict each other
          ? 'session taken over: another client connected with the same client id'
          : `broker sent DISCONNECT (reason code ${code})`;
    });
    /** The `ack` of message `messageId` received on connection number `on`: a no-op once that connection is gone. */
    const acknowledger = (messageId: number, on: number): Acknowledge => {
      let done = false;
      return () => {
        if (done) return;
        done = true;
        if (closed || !c.connected || connection !== on) return;
        sendPuback(c, messageId);
      };
    };
    // handleMessage (mqtt.js's documented hook) runs before the PUBACK. With manualAck the PUBACK is
    // withheld here and sent when the handler calls `ack` (mqtt-internals.ts says why it works this
    // way). A message whose ack never comes is redelivered by the broker to the next session. The
    // 'message' event is not used.
    c.handleMessage = (packet, callback) => {
      const { topic, payload, retain, qos, messageId } = packet;
      const manual = options.manualAck === true && qos === 1 && messageId !== undefined;
      const ack = manual ? acknowledger(messageId, connection) : NO_ACK;
      try {
        const buffer = typeof payload === 'string' ? Buffer.from(payload) : payload; // the parser gives Buffers
        const result: unknown = handlers.onMessage({ topic, payload: buffer, retain }, ack);
        if (result instanceof Promise) result.catch(onMessageFailed);
      } catch (err) {
        onMessageFailed(err);
      }
      callback(manual ? NOT_ACKNOWLEDGED : undefined);
    };
    return c;
  }

  /** Clean DISCONNECT (the broker drops the Will); a dead link is dropped at once, a stuck one after a timeout. */
  function endClient(c: MqttClient, endSession: boolean): Promise<void> {
    // Ending the session is an MQTT 5 DISCONNECT property (a 3.1.1 session ends by the broker's policy).
    const disconnect =
      endSession && protocolVersionOf(c) === 5 ? { properties: { sessionExpiryInterval: 0 } } : {};
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        log.warn('MQTT clean disconnect timed out; dropping the connection');
        destroyConnection(c);
        resolve();
      }, CLOSE_TIMEOUT_MS);
      c.end(!c.connected, disconnect, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  return {
    get connected() {
      return !closed && client?.connected === true;
    },

    async connect(handlers) {
      if (closed) throw closedError();
      if (started)
        throw new ERR_TRANSPORT_CONNECT({ broker: endpoint.display, reason: 'connect() called twice' });
      const willProblem = options.will && topicNameProblem(options.will.topic);
      if (willProblem)
        throw new ERR_TRANSPORT_CONNECT({
          broker: endpoint.display,
          reason: `the Will topic ${willProblem}`,
        });
      started = true;
      const tls = await readTlsMaterial(options, endpoint);
      if (closed) throw closedError();
      return new Promise<void>((resolve, reject) => {
        rejectFirstConnect = reject;
        client = startClient(handlers, tls, () => {
          rejectFirstConnect = undefined;
          resolve();
        });
      });
    },

    subscribe(topic) {
      const send: Send = (c, done) => c.subscribe(topic, SUBSCRIBE_QOS1, done);
      return ack(topic, refuseTopicFilter(topic), send, ERR_TRANSPORT_SUBSCRIBE);
    },

    unsubscribe(topic) {
      const send: Send = (c, done) => c.unsubscribe(topic, done);
      return ack(topic, refuseTopicFilter(topic), send, ERR_TRANSPORT_SUBSCRIBE);
    },

    // The topic is checked before anything is written: a broker closes the connection on a malformed
    // topic, and mqtt.js would re-send the stored publish on every reconnect (docs/protocol.md §1).
    publish(topic: string, payload: string, opts?: PublishOptions) {
      const qos = opts?.retain === true ? PUBLISH_RETAINED : PUBLISH_PLAIN;
      const send: Send = (c, done) => c.publish(topic, payload, qos, done);
      return ack(topic, refusePublishTopic(topic), send, ERR_TRANSPORT_PUBLISH);
    },

    close(closeOptions) {
      closing ??= (async () => {
        closed = true;
        rejectFirstConnect?.(closedError());
        rejectFirstConnect = undefined;
        const c = client;
        if (!c) return;
        await endClient(c, closeOptions?.endSession === true);
        // Publishes and subscriptions still waiting for an ack (e.g. queued while offline) fail now.
        failAllPending(c, closedError);
        log.info('MQTT transport closed');
      })();
      return closing;
    },
  };

  /**
   * Run one acked operation, unless `refused` (an invalid topic: nothing is sent). mqtt.js errors become
   * `errorClass` (ours pass as they are), or ERR_TRANSPORT_CLOSED once closed. A synchronous throw from
   * mqtt.js leaves nothing pending in it: the operation is forgotten, so a reconnect never re-sends it.
   */
  function ack(
    topic: string,
    refused: AgentError | undefined,
    send: Send,
    errorClass: typeof ERR_TRANSPORT_PUBLISH | typeof ERR_TRANSPORT_SUBSCRIBE,
  ): Promise<void> {
    const c = client;
    if (closed) return Promise.reject(closedError());
    if (refused) return Promise.reject(refused);
    if (!c) return Promise.reject(new errorClass({ topic, reason: 'connect() has not been called' }));
    const wrap = (err: Error): Error => {
      if (closed) return closedError(err);
      if (AgentError.is(err)) return err;
      return new errorClass({ topic: quotedTopic(topic), reason: err.message }, { cause: err });
    };
    return new Promise((resolve, reject) => {
      const done = (err?: Error | null): void => (err ? reject(wrap(err)) : resolve());
      try {
        send(c, done);
      } catch (err) {
        forgetPendingCallback(c, done);
        reject(wrap(toError(err)));
      }
    });
  }
}
