// Global test hygiene: unhandled rejections fail the run; agent processes started in beforeAll are killed.
import { afterAll } from 'vitest';

import { stopAllAgentProcesses } from './helpers/agent-process.js';

process.on('unhandledRejection', (reason) => {
  throw reason;
});

afterAll(() => stopAllAgentProcesses());
