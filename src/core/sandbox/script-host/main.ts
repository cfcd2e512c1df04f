// Script-host child entry: loads scripts into isolate pools and runs calls, talking to the agent over IPC.
// Started by script.ts under prlimit with --no-node-snapshot (host-launch.ts); writes nothing to stdout,
// everything goes over IPC.
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

import { dataLimitBytes, dataUse } from './host-memory.js';
import { IsolatePool } from './isolate-pool.js';
import {
  LOG_LEVELS,
  MAX_LOG_LINE_CHARS,
  MAX_LOG_LINES_PER_CALL,
  clip,
  type FromHost,
  type LogLevel,
  type RunOutcome,
  type ToHost,
  type WireScript,
} from './protocol.js';
import { reasonOf } from '../../errors.js';

/** Exit code of a host that restarts because it is near its data limit. */
const EXIT_NEAR_LIMIT = 71;
const dataLimit = dataLimitBytes('soft');
let exiting = false;

const pools = new Map<string, IsolatePool>();
/** Calls in flight → their pool (for cancel) and how many log lines they sent. */
const calls = new Map<number, { pool: IsolatePool; logLines: number }>();

/** `written`: called once the message is written (or could not be). */
function send(msg: FromHost, written?: () => void): void {
  if (!process.connected || !process.send) return written?.();
  if (written) process.send(msg, () => written());
  else process.send(msg);
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
      wasm: script.wasm,
      ...(fetch ? { fetch } : {}),
    };
    const pool = await IsolatePool.create(compiled, script.poolSize, onLog);
    const old = pools.get(script.tool);
    pools.set(script.tool, pool);
    old?.retire();
    send({ type: 'loaded', id });
  } catch (e) {
    send({ type: 'load-failed', id, reason: reasonOf(e) });
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
    if (!exiting) afterCall(id, outcome);
  } finally {
    calls.delete(id);
  }
}

/**
 * Send the call's result, unless the host is near its data limit: memory outside every isolate's count
 * (ICU objects, malloc) waits for a GC that may never come, and at the limit every allocation fails, so
 * a host wedged there must not serve more calls. It says it is exiting (the agent sends it nothing
 * more and starts a new host), sends this result — a call that failed for another reason than its own
 * memory limit becomes the host's failure, since an allocation was probably refused — and exits; calls
 * still in flight fail with its exit.
 */
function afterCall(id: number, outcome: RunOutcome): void {
  const use = dataUse(dataLimit);
  if (!use.near) return send({ type: 'result', id, outcome });
  exiting = true;
  const reason = `the script host used ${use.usedMb} MiB of its ${use.limitMb} MiB memory limit`;
  process.stderr.write(`${reason}\n`);
  send({ type: 'exiting', reason });
  const kept = outcome.kind === 'ok' || outcome.kind === 'memory'; // already the tool's own answer
  const last: RunOutcome = kept ? outcome : { kind: 'host-memory', reason };
  send({ type: 'result', id, outcome: last }, () => process.exit(EXIT_NEAR_LIMIT));
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
