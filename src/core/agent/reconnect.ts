// A controlled reconnect for a reload that changed [mqtt] or agent.id: drain the tasks in flight,
// say `unavailable` on the old connection, close it, connect with the new settings (bounded), and
// subscribe. If the new connection cannot be made, connect again with the previous settings.
import type { LoggerV1 } from '../../../tool-sdk/src/index.js';
import { type AgentError, ERR_CLOSED, ERR_RELOAD_RECONNECT_FAILED, reasonOf } from '../errors.js';
import type { Connection } from './connection.js';
import type { LiveGeneration } from './live-generation.js';
import type { TaskQueue } from './task-queue.js';

/** How long a reload waits for the new broker before going back to the old settings. */
export const RECONNECT_TIMEOUT_MS = 15_000;

export interface ReconnectSteps {
  readonly log: LoggerV1;
  readonly queue: TaskQueue;
  /** How long tasks in flight may take to finish before they are aborted. */
  readonly graceMs: number;
  abortRunning(reason: unknown): void;
  /** Retained `unavailable` for the current agent id, on the current connection. */
  publishUnavailable(): Promise<void>;
  readonly oldConn: Connection;
  connectNew(signal: AbortSignal): Promise<Connection>;
  /** Back to the previous settings (retried until it works or the agent stops). */
  reconnectOld(): Promise<Connection>;
  subscribe(conn: Connection, gen: LiveGeneration): Promise<void>;
  readonly next: LiveGeneration;
  readonly previous: LiveGeneration;
  /** The new connection is up and subscribed: `next` becomes the current generation. */
  onSwitched(): void;
}

/** The connection to use from now on; `error` (ERR_RELOAD_RECONNECT_FAILED) when it is the old one again. */
export interface ReconnectResult {
  readonly conn: Connection;
  readonly error?: AgentError;
}

export async function reconnectWith(s: ReconnectSteps): Promise<ReconnectResult> {
  if (!(await s.queue.drain(s.graceMs))) {
    s.log.warn({ in_flight: s.queue.active + s.queue.waiting }, 'reload: grace period over, aborting tasks');
    s.abortRunning(new ERR_CLOSED({}));
    await s.queue.drain(5_000);
  }
  await s
    .publishUnavailable()
    .catch((err: unknown) => s.log.warn({ err }, 'reload: cannot publish unavailable before reconnecting'));
  await s.oldConn
    .close()
    .catch((err: unknown) => s.log.warn({ err }, 'reload: closing the old connection failed'));
  const broker = s.next.config.mqtt.broker_url;
  let conn: Connection | undefined;
  try {
    conn = await s.connectNew(AbortSignal.timeout(RECONNECT_TIMEOUT_MS));
    await s.subscribe(conn, s.next);
    s.onSwitched();
    s.log.info({ broker: conn.brokerUrl }, 'reload: reconnected with the new settings');
    return { conn };
  } catch (err) {
    await conn?.close().catch(() => {});
    const reason = reasonOf(err);
    s.log.error({ broker, reason }, 'reload: cannot connect with the new settings; going back');
    const back = await s.reconnectOld();
    await s.subscribe(back, s.previous);
    return { conn: back, error: new ERR_RELOAD_RECONNECT_FAILED({ broker, reason }, { cause: err }) };
  }
}
