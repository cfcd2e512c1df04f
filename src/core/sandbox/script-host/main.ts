// Script-host child entry: loads scripts into isolate pools and runs calls, talking to the agent over IPC.
// Started by script.ts with --no-node-snapshot; writes nothing to stdout, everything goes over IPC.
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

import { IsolatePool } from './isolate-pool.js';
import {
  LOG_LEVELS,
  MAX_LOG_LINE_CHARS,
  MAX_LOG_LINES_PER_CALL,
  clip,
  type FromHost,
  type LogLevel,
  type ToHost,
  type WireScript,
} from './protocol.js';

const pools = new Map<string, IsolatePool>();
/** Calls in flight → their pool (for cancel) and how many log lines they sent. */
const calls = new Map<number, { pool: IsolatePool; logLines: number }>();

function send(msg: FromHost): void {
  if (process.connected) process.send?.(msg);
}

function onLog(callId: number, level: string, message: string, fromHost = false): void {
  const call = calls.get(callId);
  if (!call) return;
  if (fromHost) return send({ type: 'log', id: callId, level: 'debug', message });
  call.logLines++;
  if (call.logLines > MAX_LOG_LINES_PER_CALL + 1) return;
  if (call.logLines === MAX_LOG_LINES_PER_CALL + 1) {
    const note = `further host.log lines of this call are dropped (limit ${MAX_LOG_LINES_PER_CALL})`;
    return send({ type: 'log', id: callId, level: 'warn', message: note });
  }
  const lvl: LogLevel = (LOG_LEVELS as readonly string[]).includes(level) ? (level as LogLevel) : 'info';
  send({ type: 'log', id: callId, level: lvl, message: clip(message, MAX_LOG_LINE_CHARS) });
}

async function load(id: number, script: WireScript): Promise<void> {
  let code: string;
  try {
    code = await readFile(script.source, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return send({ type: 'load-failed', id, reason: `cannot read the file (${err.code ?? err.message})` });
  }
  try {
    const fetch = script.fetch && (await import('./host-fetch.js')).createFetchSetup(script.fetch);
    const compiled = {
      code,
      filename: pathToFileURL(script.source).href,
      limits: script.limits,
      hostFunctions: script.hostFunctions,
      ...(fetch ? { fetch } : {}),
    };
    const pool = await IsolatePool.create(compiled, script.poolSize, onLog);
    const old = pools.get(script.tool);
    pools.set(script.tool, pool);
    old?.retire();
    send({ type: 'loaded', id });
  } catch (e) {
    send({ type: 'load-failed', id, reason: e instanceof Error ? e.message : String(e) });
  }
}

async function run(id: number, tool: string, params: string): Promise<void> {
  const pool = pools.get(tool);
  if (!pool) {
    return send({ type: 'result', id, outcome: { kind: 'failed', reason: `"${tool}" is not loaded` } });
  }
  calls.set(id, { pool, logLines: 0 });
  try {
    const outcome = await pool.run(id, params, {
      onQueued: () => send({ type: 'queued', id }),
      onStarted: () => send({ type: 'started', id }),
    });
    send({ type: 'result', id, outcome });
  } finally {
    calls.delete(id);
  }
}

process.on('message', (msg: ToHost) => {
  switch (msg.type) {
    case 'load':
      return void load(msg.id, msg.script);
    case 'run':
      return void run(msg.id, msg.tool, msg.params);
    case 'cancel':
      return calls.get(msg.id)?.pool.cancel(msg.id);
  }
});
// The agent went away (or closed us): nothing here is worth finishing.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid });
