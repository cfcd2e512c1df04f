// The file tools file_read, file_write and file_list: confined to the configured root folders.
import type { ToolCallContext, ToolInitContext, ToolV1 } from '@agent2389/tool-sdk';
import { describeFromManifest } from '../manifest-tools.js';
import { checkFdPaths } from './fd-path.js';
import { fileToolSettings, type FileToolState } from './file-config.js';
import { runFileList, type FileListInput, type FileListOutput } from './list-dir.js';
import { runFileRead, type FileReadInput, type FileReadOutput } from './read-file.js';
import { resolveRoots } from './roots.js';
import { runFileWrite, type FileWriteInput, type FileWriteOutput } from './write-file.js';

type Run<I, O> = (input: I, state: FileToolState, ctx: ToolCallContext) => Promise<O>;

async function initialize(
  name: string,
  config: Record<string, unknown>,
  ctx: ToolInitContext,
): Promise<FileToolState> {
  const settings = fileToolSettings(config);
  const roots = await resolveRoots(settings.allowedPaths, ctx.dataDir);
  await checkFdPaths(roots.map((r) => r.real)); // no Linux /proc: refuse to load rather than confine by path only
  ctx.log.info(
    { tool: name, roots: roots.map((r) => r.real), readOnly: settings.readOnly },
    'file tool roots',
  );
  return { settings, roots };
}

/** One tool: the manifest's description, roots resolved at initialize, `run` for each call. */
function fileTool<I, O>(name: string, run: Run<I, O>): ToolV1<I, O> {
  let state: FileToolState | undefined;
  return {
    specificationVersion: 'v1',
    describe: () => describeFromManifest(name),
    initialize: async (config, ctx) => {
      state = await initialize(name, config, ctx);
    },
    execute: (input, ctx) => {
      if (state === undefined) throw new Error(`${name} used before initialize`);
      return run(input, state, ctx);
    },
  };
}

export function createFileReadTool(): ToolV1<FileReadInput, FileReadOutput> {
  return fileTool('file_read', runFileRead);
}

export function createFileWriteTool(): ToolV1<FileWriteInput, FileWriteOutput> {
  return fileTool('file_write', runFileWrite);
}

export function createFileListTool(): ToolV1<FileListInput, FileListOutput> {
  return fileTool('file_list', runFileList);
}
