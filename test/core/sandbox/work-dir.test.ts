// A call's work dir: created and removed never with more privilege than the tool had, whatever the
// tool (or a process it left behind) does to it meanwhile.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { runSubprocess } from '../../../src/core/sandbox/subprocess.js';
import { createWorkDir } from '../../../src/core/sandbox/work-dir.js';
import {
  BIN,
  callOptions,
  ensureFixtureModes,
  fixtureSpec,
  livePidsRunning,
  marker,
  payload,
} from './subprocess-fixtures.js';
import { needs } from '../../helpers/require-tool.js';

const VICTIM_FILES = 300;

let victim: string;
beforeAll(async () => {
  ensureFixtureModes();
  // Root-owned files the tool's user cannot delete, outside any work dir.
  victim = await mkdtemp(join(tmpdir(), 'cleanup-victim-'));
  await chmod(victim, 0o755);
  for (let i = 0; i < VICTIM_FILES; i++) await writeFile(join(victim, `f${String(i).padStart(4, '0')}`), 'x');
});
afterAll(() => rm(victim, { recursive: true, force: true }));

/** SIGKILL the processes carrying marker `m` and wait until they are gone. */
async function killMarked(m: string): Promise<void> {
  await vi.waitFor(() => {
    const pids = livePidsRunning(m);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    expect(pids).toEqual([]);
  });
}

needs('root').describe('work dir cleanup, agent running as root', () => {
  it('a process left behind that swaps the work dir’s folders for symlinks cannot make the agent delete root’s files', async () => {
    // Before the fix, the agent removed the tree as root, by path: the whole victim folder was gone after one call.
    for (let call = 0; call < 5; call++) {
      const m = marker();
      let work: string | undefined;
      try {
        const result = await runSubprocess(
          fixtureSpec('races-work-dir-cleanup'),
          payload({ victim, marker: m, files: VICTIM_FILES }),
          callOptions(),
        );
        expect(result.error).toBeUndefined();
        work = (result.value as { work: string }).work;
        expect(await readdir(victim)).toHaveLength(VICTIM_FILES);
      } finally {
        await killMarked(m);
        // What the racing process kept from being removed (it is dead now).
        if (work) await rm(work, { recursive: true, force: true });
      }
    }
  });
});

needs('root').describe('work dir creation, agent running as root', () => {
  it('a process swapping each new work dir for a symlink cannot make root chown the link’s target', async () => {
    // A work_dir base the tools' user may write (an operator's choice): the swap is possible there.
    const base = await mkdtemp(join(tmpdir(), 'work-base-'));
    await chown(base, 65534, 65534);
    await chmod(base, 0o755);
    const target = join(victim, 'f0000');
    const swapper = spawn(join(BIN, 'swaps-new-work-dirs'), [base, target], {
      uid: 65534,
      gid: 65534,
      env: { PATH: '/usr/bin:/bin' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      await new Promise((resolve) => swapper.stdout.once('data', resolve));
      // Before the fix (chown by path), root handed the target to nobody within a few thousand tries.
      for (let i = 0; i < 6000; i++) {
        await createWorkDir(base, { uid: 65534, gid: 65534 }).catch(() => undefined); // ELOOP: refused, fine
        expect((await stat(target)).uid).toBe(0);
      }
    } finally {
      swapper.kill('SIGKILL');
      await new Promise((resolve) => swapper.once('exit', resolve));
      await rm(base, { recursive: true, force: true });
    }
  }, 120_000); // 6000 tries: seconds when idle, far more on a loaded machine
});

describe('work dir cleanup', () => {
  it('removes folders the tool made unreadable and unwritable for itself', async () => {
    const result = await runSubprocess(fixtureSpec('locks-its-work-dir'), payload(), callOptions());
    expect(result.error).toBeUndefined();
    const { work } = result.value as { work: string };
    expect(work).toMatch(/agent2389-tool-/);
    expect(existsSync(work)).toBe(false);
  });
});
