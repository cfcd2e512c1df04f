// A controlled reconnect for a reload that changed [mqtt] or agent.id: drain the tasks in flight,
// say `unavailable` on the old connection, close it, connect with the new settings (bounded), and
// subscribe. If the new connection cannot be made, connect again with the previous settings.
import type { LoggerV1 } from '@agent2389/tool-sdk';
import type { AgentConfig } from '../config/schema.js';
import { ERR_RELOAD_RECONNECT_FAILED, reasonOf } from '../errors.js';
import type { AgentLink, AvailabilityStatus } from './agent-link.js';
import type { Connection } from './connection.js';
import { drainThenAbort } from './drain.js';
import type { Lifecycle } from './lifecycle.js';
import type { LiveGeneration } from './live-generation.js';
import type { MessageIntake } from './message-intake.js';
import type { TaskQueue } from './task-queue.js';

/** How long a reload waits for the new broker before going back to the old settings. */
export const RECONNECT_TIMEOUT_MS = 15_000;

/** What a reconnect reads from and does to the agent's runtime (AgentRuntime implements it). */
export interface ReconnectRuntime {
  readonly log: LoggerV1;
  readonly lifecycle: Lifecycle;
  readonly queue: TaskQueue;
  readonly link: AgentLink;
  readonly intake: MessageIntake;
  /** The generation serving now (the one to go back to). */
  readonly generation: LiveGeneration;
  /** The connection in use now. */
  readonly conn: Connection;
  readonly shutdown: AbortController;
  connect(
    config: AgentConfig,
    gen: LiveGeneration,
    signal: AbortSignal,
    replacing: boolean,
  ): Promise<Connection>;
  adopt(gen: LiveGeneration): void;
  /** Subscribe `conn` to `gen`'s input and the agents' statuses (`fresh`: forget the statuses known). */
  subscribe(conn: Connection, gen: LiveGeneration, fresh?: boolean): Promise<void>;
  publishStatus(status: AvailabilityStatus): Promise<void>;
}

/**
 * Drain, then move to the connection `next` asks for and make `next` current. If that fails, go
 * back to the previous settings (which keep serving) and reject with ERR_RELOAD_RECONNECT_FAILED.
 * Runs in `reconnecting`, from and back to `reloading`.
 */
export async function reconnectTo(rt: ReconnectRuntime, next: LiveGeneration): Promise<void> {
  const previous = rt.generation;
  const oldConn = rt.conn;
  rt.lifecycle.to('reconnecting');
  let error: Error | undefined;
  try {
    const graceMs = previous.config.lifecycle.shutdown_grace_seconds * 1000;
    await drainThenAbort(
      { queue: rt.queue, log: rt.log, abortRunning: (reason) => previous.abort(reason) },
      graceMs,
      'reload',
    );
    // Best effort: the status is published again once connected; a lost `unavailable` is logged.
    await rt
      .publishStatus('unavailable')
      .catch((err: unknown) =>
        rt.log.warn({ err }, 'reload: cannot publish unavailable before reconnecting'),
      );
    await oldConn
      .close()
      .catch((err: unknown) => rt.log.warn({ err }, 'reload: closing the old connection failed'));
    let conn: Connection;
    try {
      conn = await switchTo(rt, next);
    } catch (err) {
      const broker = next.config.mqtt.broker_url;
      const reason = reasonOf(err);
      rt.log.error({ broker, reason }, 'reload: cannot connect with the new settings; going back');
      conn = await rt.connect(previous.config, previous, rt.shutdown.signal, true);
      await rt.subscribe(conn, previous, true);
      error = new ERR_RELOAD_RECONNECT_FAILED({ broker, reason }, { cause: err });
    }
    rt.link.use(conn);
  } finally {
    rt.lifecycle.to('reloading');
  }
  await rt
    .publishStatus('available')
    .catch((err: unknown) => rt.log.warn({ err }, 'cannot publish available after reconnecting'));
  rt.intake.flushPending();
  if (error) throw error;
}

/** Connect with `next`'s settings (bounded by RECONNECT_TIMEOUT_MS and the shutdown), subscribe, adopt. */
async function switchTo(rt: ReconnectRuntime, next: LiveGeneration): Promise<Connection> {
  const signal = AbortSignal.any([AbortSignal.timeout(RECONNECT_TIMEOUT_MS), rt.shutdown.signal]);
  const conn = await rt.connect(next.config, next, signal, true);
  try {
    await rt.subscribe(conn, next, true);
  } catch (err) {
    // The subscribe failure is what gets reported; closing the half-made connection is cleanup.
    await conn
      .close()
      .catch((e: unknown) => rt.log.debug({ err: e }, 'reload: closing the new connection failed'));
    throw err;
  }
  rt.adopt(next);
  rt.log.info({ broker: conn.brokerUrl }, 'reload: reconnected with the new settings');
  return conn;
}
