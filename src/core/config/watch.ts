// Watch the config file and the plugin folders in use (chokidar), and turn bursts of changes into one
// callback. Folders are watched, not single files: editors save by writing a temp file and renaming
// it over the original, and `git checkout` replaces files, which a watch on the file itself loses.
import { basename, dirname, sep } from 'node:path';

import type { FSWatcher } from 'chokidar';

import type { LoggerV1 } from '@agent2389/tool-sdk';

export interface WatchTargets {
  /** Watched with everything below them (plugin folders, `[plugins] dirs` roots). */
  readonly dirs: readonly string[];
  /** Watched through their folder (the config file, inline tools' files). */
  readonly files: readonly string[];
}

export interface WatchOptions {
  debounceMs: number;
  /** Called once per burst with the paths that changed (deduplicated). */
  readonly onChange: (paths: string[]) => void;
  readonly log: LoggerV1;
}

/** How deep below a watched plugin folder changes are seen. */
const DEPTH = 6;
/** Never watched: dependencies and VCS data. */
const IGNORED_DIRS = new Set(['node_modules', '.git']);
/** Editors' swap, backup and temp files: their churn is not a change of the plugin. */
const EDITOR_TEMP = /(^\.?#)|(~$)|(\.sw[a-p]x?$)|(^\.goutputstream-)|(\.tmp$)|(^4913$)/;

export const isEditorTemp = (path: string): boolean => EDITOR_TEMP.test(basename(path));

const under = (path: string, dir: string): boolean => path === dir || path.startsWith(dir + sep);

export class ConfigWatcher {
  readonly #opts: WatchOptions;
  /** A burst of changes within this many ms is one callback (settable: `[reload] debounce_ms` is live). */
  debounceMs: number;
  #targets: WatchTargets = { dirs: [], files: [] };
  #deep?: FSWatcher;
  #shallow?: FSWatcher;
  #changed = new Set<string>();
  #timer?: NodeJS.Timeout;
  #firstAt = 0;
  #closed = false;
  #watching = false;

  constructor(opts: WatchOptions) {
    this.#opts = opts;
    this.debounceMs = opts.debounceMs;
  }

  /**
   * Watch `targets` (replacing what was watched, if different). Resolves when the watches are in
   * place: true if they changed.
   */
  async watch(targets: WatchTargets): Promise<boolean> {
    if (this.#closed) return false;
    const next = { dirs: [...new Set(targets.dirs)].sort(), files: [...new Set(targets.files)].sort() };
    if (this.#watching && JSON.stringify(next) === JSON.stringify(this.#targets)) return false;
    const { watch } = await import('chokidar');
    await this.#closeWatchers();
    this.#targets = next;
    const ready = (w: FSWatcher): Promise<void> => new Promise((resolve) => w.once('ready', () => resolve()));
    const onEvent = (_event: string, path: string): void => this.#onEvent(path);
    const onError = (err: unknown): void => this.#opts.log.warn({ err }, 'config watch error');
    const shallowDirs = [...new Set(this.#targets.files.map((f) => dirname(f)))];
    const waits: Promise<void>[] = [];
    if (shallowDirs.length > 0) {
      this.#shallow = watch(shallowDirs, { ignoreInitial: true, depth: 0 })
        .on('all', onEvent)
        .on('error', onError);
      waits.push(ready(this.#shallow));
    }
    if (this.#targets.dirs.length > 0) {
      this.#deep = watch([...this.#targets.dirs], {
        ignoreInitial: true,
        depth: DEPTH,
        ignored: (path) => IGNORED_DIRS.has(basename(path)),
      })
        .on('all', onEvent)
        .on('error', onError);
      waits.push(ready(this.#deep));
    }
    this.#watching = true;
    await Promise.all(waits);
    return true;
  }

  /** True if a change at `path` concerns what is watched (not a sibling of the config file, not a temp file). */
  relevant(path: string): boolean {
    if (isEditorTemp(path)) return false;
    return this.#targets.files.includes(path) || this.#targets.dirs.some((d) => under(path, d));
  }

  #onEvent(path: string): void {
    if (this.#closed || !this.relevant(path)) return;
    if (this.#changed.size === 0) this.#firstAt = Date.now();
    this.#changed.add(path);
    clearTimeout(this.#timer);
    // Trailing debounce, but a stream of changes that never pauses still reloads now and then.
    const maxWait = Math.max(2_000, 10 * this.debounceMs);
    const wait = Math.min(this.debounceMs, Math.max(0, this.#firstAt + maxWait - Date.now()));
    this.#timer = setTimeout(() => this.#flush(), wait);
  }

  #flush(): void {
    const paths = [...this.#changed];
    this.#changed.clear();
    if (paths.length > 0 && !this.#closed) this.#opts.onChange(paths);
  }

  async #closeWatchers(): Promise<void> {
    const watchers = [this.#deep, this.#shallow];
    this.#deep = this.#shallow = undefined;
    this.#watching = false;
    for (const w of watchers) await w?.close();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#closeWatchers();
  }
}
