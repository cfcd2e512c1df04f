// Shared fixtures for the MQTT transport tests: a capturing logger, handler recorders, brokers, a TCP proxy, cleanup.
import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import pino from 'pino';
import type { LoggerV1 } from '@agent2389/tool-sdk';
import { startEmbeddedBroker } from '../../../src/core/transport/embedded-broker.js';
import { createMqttTransport } from '../../../src/core/transport/mqtt.js';
import type { MqttTransportOptions } from '../../../src/core/transport/mqtt.js';
import type { InboundMessage, Transport, TransportHandlers } from '../../../src/core/transport/transport.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import type { Mosquitto } from '../../helpers/mosquitto.js';

export const WAIT = { timeout: 15_000, interval: 20 };
export const silent = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void>> = [];

/** Register a cleanup; `afterEach(runCleanups)` runs them in reverse order. */
export function defer(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup);
}

export async function runCleanups(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

export interface LogRecord {
  level: string;
  obj: Record<string, unknown>;
  msg: string | undefined;
  at: number;
}
export function captureLog(records: LogRecord[] = []): LoggerV1 & { records: LogRecord[] } {
  const at = (level: string) => (obj: object | string, msg?: string) =>
    records.push(
      typeof obj === 'string'
        ? { level, obj: {}, msg: obj, at: performance.now() }
        : { level, obj: obj as Record<string, unknown>, msg, at: performance.now() },
    );
  return {
    records,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => captureLog(records),
  };
}
export const warnings = (log: { records: LogRecord[] }): LogRecord[] =>
  log.records.filter((r) => r.level === 'warn');
/** The lines of failed connection attempts (each has retryInMs), whatever their level (connect-attempts.ts). */
export const failedAttempts = (log: { records: LogRecord[] }): LogRecord[] =>
  log.records.filter((r) => 'retryInMs' in r.obj && r.msg !== 'MQTT connection lost');

export function recorder(): TransportHandlers & {
  messages: InboundMessage[];
  connects: unknown[];
  disconnects: string[];
} {
  const h = { messages: [] as InboundMessage[], connects: [] as unknown[], disconnects: [] as string[] };
  return {
    ...h,
    onMessage: (m) => void h.messages.push(m),
    onConnect: (i) => h.connects.push(i),
    onDisconnect: (r) => h.disconnects.push(r),
  };
}
export const text = (m: InboundMessage): string =>
  `${m.topic}=${m.payload.toString()}${m.retain ? ' (retained)' : ''}`;

let counter = 0;
export const uniqueId = (): string => `t${process.pid}-${Date.now() % 100_000}-${++counter}`;

export function transport(
  url: string,
  protocolVersion: 4 | 5,
  overrides: Partial<MqttTransportOptions> = {},
): Transport {
  const clientId = overrides.clientId ?? uniqueId();
  const t = createMqttTransport({
    url,
    clientId,
    protocolVersion,
    keepAliveSeconds: 30,
    will: { topic: `will/${clientId}`, payload: 'unavailable', retain: true },
    reconnect: { initialMs: 50, maxMs: 500 },
    log: silent,
    ...overrides,
  });
  defer(() => t.close());
  return t;
}

export async function connected(
  url: string,
  protocolVersion: 4 | 5,
  overrides: Partial<MqttTransportOptions> = {},
) {
  const handlers = recorder();
  const t = transport(url, protocolVersion, overrides);
  await t.connect(handlers);
  return { t, h: handlers };
}

export async function mosquitto(): Promise<Mosquitto> {
  const m = await startMosquitto();
  defer(() => m.stop());
  return m;
}

/** A TCP proxy whose drop() kills the connections without DISCONNECT, like a crashed agent or a dead network. */
export async function proxyTo(port: number): Promise<{ url: string; drop(): void }> {
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = connect({ host: '127.0.0.1', port, noDelay: true });
    for (const s of [inbound, outbound]) {
      s.setNoDelay(true);
      sockets.add(s);
      s.on('error', () => undefined);
      s.once('close', () => (sockets.delete(s), inbound.destroy(), outbound.destroy()));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const drop = (): void => sockets.forEach((s) => s.destroy());
  defer(() => new Promise((resolve) => (drop(), server.close(() => resolve()))));
  return { url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`, drop };
}

export async function embeddedBroker(): Promise<{ url: string; port: number }> {
  const b = await startEmbeddedBroker({ port: 0, log: silent });
  defer(() => b.close());
  return b;
}
