// Every use of mqtt.js beyond its documented API, in this one file, each behind a typed accessor.
// test/core/transport/mqtt-internals.test.ts checks, against the installed mqtt.js, that each thing
// relied on here still exists and behaves as assumed; it fails with "mqtt.js internals changed: …".
//
// What we rely on, and why no documented API does it:
// - `options.reconnectPeriod`, read each time a reconnect is scheduled: mqtt.js has one fixed period
//   and no backoff hook (mqttjs/MQTT.js#1742); we set the next delay before each attempt.
// - `options.protocolVersion` / `options.properties`, read at each CONNECT: the MQTT 5 → 3.1.1
//   fallback for brokers that refuse MQTT 5 changes them between attempts.
// - `outgoing` (pending operations by message id, each with its callback), `outgoingStore`,
//   `messageIdProvider`, `messageIdToTopic`: to fail what is pending when we close, and to forget an
//   operation whose packet could not be written, so a reconnect never re-sends it.
// - `stream`, the current connection: to drop it when a clean DISCONNECT hangs (`end()` has no
//   timeout, and a second `end(true)` while one is in progress does nothing).
// - the private `_writePacket(packet, cb)`, through which every packet goes: the packet-writer guard,
//   and our own PUBACKs: mqtt.js acknowledges an inbound QoS 1 message only when its handleMessage
//   callback succeeds, and holding that callback back would stall its parser (no more packets read,
//   not even the PUBACKs of our own publishes). So the callback gets an error at once (the PUBACK is
//   withheld; mqtt.js's work loop ignores that error and reads on) and we send the PUBACK later.
import type { MqttClient } from 'mqtt';

import { ERR_TRANSPORT_CLOSED } from '../errors.js';

type Callback = (err?: Error) => void;

/** What the guard sees of a packet. */
export interface WrittenPacket {
  readonly cmd: string;
  readonly messageId?: number;
  readonly reasonCode?: number;
  readonly qos?: number;
  readonly topic?: unknown;
}

/** The parts of an mqtt.js MqttClient used here (`_writePacket` is private in its types). */
export interface MqttClientInternals {
  _writePacket(packet: WrittenPacket, cb?: Callback): void;
  outgoing: Record<number, { cb: Callback } | undefined>;
  outgoingStore: { del(packet: { messageId: number }, cb: Callback): unknown };
  messageIdProvider: { deallocate(messageId: number): void };
  messageIdToTopic: Record<number, unknown>;
  stream: { destroy(err?: Error): unknown; readonly destroyed?: boolean; readonly errored?: Error | null };
  options: { reconnectPeriod?: number; protocolVersion?: number; properties?: unknown };
}

/** The one cast: mqtt.js's client seen through the internals above. */
export function internalsOf(client: MqttClient): MqttClientInternals {
  return client as unknown as MqttClientInternals;
}

/** The delay before the next reconnect attempt (mqtt.js reads it when it schedules one). */
export function setReconnectDelay(client: MqttClient, ms: number): void {
  internalsOf(client).options.reconnectPeriod = ms;
}

export function reconnectDelayOf(client: MqttClient): number | undefined {
  return internalsOf(client).options.reconnectPeriod;
}

export function protocolVersionOf(client: MqttClient): number | undefined {
  return internalsOf(client).options.protocolVersion;
}

/** Make the next CONNECT an MQTT 3.1.1 one (no MQTT 5 properties). */
export function downgradeToMqtt311(client: MqttClient): void {
  const { options } = internalsOf(client);
  options.protocolVersion = 4;
  delete options.properties;
}

/** Acknowledge inbound QoS 1 message `messageId` on the current connection (see the note at the top). */
export function sendPuback(client: MqttClient, messageId: number): void {
  internalsOf(client)._writePacket({ cmd: 'puback', messageId, reasonCode: 0 });
}

/** Drop the connection at once (a clean DISCONNECT that did not finish in time). */
export function destroyConnection(client: MqttClient): void {
  internalsOf(client).stream.destroy();
}

/** Fail with `err` every operation still waiting for an ack (e.g. queued while offline), and forget it. */
export function failAllPending(client: MqttClient, err: () => Error): void {
  const { outgoing } = internalsOf(client);
  for (const [id, entry] of Object.entries(outgoing)) {
    delete outgoing[Number(id)];
    entry?.cb(err());
  }
}

/** Forget the pending operation whose callback is `cb` (its send threw), so no reconnect re-sends it. */
export function forgetPendingCallback(client: MqttClient, cb: Callback): void {
  const internals = internalsOf(client);
  for (const [id, pending] of Object.entries(internals.outgoing))
    if (pending?.cb === cb) forgetPending(internals, Number(id));
}

/** Packets whose messageId is ours (an outgoing operation waiting for its ack); a PUBACK's is the broker's. */
function ownsMessageId(packet: WrittenPacket): packet is WrittenPacket & { messageId: number } {
  if (packet.messageId === undefined) return false;
  if (packet.cmd === 'publish') return (packet.qos ?? 0) > 0;
  return packet.cmd === 'subscribe' || packet.cmd === 'unsubscribe' || packet.cmd === 'pubrel';
}

/**
 * Forget pending operation `messageId`: its callback, its copy in the outgoing store (what a reconnect
 * re-sends) and its id. Returns the callback, for the caller to fail it.
 */
function forgetPending(client: MqttClientInternals, messageId: number): Callback | undefined {
  const pending = client.outgoing[messageId];
  delete client.outgoing[messageId];
  delete client.messageIdToTopic[messageId];
  client.outgoingStore.del({ messageId }, () => undefined); // "missing packet" for a subscribe: fine
  client.messageIdProvider.deallocate(messageId);
  return pending?.cb;
}

/**
 * Defence in depth around mqtt.js's packet writer (mqtt-packet's writeToStream). On what it cannot
 * encode it either throws synchronously (a topic over 65 535 bytes: a TypeError or RangeError from its
 * length writer, after part of the packet is already in the socket's buffer) or destroys the stream
 * with an error (an invalid MQTT 5 property). Either way mqtt.js keeps the QoS 1 packet in its
 * outgoing store and re-sends it on every reconnect — which fails the same way, for ever — and the
 * throw escapes as an uncaught exception when it happens during that resend.
 *
 * So when the writer throws, or destroys the stream while writing, the connection is dropped (the
 * byte stream is corrupt; mqtt.js reconnects and re-sends what is stored, whole), the packet is
 * forgotten so it is never re-sent, and its operation fails with `failure(err, packet)`.
 */
export function guardPacketWriter(
  mqttClient: MqttClient,
  failure: (err: unknown, packet: WrittenPacket) => Error,
): void {
  const client = internalsOf(mqttClient);
  const write = client._writePacket.bind(client);
  client._writePacket = (packet, cb) => {
    const { stream } = client;
    const destroyed = (): boolean => stream.destroyed === true; // a call: read again after the write
    const wasOpen = !destroyed();
    let err: unknown;
    try {
      write(packet, cb);
      if (!wasOpen || !destroyed()) return;
      err = stream.errored ?? new ERR_TRANSPORT_CLOSED({}); // the write closed the connection
    } catch (thrown) {
      err = thrown;
      stream.destroy();
    }
    const pending = ownsMessageId(packet) ? forgetPending(client, packet.messageId) : undefined;
    const error = failure(err, packet);
    if (pending) pending(error);
    else cb?.(error);
  };
}
