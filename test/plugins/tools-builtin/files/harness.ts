// Shared setup for the file tool tests: real temp folders, initialized tools, and expected ToolErrors.
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type { ToolError } from '@agent2389/tool-sdk';
import { silentLogger } from '../../../../src/core/observability/silent-logger.js';
import {
  createFileListTool,
  createFileReadTool,
  createFileWriteTool,
} from '../../../../src/plugins/tools-builtin/files/file-tools.js';
import type { FileListInput, FileListOutput } from '../../../../src/plugins/tools-builtin/files/list-dir.js';
import type { FileReadInput, FileReadOutput } from '../../../../src/plugins/tools-builtin/files/read-file.js';
import type {
  FileWriteInput,
  FileWriteOutput,
} from '../../../../src/plugins/tools-builtin/files/write-file.js';

/** A type alias (not an interface) so it passes as the `Record<string, unknown>` initialize takes. */
export type FileConfig = {
  allowed_paths?: string[];
  max_file_size: number;
  read_only: boolean;
  max_entries: number;
};

/** A full config as the host passes it (schema defaults spelled out). */
export function fileConfig(overrides: Partial<FileConfig> = {}): FileConfig {
  return { max_file_size: 1_048_576, read_only: false, max_entries: 1000, ...overrides };
}

export const signal: AbortSignal = new AbortController().signal;
const callCtx = { callId: 'c1', signal, log: silentLogger };

/** Temp folders (real paths, so /tmp being a symlink does not matter), removed by `cleanup`. */
export class TempDirs {
  readonly #dirs: string[] = [];

  async make(label = 'files'): Promise<string> {
    const dir = await realpath(await mkdtemp(path.join(os.tmpdir(), `agent2389-${label}-`)));
    this.#dirs.push(dir);
    return dir;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.#dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  }
}

export interface FileTools {
  read(input: FileReadInput): Promise<FileReadOutput>;
  write(input: FileWriteInput): Promise<FileWriteOutput>;
  list(input?: FileListInput): Promise<FileListOutput>;
}

/** The three tools, each initialized with `config` (file_list's max_entries included only for it). */
export async function fileTools(config: FileConfig, dataDir: string): Promise<FileTools> {
  const { max_entries, ...common } = config;
  const initCtx = { log: silentLogger, signal, agentId: 'a', dataDir };
  const read = createFileReadTool();
  const write = createFileWriteTool();
  const list = createFileListTool();
  await read.initialize?.({ ...common }, initCtx);
  await write.initialize?.({ ...common }, initCtx);
  await list.initialize?.({ ...common, max_entries }, initCtx);
  return {
    read: async (input) => read.execute({ encoding: 'utf8', ...input }, callCtx),
    write: async (input) =>
      write.execute({ encoding: 'utf8', overwrite: true, create_dirs: false, ...input }, callCtx),
    list: async (input = {}) => list.execute({ path: '.', recursive: false, ...input }, callCtx),
  };
}

export { toolError } from '../../../helpers/thrown.js';

/** Everything a caller sees of an error: message, code and data. */
export const visible = (err: ToolError): string => `${err.message} ${JSON.stringify(err)}`;
