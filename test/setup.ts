// Global test hygiene: unhandled rejections fail the run; agent processes started in beforeAll are killed;
// child processes run the current source.
import { afterAll } from 'vitest';

import { SCRIPT_HOST_ENTRY_ENV } from '../src/core/sandbox/script-host/host-process.js';
import { stopAllAgentProcesses } from './helpers/agent-process.js';
import { builtFromSource } from './helpers/source-build.js';

// The script executor forks this script host, bundled from the current source (never a stale dist/).
process.env[SCRIPT_HOST_ENTRY_ENV] = builtFromSource('script-host');

process.on('unhandledRejection', (reason) => {
  throw reason;
});

afterAll(() => stopAllAgentProcesses());
