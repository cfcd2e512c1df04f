// Run `agent2389 <args>` in this process (the same command tree and exit statuses as the binary), capturing
// what it writes. The binary itself is tested as a child process in test/integration/cli-*.test.ts.
import { vi } from 'vitest';

import { createProgram, failureOf } from '../../src/cli/cli-program.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

class ProcessExit extends Error {
  constructor(code: unknown) {
    super(`the command called process.exit(${String(code)})`);
  }
}

/** Run the command to its end; process.exit fails the call instead of ending the test worker. */
export async function runCliInProcess(args: readonly string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const capture =
    (append: (s: string) => void) =>
    (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture((s) => (stdout += s)));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture((s) => (stderr += s)));
  const exit = vi.spyOn(process, 'exit').mockImplementation((code) => {
    throw new ProcessExit(code);
  });
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await createProgram().parseAsync([...args], { from: 'user' });
    return { code: Number(process.exitCode ?? 0), stdout, stderr };
  } catch (thrown) {
    if (thrown instanceof ProcessExit) throw thrown;
    const failure = failureOf(thrown);
    if (failure.message !== undefined) stderr += `agent2389: ${failure.message}\n`;
    return { code: failure.code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    exit.mockRestore();
    process.exitCode = before;
  }
}
