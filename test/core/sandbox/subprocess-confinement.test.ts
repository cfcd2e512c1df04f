// What a tool can see without bwrap: only allow-listed env vars, and (as root) nothing root-only.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runSubprocess } from '../../../src/core/sandbox/subprocess.js';
import { callOptions, ensureFixtureModes, fixtureSpec, payload } from './subprocess-fixtures.js';
import { needs } from '../../helpers/require-tool.js';

type Seen = Record<string, { ok: boolean; content?: string; entries?: string[]; error?: string }>;

let secretDir: string;
let secretFile: string;
beforeAll(async () => {
  ensureFixtureModes();
  secretDir = await mkdtemp(join(tmpdir(), 'subprocess-secret-'));
  secretFile = join(secretDir, 'agent-secret.txt');
  await writeFile(secretFile, 'top secret', { mode: 0o600 });
});
afterAll(() => rm(secretDir, { recursive: true, force: true }));

describe('runSubprocess: environment allow-list', () => {
  it('passes only allowed variables from opts.env, never the agent’s own environment', async () => {
    process.env.AGENT2389_TEST_OWN_SECRET = 'agent-own';
    try {
      const spec = fixtureSpec('reads-env', { envAllow: ['ALLOWED_VAR', 'UNSET_VAR'] });
      const env = { OPENAI_API_KEY: 'sk-secret', ALLOWED_VAR: 'yes', PATH: '/nowhere' };
      const result = await runSubprocess(spec, payload(), callOptions({ env }));
      expect(result.error).toBeUndefined();
      const seen = result.value as Record<string, string>;
      expect(seen.ALLOWED_VAR).toBe('yes');
      expect(seen).not.toHaveProperty('OPENAI_API_KEY');
      expect(seen).not.toHaveProperty('UNSET_VAR');
      expect(seen).not.toHaveProperty('AGENT2389_TEST_OWN_SECRET');
      expect(seen.PATH).toBe('/usr/local/bin:/usr/bin:/bin');
      expect(seen.HOME).toBe(seen.TMPDIR);
      expect(result.sandbox).toContain('env-allowlist');
    } finally {
      delete process.env.AGENT2389_TEST_OWN_SECRET;
    }
  });

  it('an allowed PATH is passed as given', async () => {
    const spec = fixtureSpec('reads-env', { envAllow: ['PATH'] });
    const result = await runSubprocess(
      spec,
      payload(),
      callOptions({ env: { PATH: '/usr/bin:/bin:/opt/x' } }),
    );
    expect((result.value as Record<string, string>).PATH).toBe('/usr/bin:/bin:/opt/x');
  });
});

// Without bwrap the filesystem is the host's: only the uid drop keeps root-only files out of reach.
needs('root').describe('runSubprocess without bwrap, agent running as root', () => {
  it('the tool (as nobody) cannot read a root-only secret file or /root', async () => {
    const spec = fixtureSpec('reads-file');
    const result = await runSubprocess(spec, payload({ paths: [secretFile, '/root'] }), callOptions());
    expect(result.error).toBeUndefined();
    const seen = result.value as Seen;
    expect(seen[secretFile]).toEqual({ ok: false, error: 'PermissionError' });
    expect(seen['/root']?.ok).toBe(false);
  });
});
