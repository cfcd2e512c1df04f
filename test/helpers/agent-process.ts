// Run the real `agent2389` CLI (built dist/) as a child process, with its logs captured.
import { spawn, type ChildProcess } from 'node:child_process';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { onTestFinished } from 'vitest';

export const CLI = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

export interface AgentProcess {
  readonly child: ChildProcess;
  /** The config file the agent runs on (edit it to test reloads), in its own temp folder. */
  readonly file: string;
  /** Everything the process printed (stdout + stderr). */
  output(): string;
  /** Parsed JSON log lines from stdout. */
  logs(): Array<Record<string, unknown>>;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  signal(sig: NodeJS.Signals): void;
}

const live = new Set<() => Promise<void>>();

/** Kill every agent process still running (registered as a global afterAll in test/setup.ts). */
export async function stopAllAgentProcesses(): Promise<void> {
  await Promise.all([...live].map((c) => c()));
}

/** A non-root identity to run the agent as (the test runs as root); its temp folder is chowned to it. */
export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/**
 * Write `toml` to a temp file (in `dir`, default a new temp folder) and start `agent2389 run` on it
 * (as `runAs` when given); killed after the test.
 */
export async function startAgentProcess(
  toml: string,
  env: Record<string, string> = {},
  waitReady = true,
  inDir?: string,
  runAs?: RunAs,
): Promise<AgentProcess> {
  const dir = inDir ?? (await mkdtemp(join(tmpdir(), 'agent2389-it-')));
  const file = join(dir, 'agent.toml');
  await writeFile(file, toml);
  if (runAs) await chown(dir, runAs.uid, runAs.gid).then(() => chown(file, runAs.uid, runAs.gid));
  const child = spawn(process.execPath, [CLI, 'run', file], {
    ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
    stdio: ['ignore', 'pipe', 'pipe'],
    // HEALTH_PORT=0: every agent's health server on a free port (tests run several agents at once).
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'debug',
      HEALTH_PORT: '0',
      // The dedupe file of an agent without data_dir: the worker's temp data folder (test/setup.ts), or
      // for another user, its own folder.
      ...(runAs
        ? { XDG_DATA_HOME: dir }
        : process.env.XDG_DATA_HOME
          ? { XDG_DATA_HOME: process.env.XDG_DATA_HOME }
          : {}),
      ...env,
    },
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, sig) => resolve(code ?? sig ?? -1)),
  );
  const cleanup = async (): Promise<void> => {
    live.delete(cleanup);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    if (inDir === undefined) await rm(dir, { recursive: true, force: true });
  };
  live.add(cleanup);
  try {
    onTestFinished(cleanup);
  } catch {
    // started from beforeAll: stopAllAgentProcesses() (afterAll in test/setup.ts) cleans up
  }
  const proc: AgentProcess = {
    child,
    file,
    output: () => out,
    logs: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    waitForLog: (pattern, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const tick = (): void => {
          if (pattern.test(out)) return resolve();
          if (child.exitCode !== null)
            return reject(new Error(`agent exited (${child.exitCode}) before ${pattern}:\n${out}`));
          if (Date.now() - started > timeoutMs)
            return reject(new Error(`timed out waiting for ${pattern}:\n${out}`));
          setTimeout(tick, 20);
        };
        tick();
      }),
    exited,
    signal: (sig) => child.kill(sig),
  };
  if (waitReady) await proc.waitForLog(/"msg":"agent available"/);
  return proc;
}

/** Run the CLI to completion (inject, validate, …) and capture its output. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 20_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI ${args.join(' ')} timed out:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** `agent2389 inject --tool <tool> --tool-params <json> --wait <s>` to `agentId` on `brokerUrl`. */
export function injectTool(
  brokerUrl: string,
  agentId: string,
  tool: string,
  params: unknown,
  waitSeconds = 20,
) {
  return runCli([
    'inject',
    '--broker-url',
    brokerUrl,
    '--agent-id',
    agentId,
    '--tool',
    tool,
    '--tool-params',
    JSON.stringify(params),
    '--wait',
    String(waitSeconds),
  ]);
}
