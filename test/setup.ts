// Global test hygiene: unhandled rejections fail the run; agent processes started in beforeAll are killed;
// child processes run the current source.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll } from 'vitest';

import { SCRIPT_HOST_ENTRY_ENV } from '../src/core/sandbox/script-host/host-process.js';
import { stopAllAgentProcesses } from './helpers/agent-process.js';
import { builtFromSource } from './helpers/source-build.js';

// The script executor forks this script host, bundled from the current source (never a stale dist/).
process.env[SCRIPT_HOST_ENTRY_ENV] = builtFromSource('script-host');

// Agents keep their dedupe file in their data dir ($XDG_DATA_HOME/agent2389/<id>): one temp folder per
// test worker (agent processes started by tests inherit it), never the user's home.
process.env.XDG_DATA_HOME = mkdtempSync(join(tmpdir(), 'agent2389-data-'));

process.on('unhandledRejection', (reason) => {
  throw reason;
});

afterAll(() => stopAllAgentProcesses());
