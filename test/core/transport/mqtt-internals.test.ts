// The installed mqtt.js still has every internal src/core/transport/mqtt-internals.ts relies on, and
// still behaves as that file assumes. A failure here reads "mqtt.js internals changed: …": read
// mqtt-internals.ts, then mqtt.js's changelog, before upgrading.
import { Duplex } from 'node:stream';

import { MqttClient, type IClientOptions } from 'mqtt';
import { afterEach, describe, expect, it, vi } from 'vitest';

import {
  downgradeToMqtt311,
  failAllPending,
  forgetPendingCallback,
  internalsOf,
  protocolVersionOf,
  reconnectDelayOf,
  setReconnectDelay,
} from '../../../src/core/transport/mqtt-internals.js';

/** Fail with the message the brief promises, naming what changed. */
function assertInternal(ok: boolean, what: string): void {
  if (!ok) throw new Error(`mqtt.js internals changed: ${what}`);
}

/** A connection that records what mqtt.js writes and never answers. */
class CaptureStream extends Duplex {
  readonly written: Buffer[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.written.push(chunk);
    cb();
  }
  override _read(): void {}
}

const clients: MqttClient[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const c of clients.splice(0)) c.end(true);
});

/** A client that connects only when told to (documented `manualConnect`), over CaptureStreams. */
function client(options: IClientOptions = {}): { c: MqttClient; streams: CaptureStream[] } {
  const streams: CaptureStream[] = [];
  const c = new MqttClient(
    () => {
      const s = new CaptureStream();
      streams.push(s);
      return s;
    },
    { manualConnect: true, reconnectPeriod: 1000, queueQoSZero: false, log: () => undefined, ...options },
  );
  c.on('error', () => undefined);
  clients.push(c);
  return { c, streams };
}

describe('mqtt.js internals relied on by mqtt-internals.ts', () => {
  it('has the fields and methods, with the expected shapes', () => {
    const { c, streams } = client({ protocolVersion: 5, properties: { sessionExpiryInterval: 60 } });
    c.connect();
    const i = internalsOf(c);
    assertInternal(typeof i._writePacket === 'function', '_writePacket is not a method');
    assertInternal(typeof i.outgoing === 'object' && i.outgoing !== null, 'outgoing is not an object');
    assertInternal(typeof i.outgoingStore?.del === 'function', 'outgoingStore.del is not a method');
    assertInternal(
      typeof i.messageIdProvider?.deallocate === 'function',
      'messageIdProvider.deallocate is not a method',
    );
    assertInternal(typeof i.messageIdToTopic === 'object', 'messageIdToTopic is not an object');
    assertInternal(i.stream === streams[0], 'stream is not the connection the stream builder made');
    assertInternal(typeof i.stream.destroy === 'function', 'stream.destroy is not a method');
    assertInternal(reconnectDelayOf(c) === 1000, 'options.reconnectPeriod is not the reconnect period');
    assertInternal(protocolVersionOf(c) === 5, 'options.protocolVersion is not the protocol version');
  });

  it('sends every packet through _writePacket', () => {
    const { c } = client();
    const i = internalsOf(c);
    const seen: string[] = [];
    const write = i._writePacket.bind(i);
    i._writePacket = (packet, cb) => {
      seen.push(packet.cmd);
      write(packet, cb);
    };
    c.connect();
    assertInternal(seen.includes('connect'), `_writePacket did not see the CONNECT (saw ${seen.join()})`);
  });

  it('builds each CONNECT from options.protocolVersion and options.properties (the 3.1.1 fallback)', async () => {
    const { c, streams } = client({ protocolVersion: 5, properties: { sessionExpiryInterval: 60 } });
    downgradeToMqtt311(c);
    c.connect();
    await new Promise(setImmediate); // mqtt-packet uncorks the socket on the next tick
    const connect = Buffer.concat(streams[0]!.written);
    // fixed header (0x10, remaining length < 128: one byte), then "\0\4MQTT", then the protocol level
    assertInternal(connect[0] === 0x10, 'the first packet written is not a CONNECT');
    assertInternal(
      connect.subarray(2, 8).equals(Buffer.from('\x00\x04MQTT', 'latin1')),
      'CONNECT does not start with the protocol name',
    );
    assertInternal(connect[8] === 4, `CONNECT protocol level is ${connect[8]}, not the 4 set in options`);
    assertInternal(protocolVersionOf(c) === 4, 'options.protocolVersion did not keep the 4 set');
  });

  it('waits options.reconnectPeriod, read when a reconnect is scheduled', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'] });
    const { c, streams } = client({ reconnectPeriod: 1000 });
    let reconnects = 0;
    c.on('reconnect', () => (reconnects += 1));
    c.connect();
    setReconnectDelay(c, 7000);
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    streams[0]!.destroy();
    await closed;
    vi.advanceTimersByTime(6999);
    assertInternal(reconnects === 0, 'reconnected before the period set in options.reconnectPeriod');
    vi.advanceTimersByTime(1);
    assertInternal(reconnects === 1, 'did not reconnect after the period set in options.reconnectPeriod');
  });

  it('keeps a pending QoS 1 publish in outgoing under its own callback, and forgets it when told', () => {
    const { c } = client();
    c.connect(); // no CONNACK ever comes: the publish is stored, waiting
    const i = internalsOf(c);
    const callback = vi.fn();
    c.publish('/t', 'x', { qos: 1 }, callback);
    const ids = Object.keys(i.outgoing);
    assertInternal(ids.length === 1, `outgoing holds ${ids.length} entries for one pending publish`);
    assertInternal(
      i.outgoing[Number(ids[0])]?.cb === callback,
      'outgoing[id].cb is not the publish callback',
    );
    forgetPendingCallback(c, callback);
    assertInternal(Object.keys(i.outgoing).length === 0, 'the forgotten publish is still in outgoing');
    expect(callback).not.toHaveBeenCalled();
  });

  it('fails every pending operation through its outgoing callback', () => {
    const { c } = client();
    c.connect();
    const callbacks = [vi.fn(), vi.fn()];
    for (const cb of callbacks) c.publish('/t', 'x', { qos: 1 }, cb);
    const closed = new Error('closed');
    failAllPending(c, () => closed);
    for (const cb of callbacks) expect(cb).toHaveBeenCalledWith(closed);
    assertInternal(Object.keys(internalsOf(c).outgoing).length === 0, 'outgoing is not empty');
  });
  it("writes packets with the stream's own write(), which coalesce-writes.ts wraps", async () => {
    let writes = 0;
    const c = new MqttClient(
      () => {
        const s = new CaptureStream();
        const write = s.write.bind(s) as (...args: unknown[]) => boolean;
        s.write = (...args: unknown[]): boolean => {
          writes++;
          return write(...args);
        };
        return s;
      },
      { manualConnect: true, reconnectPeriod: 0, log: () => undefined },
    );
    c.on('error', () => undefined);
    clients.push(c);
    c.connect();
    await vi.waitFor(() => assertInternal(writes > 0, 'CONNECT is no longer sent through stream.write()'));
  });
});
