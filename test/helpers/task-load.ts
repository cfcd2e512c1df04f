// Test helper: load one agent with v1 tasks over MQTT and count, by task_id, what was answered, lost or answered twice.
import { randomUUID } from 'node:crypto';

import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export interface TaskLoadOptions {
  readonly url: string;
  readonly agentId: string;
  /** The scripted provider's delay per task (docs: scripted-provider.ts): a fixed ms or a [min, max] range. */
  readonly delayMs?: number | readonly [number, number];
  /** waitFor's default timeout (generous: a loaded 2-core machine). */
  readonly timeoutMs?: number;
}

export interface Pacer {
  /** Stop publishing; resolves once every publish so far is acknowledged by the broker. */
  stop(): Promise<void>;
  /** Stop publishing now, without waiting (after a failure, so the counts stay put). */
  halt(): void;
}

export interface TaskLoad {
  /** Tasks published (first attempt made), acknowledged by the broker, and answered at least once. */
  readonly sent: number;
  readonly acked: number;
  readonly answered: number;
  /** Published tasks without an answer yet. */
  lost(): string[];
  /** Tasks answered more than once (a broker redelivery of the same answer, DUP set, is not counted). */
  duplicates(): string[];
  /** Answered task ids in the order their first answer arrived. */
  order(): string[];
  /** Publish `count` tasks as fast as the broker takes them; resolves when all are acknowledged. */
  publishAll(count: number): Promise<void>;
  /** Publish steadily at `perSecond` tasks/s until stopped. */
  startPaced(perSecond: number): Pacer;
  /** Resolves when `predicate` holds, checked on every answer and acknowledgement; rejects with report(). */
  waitFor(what: string, predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /** Publish one more task and wait for its answer: answers queued before it (re-runs included) are in. */
  barrier(timeoutMs?: number): Promise<void>;
  /** Counts and the first few lost and duplicate ids, for assertion messages. */
  report(): string;
  close(): Promise<void>;
}

const WINDOW = 32; // publishes in flight at most during publishAll
const SHOW = 5;

/** TCP_NODELAY on every (re)connect's socket, as the agent's transport does. */
function noDelay(client: MqttClient): void {
  const apply = (): void =>
    (client.stream as unknown as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
  apply();
  client.on('connect', apply);
}

async function connect(url: string, options: IClientOptions): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 100, ...options });
  noDelay(client);
  return client;
}

export async function startTaskLoad(options: TaskLoadOptions): Promise<TaskLoad> {
  const { agentId, delayMs = 50, timeoutMs = 120_000 } = options;
  const conversation = `load-${randomUUID().slice(0, 8)}`;
  const topic = `/control/agents/${agentId}/input`;
  // The collector's session survives broker restarts: answers published while it is away are queued for it.
  const collector = await connect(options.url, {
    clientId: `task-load-${conversation}`,
    clean: false,
    properties: { sessionExpiryInterval: 3600 },
  });
  const publisher = await connect(options.url, { clientId: `task-load-pub-${conversation}`, clean: true });
  const sent = new Set<string>();
  const acked = new Set<string>();
  const answers = new Map<string, number>();
  const listeners = new Set<() => void>();
  const timers = new Set<NodeJS.Timeout>(); // waitFor deadlines
  const pacers = new Set<NodeJS.Timeout>();
  let redelivered = 0;
  let strays = 0;
  let errors = 0;
  let retries = 0;
  const notify = (): void => listeners.forEach((l) => l());

  collector.on('message', (_topic, payload, packet) => {
    let msg: { task_id?: unknown; error?: unknown };
    try {
      msg = JSON.parse(payload.toString()) as typeof msg;
    } catch {
      return void strays++;
    }
    const id = msg.task_id;
    if (typeof id !== 'string' || !sent.has(id)) return void strays++;
    const seen = answers.get(id) ?? 0;
    if (seen > 0 && packet.dup) return void redelivered++;
    answers.set(id, seen + 1);
    if (msg.error !== undefined && seen === 0) errors++;
    notify();
  });
  await collector.subscribeAsync(`/conversations/${conversation}/${agentId}`, { qos: 1 });

  const delay = (): number =>
    typeof delayMs === 'number'
      ? delayMs
      : delayMs[0] + Math.floor(Math.random() * (delayMs[1] - delayMs[0] + 1));

  /** Publish one task; a failed publish is retried with the same task_id once the publisher is back. */
  async function publishOne(): Promise<string> {
    const taskId = randomUUID();
    const envelope = { task_id: taskId, conversation_id: conversation, topic, instruction: 'load' };
    const body = JSON.stringify({ ...envelope, input: { scripted: { delay_ms: delay() } }, next: null });
    sent.add(taskId);
    for (;;) {
      try {
        await publisher.publishAsync(topic, body, { qos: 1 });
        break;
      } catch {
        retries++;
        if (!publisher.connected) await new Promise((resolve) => publisher.once('connect', resolve));
      }
    }
    acked.add(taskId);
    notify();
    return taskId;
  }

  const lost = (): string[] => [...sent].filter((id) => !answers.has(id));
  const duplicates = (): string[] => [...answers].filter(([, n]) => n > 1).map(([id]) => id);
  const report = (): string => {
    const l = lost();
    const d = duplicates();
    return (
      `sent ${sent.size}, acked ${acked.size}, answered ${answers.size} (${errors} errors), ` +
      `lost ${l.length} [${l.slice(0, SHOW).join(', ')}], answered twice ${d.length} [${d.slice(0, SHOW).join(', ')}], ` +
      `broker redeliveries ${redelivered}, publish retries ${retries}, strays ${strays}`
    );
  };

  const waitFor = (what: string, predicate: () => boolean, ms = timeoutMs): Promise<void> =>
    new Promise((resolve, reject) => {
      if (predicate()) return resolve();
      const check = (): void => {
        if (!predicate()) return;
        listeners.delete(check);
        clearTimeout(timer);
        timers.delete(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        timers.delete(timer);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}: ${report()}`));
      }, ms);
      timers.add(timer);
      listeners.add(check);
    });

  return {
    get sent() {
      return sent.size;
    },
    get acked() {
      return acked.size;
    },
    get answered() {
      return answers.size;
    },
    lost,
    duplicates,
    order: () => [...answers.keys()],
    report,
    waitFor,
    async publishAll(count) {
      let left = count;
      const worker = async (): Promise<void> => {
        while (left > 0) {
          left--;
          await publishOne();
        }
      };
      await Promise.all(Array.from({ length: Math.min(WINDOW, count) }, worker));
    },
    startPaced(perSecond) {
      const started = performance.now();
      let published = 0;
      const timer = setInterval(() => {
        const due = Math.floor(((performance.now() - started) / 1000) * perSecond) - published;
        for (let i = 0; i < due; i++, published++) void publishOne();
      }, 10);
      pacers.add(timer);
      const halt = (): void => {
        clearInterval(timer);
        pacers.delete(timer);
      };
      return {
        halt,
        async stop() {
          halt();
          await waitFor('every publish acknowledged', () => acked.size === sent.size);
        },
      };
    },
    async barrier(ms = timeoutMs) {
      const id = await publishOne();
      await waitFor(`the answer to barrier task ${id}`, () => answers.has(id), ms);
    },
    async close() {
      [...pacers, ...timers].forEach(clearTimeout);
      listeners.clear();
      await Promise.all([publisher.endAsync(true), collector.endAsync(true)]);
    },
  };
}
