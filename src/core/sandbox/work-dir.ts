// A fresh private work dir per tool call (cwd, HOME, TMPDIR), owned by the tool's user, removed afterwards.
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { SandboxUser } from './sandbox-user.js';

/** mkdtemp under `base` (default os.tmpdir()), mode 0700, chowned to `owner` when the tool drops to it. */
export async function createWorkDir(
  base: string | undefined,
  owner: SandboxUser | undefined,
): Promise<string> {
  const dir = await mkdtemp(join(base ?? tmpdir(), 'agent2389-tool-'));
  // mkdtemp creates the dir with mode 0700 already; only the owner changes.
  if (owner) await chown(dir, owner.uid, owner.gid);
  return dir;
}

/** Remove the work dir and everything the tool left in it. Returns the failure reason, if any. */
export async function removeWorkDir(dir: string): Promise<string | undefined> {
  try {
    await rm(dir, { recursive: true, force: true, maxRetries: 2 });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
