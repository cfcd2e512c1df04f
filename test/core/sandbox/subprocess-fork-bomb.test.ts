// A bash fork bomb is contained by RLIMIT_NPROC (enforced because root drops to an unprivileged uid) and
// leaves no process behind. Runs as a dedicated uid so the bomb cannot starve other tests' tools of NPROC.
import { afterAll, beforeAll, expect, it } from 'vitest';

import { DEFAULT_SANDBOX_USER, setSandboxUser } from '../../../src/core/sandbox/sandbox-user.js';
import { runSubprocess } from '../../../src/core/sandbox/subprocess.js';
import {
  FAST_LIMITS,
  callOptions,
  ensureFixtureModes,
  fixtureSpec,
  livePidsOfUid,
  payload,
} from './subprocess-fixtures.js';
import { needs } from '../../helpers/require-tool.js';

// An unassigned uid, different per run so that even concurrent runs of this suite do not share it.
const BOMB_UID = 61_000 + Math.floor(Math.random() * 4_000);

beforeAll(() => {
  ensureFixtureModes();
  setSandboxUser({ uid: BOMB_UID, gid: BOMB_UID });
});
afterAll(() => setSandboxUser(DEFAULT_SANDBOX_USER));

// Not as a normal user: RLIMIT_NPROC would then count (and starve) the test runner's own processes.
needs('root').describe('runSubprocess: fork bomb', () => {
  it('ends within its time limit and no process of its uid survives', async () => {
    const limits = { ...FAST_LIMITS, timeoutMs: 1_500, forceKillAfterMs: 500, maxProcesses: 32 };
    const result = await runSubprocess(fixtureSpec('fork-bomb', { limits }), payload(), callOptions());
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('AGENT_ERR_TOOL_TIMEOUT');
    expect(result.sandbox).toEqual(expect.arrayContaining(['rlimit', 'uid-drop', 'process-group']));
    expect(livePidsOfUid(BOMB_UID)).toEqual([]);
  });
});
