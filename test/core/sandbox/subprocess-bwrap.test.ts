// bubblewrap confinement: no host files beyond the minimum, no network unless allowed, fail closed.
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { assertSandboxAvailable, runSubprocess } from '../../../src/core/sandbox/subprocess.js';
import { needs } from '../../helpers/require-tool.js';
import { rejected } from '../../helpers/thrown.js';
import {
  BIN,
  FAST_LIMITS,
  callOptions,
  ensureFixtureModes,
  fixtureSpec,
  isRoot,
  livePidsRunning,
  marker,
  payload,
} from './subprocess-fixtures.js';

type Seen = Record<string, { ok: boolean; content?: string; entries?: string[]; error?: string }>;

ensureFixtureModes();

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'subprocess-bwrap-'));
  await chmod(scratch, 0o755);
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('assertSandboxAvailable', () => {
  it('fails closed when bwrap is not on the host PATH', async () => {
    await symlink('/usr/bin/prlimit', join(scratch, 'prlimit'));
    const spec = fixtureSpec('echo-json', { sandbox: 'bwrap' });
    const err = await rejected(assertSandboxAvailable(spec, { hostPath: scratch }));
    expect(err.code).toBe('AGENT_ERR_SANDBOX_UNAVAILABLE');
    expect(err.data).toMatchObject({ mechanism: 'bwrap' });
    await expect(
      assertSandboxAvailable(fixtureSpec('echo-json'), { hostPath: scratch }),
    ).resolves.toBeUndefined();
  });

  it('fails closed when bwrap is there but cannot create a sandbox (probe), with the reason', async () => {
    const fake = join(scratch, 'bwrap');
    await writeFile(fake, '#!/bin/sh\necho "bwrap: No permission to create namespaces" >&2\nexit 1\n', {
      mode: 0o755,
    });
    const err = await rejected(
      assertSandboxAvailable(fixtureSpec('x', { sandbox: 'bwrap' }), { hostPath: scratch }),
    );
    expect(err.code).toBe('AGENT_ERR_SANDBOX_UNAVAILABLE');
    expect((err.data as { reason: string }).reason).toContain('No permission to create namespaces');
  });

  it('fails closed without prlimit, whatever the sandbox', async () => {
    const err = await rejected(
      assertSandboxAvailable(fixtureSpec('echo-json'), { hostPath: '/nonexistent' }),
    );
    expect(err.code).toBe('AGENT_ERR_SANDBOX_UNAVAILABLE');
    expect(err.data).toMatchObject({ mechanism: 'rlimit' });
  });
});

// An inline tool's command next to agent.toml: bwrap must not bind that folder (config, password file, socket).
needs('bwrap').describe('bwrap binds the command file, not its folder', () => {
  let agentDir: string;
  let tool: string;
  let sockServer: Server;
  const socketPath = (): string => join(agentDir, 'broker.sock');
  beforeAll(async () => {
    agentDir = join(scratch, 'agent-dir');
    await mkdir(agentDir, { mode: 0o755 });
    tool = join(agentDir, 'tool');
    await copyFile(join(BIN, 'probes-neighbours'), tool);
    await chmod(tool, 0o755);
    // World-readable and connectable on purpose: only the mounts can keep the tool out.
    await writeFile(join(agentDir, 'agent.toml'), '[agent]\nid = "secret-agent"\n', { mode: 0o644 });
    await writeFile(join(agentDir, 'passwd'), 'broker:hash', { mode: 0o644 });
    await mkdir(join(agentDir, 'data'), { mode: 0o755 });
    await writeFile(join(agentDir, 'data', 'words.txt'), 'declared', { mode: 0o644 });
    sockServer = createServer((socket) => socket.end('broker'));
    await new Promise<void>((resolve) => sockServer.listen(socketPath(), resolve));
    await chmod(socketPath(), 0o777);
  });
  afterAll(() => new Promise<void>((resolve) => sockServer.close(() => resolve())));

  const probe = (readOnlyPaths: string[] = []) =>
    runSubprocess(
      {
        ...fixtureSpec('probes-neighbours'),
        command: tool,
        toolDir: undefined,
        sandbox: 'bwrap',
        readOnlyPaths,
      },
      payload({
        paths: ['agent.toml', 'passwd', 'data/words.txt'].map((f) => join(agentDir, f)),
        socket: socketPath(),
      }),
      callOptions(),
    );

  it('the tool runs, but sees neither the config, the password file nor the socket beside it', async () => {
    const unconfined = await runSubprocess(
      { ...fixtureSpec('probes-neighbours'), command: tool, toolDir: undefined },
      payload({ paths: [join(agentDir, 'passwd')], socket: socketPath() }),
      callOptions(),
    );
    expect(unconfined.value).toMatchObject({ socket: 'broker' }); // the contrast: reachable without bwrap
    const result = await probe();
    expect(result.error).toBeUndefined();
    const seen = result.value as { listing: string[]; read: Record<string, string>; socket: string };
    expect(seen.listing).toEqual(['tool']);
    expect(Object.values(seen.read)).toEqual(['FileNotFoundError', 'FileNotFoundError', 'FileNotFoundError']);
    expect(seen.socket).toBe('FileNotFoundError');
  });

  it('read_only_paths declare what else it may read', async () => {
    const result = await probe([join(agentDir, 'data')]);
    const seen = result.value as { listing: string[]; read: Record<string, string>; socket: string };
    expect(seen.read[join(agentDir, 'data', 'words.txt')]).toBe('declared');
    expect(seen.read[join(agentDir, 'passwd')]).toBe('FileNotFoundError');
    expect(seen.socket).toBe('FileNotFoundError');
  });
});

