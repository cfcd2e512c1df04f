// Load generator: windowed throughput and serial latency against one agent id, over one MQTT client.
import { randomUUID } from 'node:crypto';

import mqtt, { type MqttClient } from 'mqtt';

export interface LoadClient {
  throughput(agentId: string, total: number, window: number): Promise<number>;
  latencies(agentId: string, count: number): Promise<number[]>;
  close(): Promise<void>;
}

export async function connectLoad(url: string): Promise<LoadClient> {
  const client: MqttClient = await mqtt.connectAsync(url, {
    protocolVersion: 5,
    clientId: `bench-load-${randomUUID().slice(0, 6)}`,
    clean: true,
  });
  (client.stream as unknown as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
  const waiting = new Map<string, () => void>();
  client.on('message', (_topic, payload) => {
    const id = (JSON.parse(payload.toString()) as { task_id?: string }).task_id;
    const done = id === undefined ? undefined : waiting.get(id);
    if (done) {
      waiting.delete(id!);
      done();
    }
  });
  await client.subscribeAsync('/conversations/bench/+', { qos: 1 });

  const send = (agentId: string): Promise<void> =>
    new Promise((resolve) => {
      const taskId = randomUUID();
      waiting.set(taskId, resolve);
      const topic = `/control/agents/${agentId}/input`;
      const envelope = {
        task_id: taskId,
        conversation_id: 'bench',
        topic,
        instruction: 'ping',
        input: null,
        next: null,
      };
      client.publish(topic, JSON.stringify(envelope), { qos: 1 });
    });

  return {
    async throughput(agentId, total, window) {
      let sent = 0;
      const started = performance.now();
      const worker = async (): Promise<void> => {
        while (sent < total) {
          sent++;
          await send(agentId);
        }
      };
      await Promise.all(Array.from({ length: window }, worker));
      return total / ((performance.now() - started) / 1000);
    },
    async latencies(agentId, count) {
      const out: number[] = [];
      for (let i = 0; i < count; i++) {
        const t = performance.now();
        await send(agentId);
        out.push(performance.now() - t);
      }
      return out;
    },
    close: () => client.endAsync(),
  };
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
