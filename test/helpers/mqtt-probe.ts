// A test MQTT client: publish raw payloads and collect what arrives, closed after the test.
import { randomUUID } from 'node:crypto';

import mqtt, { type MqttClient } from 'mqtt';
import { onTestFinished, vi } from 'vitest';

export interface Received {
  topic: string;
  retain: boolean;
  qos: number;
  payload: string;
  json(): Record<string, unknown>;
}

export interface Probe {
  readonly client: MqttClient;
  readonly received: Received[];
  subscribe(filter: string): Promise<void>;
  publish(topic: string, payload: string | Buffer, opts?: { retain?: boolean }): Promise<void>;
  /** Wait until at least `count` messages match `topicPrefix`; returns them. */
  waitFor(topicPrefix: string, count?: number, timeoutMs?: number): Promise<Received[]>;
  on(topicPrefix: string): Received[];
}

export async function connectProbe(url: string, protocolVersion: 4 | 5 = 4): Promise<Probe> {
  const client = await mqtt.connectAsync(url, {
    protocolVersion,
    clientId: `probe-${randomUUID().slice(0, 8)}`,
    clean: true,
    reconnectPeriod: 200,
  });
  (client.stream as unknown as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
  const received: Received[] = [];
  client.on('message', (topic, payload, packet) => {
    const text = payload.toString();
    received.push({
      topic,
      retain: packet.retain,
      qos: packet.qos,
      payload: text,
      json: () => JSON.parse(text) as Record<string, unknown>,
    });
  });
  onTestFinished(() => client.endAsync(true));
  const on = (prefix: string): Received[] => received.filter((r) => r.topic.startsWith(prefix));
  return {
    client,
    received,
    subscribe: async (filter) => {
      await client.subscribeAsync(filter, { qos: 1 });
    },
    publish: async (topic, payload, opts) => {
      await client.publishAsync(topic, payload, { qos: 1, retain: opts?.retain ?? false });
    },
    on,
    waitFor: async (prefix, count = 1, timeoutMs = 10_000) => {
      await vi.waitFor(
        () => {
          if (on(prefix).length < count)
            throw new Error(`only ${on(prefix).length}/${count} messages on ${prefix}`);
        },
        { timeout: timeoutMs, interval: 10 },
      );
      return on(prefix);
    },
  };
}