needs('bwrap').describe('runSubprocess under bwrap', () => {
  let server: Server;
  let port: number;
  let secretFile: string;
  beforeAll(async () => {
    server = createServer((socket) => socket.end('hello'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
    // World-readable on purpose: without bwrap any uid could read it.
    secretFile = join(scratch, 'agent-secret.txt');
    await writeFile(secretFile, 'top secret', { mode: 0o644 });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('runs the protocol normally and reports bwrap + no-network', async () => {
    const result = await runSubprocess(
      fixtureSpec('echo-json', { sandbox: 'bwrap' }),
      payload(),
      callOptions(),
    );
    expect(result.error).toBeUndefined();
    expect(result.sandbox).toEqual(
      expect.arrayContaining(['bwrap', 'no-network', 'rlimit', 'process-group']),
    );
    const answer = result.value as { cwd: string; uid: number };
    expect(answer.cwd.startsWith(tmpdir())).toBe(true);
    expect(answer.uid).toBe(isRoot ? 65534 : process.getuid?.());
  });

  it('sees none of the host files it was not given, but does see its own tool dir', async () => {
    const withoutBwrap = await runSubprocess(
      fixtureSpec('reads-file'),
      payload({ paths: [secretFile] }),
      callOptions(),
    );
    expect((withoutBwrap.value as Seen)[secretFile]?.ok).toBe(true); // the contrast: readable without bwrap
    const paths = [
      secretFile,
      scratch,
      '/root',
      '/work',
      '/home',
      '/etc/shadow',
      '/etc/hostname',
      BIN,
      tmpdir(),
    ];
    const spec = fixtureSpec('reads-file', { sandbox: 'bwrap' });
    const result = await runSubprocess(spec, payload({ paths }), callOptions());
    expect(result.error).toBeUndefined();
    const seen = result.value as Seen;
    for (const hidden of [secretFile, scratch, '/etc/shadow', '/etc/hostname', '/home'])
      expect(seen[hidden], hidden).toEqual({ ok: false, error: 'FileNotFoundError' });
    expect(seen['/root']?.ok).toBe(false);
    expect(seen['/work']?.entries ?? []).not.toContain('shared'); // only the path down to the tool dir exists
    expect(seen[BIN]?.entries).toContain('reads-file');
    // Just this call's work dir, plus the path down to the tool dir when the repository is itself
    // under the temp dir (a CI clone in /tmp).
    const toolDirTop = relative(tmpdir(), BIN).split(sep)[0]!;
    const inTmp = (seen[tmpdir()]?.entries ?? []).filter((e) =>
      BIN.startsWith(tmpdir()) ? e !== toolDirTop : true,
    );
    expect(inTmp).toHaveLength(1);
    expect(inTmp[0]).toMatch(/^agent2389-tool-/);
  });

  it('cannot reach a TCP server on the host without network, can with network: true', async () => {
    const params = payload({ host: '127.0.0.1', port });
    const closed = await runSubprocess(
      fixtureSpec('opens-network', { sandbox: 'bwrap' }),
      params,
      callOptions(),
    );
    expect(closed.value).toMatchObject({ connected: false });
    const open = await runSubprocess(
      fixtureSpec('opens-network', { sandbox: 'bwrap', network: true }),
      params,
      callOptions(),
    );
    expect(open.value).toEqual({ connected: true, greeting: 'hello' });
    expect(open.sandbox).toContain('bwrap');
    expect(open.sandbox).not.toContain('no-network');
  });

  it('time limits and the grandchild sweep still kill everything', async () => {
    const loopMark = marker();
    const loop = fixtureSpec('infinite-loop', {
      sandbox: 'bwrap',
      args: [loopMark],
      limits: { ...FAST_LIMITS, timeoutMs: 400, forceKillAfterMs: 400 },
    });
    const result = await runSubprocess(loop, payload(), callOptions());
    expect(result.error?.code).toBe('AGENT_ERR_TOOL_TIMEOUT');
    expect(livePidsRunning(loopMark)).toEqual([]);
    // The grandchild's pid is one of the sandbox's pid namespace: find it by its marker instead.
    const mark = marker();
    const spawner = fixtureSpec('spawns-grandchild-and-exits', { sandbox: 'bwrap', args: [mark] });
    const done = await runSubprocess(spawner, payload(), callOptions());
    expect(done.ok).toBe(true);
    expect(livePidsRunning(mark)).toEqual([]);
  });
});
