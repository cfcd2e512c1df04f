// The file tools' settings, from their `[tools.<name>] config` table (already validated, defaults filled in).
import type { Root } from './roots.js';

export const DEFAULT_MAX_FILE_SIZE = 1_048_576;
export const DEFAULT_MAX_ENTRIES = 1000;

export interface FileToolSettings {
  /** Root folders as configured; undefined means the agent's data dir. */
  readonly allowedPaths: readonly string[] | undefined;
  readonly maxFileSize: number;
  readonly readOnly: boolean;
  /** Only file_list uses it. */
  readonly maxEntries: number;
}

const positiveInteger = (value: unknown, fallback: number): number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;

function stringList(value: unknown): readonly string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((entry): entry is string => typeof entry === 'string');
}

/** Settings from the host-validated config; the schema defaults again as a fallback for direct use. */
export function fileToolSettings(config: Record<string, unknown>): FileToolSettings {
  return {
    allowedPaths: stringList(config.allowed_paths),
    maxFileSize: positiveInteger(config.max_file_size, DEFAULT_MAX_FILE_SIZE),
    readOnly: config.read_only === true,
    maxEntries: positiveInteger(config.max_entries, DEFAULT_MAX_ENTRIES),
  };
}

/** What a file tool holds after initialize. */
export interface FileToolState {
  readonly settings: FileToolSettings;
  readonly roots: readonly Root[];
}
