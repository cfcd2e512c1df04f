// Defence in depth around mqtt.js's packet writer (mqtt-packet's writeToStream). On what it cannot
// encode it either throws synchronously (a topic over 65 535 bytes: a TypeError or RangeError from its
// length writer, after part of the packet is already in the socket's buffer) or destroys the stream
// with an error (an invalid MQTT 5 property). Either way mqtt.js keeps the QoS 1 packet in its outgoing
// store and re-sends it on every reconnect — which fails the same way, for ever — and the throw
// escapes as an uncaught exception when it happens during that resend. Typed structurally: only
// mqtt.ts imports mqtt.

/** What the guard sees of a packet. */
export interface WrittenPacket {
  readonly cmd: string;
  readonly messageId?: number;
  readonly qos?: number;
  readonly topic?: unknown;
}

type Callback = (err?: Error) => void;

/** The parts of an mqtt.js MqttClient the guard uses (`_writePacket` is private there, hence the cast in mqtt.ts). */
export interface WriterClient {
  _writePacket(packet: WrittenPacket, cb?: Callback): void;
  outgoing: Record<number, { cb: Callback } | undefined>;
  outgoingStore: { del(packet: { messageId: number }, cb: Callback): unknown };
  messageIdProvider: { deallocate(messageId: number): void };
  messageIdToTopic: Record<number, unknown>;
  stream: { destroy(err?: Error): unknown; readonly destroyed?: boolean; readonly errored?: Error | null };
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
export function forgetPending(client: WriterClient, messageId: number): Callback | undefined {
  const pending = client.outgoing[messageId];
  delete client.outgoing[messageId];
  delete client.messageIdToTopic[messageId];
  client.outgoingStore.del({ messageId }, () => undefined); // "missing packet" for a subscribe: fine
  client.messageIdProvider.deallocate(messageId);
  return pending?.cb;
}

/**
 * Make every packet write safe. When the writer throws, or destroys the stream while writing, the
 * connection is dropped (part of the packet may be buffered: the byte stream is corrupt; mqtt.js
 * reconnects and re-sends what is stored, whole), the packet is forgotten so it is never re-sent, and
 * its operation fails with `failure(err, packet)`.
 */
export function guardPacketWriter(
  client: WriterClient,
  failure: (err: unknown, packet: WrittenPacket) => Error,
): void {
  const write = client._writePacket.bind(client);
  client._writePacket = (packet, cb) => {
    const { stream } = client;
    const destroyed = (): boolean => stream.destroyed === true; // a call: read again after the write
    const wasOpen = !destroyed();
    let err: unknown;
    try {
      write(packet, cb);
      if (!wasOpen || !destroyed()) return;
      err = stream.errored ?? new Error('the packet writer closed the connection');
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
