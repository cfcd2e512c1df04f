// Issue 14 item 5: another local user flips a folder inside a root between a real folder and a symlink to a
// folder outside the roots while the file tools run; no call may read, list or create anything outside.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
  chmod,
  chown,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  realpath,
  rm,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ToolError } from '@agent2389/tool-sdk';
import { fileConfig, fileTools, type FileTools } from '../plugins/tools-builtin/files/harness.js';

const FLIPPER = fileURLToPath(new URL('../fixtures/file-race/path-flipper.js', import.meta.url));
const INIT_FILE_TOOL = fileURLToPath(new URL('../fixtures/file-race/init-file-tool.js', import.meta.url));
const SECRET = 'OUTSIDE-SECRET';
/** Calls of each tool at least; then more until the race was seen both ways (bounded). */
const MIN_CALLS = 300;
const MAX_CALLS = 5000;
/** As root the attacker is nobody; otherwise it is the same user. */
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

/** Every file and folder below `dir`, never following symlinks. */
async function walk(dir: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    found.push(prefix + entry.name);
    if (entry.isDirectory())
      found.push(...(await walk(path.join(dir, entry.name), `${prefix}${entry.name}/`)));
  }
  return found;
}

/** The attacker process and the number of flips it reported. */
class Flipper {
  readonly child: ChildProcess;
  flips = 0;
  readonly #waiters: Array<{ n: number; resolve: () => void }> = [];

  constructor(root: string, name: string, outside: string) {
    this.child = spawn(process.execPath, [FLIPPER, root, name, outside], {
      stdio: ['ignore', 'pipe', 'inherit'],
      ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
    });
    const lines = createInterface({ input: this.child.stdout! });
    lines.on('line', (line) => {
      const match = /^flips (\d+)$/.exec(line);
      if (match) this.flips = Number(match[1]);
      for (const w of this.#waiters.filter((w) => this.flips >= w.n)) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve();
      }
    });
  }

  /** Resolves once the attacker reported at least `n` flips; rejects if it exits first. */
  async reached(n: number): Promise<void> {
    if (this.flips >= n) return;
    const exited = once(this.child, 'exit').then(([code]) => {
      throw new Error(`the flipper exited (${String(code)}) after ${this.flips} flips`);
    });
    await Promise.race([new Promise<void>((resolve) => this.#waiters.push({ n, resolve })), exited]);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }
}

interface Tally {
  succeeded: number;
  /** FILE_OUTSIDE_ROOTS: the call saw the symlink and refused. */
  refusedOutside: number;
  /** Other coded file errors (the folder was missing for a moment, or the race was caught later). */
  otherCodes: Record<string, number>;
}

const tally = (): Tally => ({ succeeded: 0, refusedOutside: 0, otherCodes: {} });

/** Run `call`: a success is counted; a ToolError is counted by code; anything else fails the test. */
async function attempt<T>(t: Tally, call: () => Promise<T>): Promise<T | undefined> {
  try {
    const result = await call();
    t.succeeded += 1;
    return result;
  } catch (err) {
    if (!ToolError.is(err) || !err.code.startsWith('FILE_')) throw err;
    if (err.code === 'FILE_OUTSIDE_ROOTS') t.refusedOutside += 1;
    else t.otherCodes[err.code] = (t.otherCodes[err.code] ?? 0) + 1;
    return undefined;
  }
}

/** Call `one(i)` at least MIN_CALLS times, and until the race was seen both ways (success and refusal). */
async function hammer(t: Tally, breached: () => boolean, one: (i: number) => Promise<void>): Promise<void> {
  let i = 0;
  while (i < MIN_CALLS || t.succeeded === 0 || (t.refusedOutside === 0 && !breached())) {
    if (i >= MAX_CALLS) throw new Error(`the race was never seen both ways in ${MAX_CALLS} calls`);
    await one(i);
    i += 1;
  }
}

describe('file tools under a path-flipping attacker (issue 14 item 5)', () => {
  let base: string;
  let root: string;
  let outside: string;
  let tools: FileTools;
  let flipper: Flipper;

  beforeAll(async () => {
    base = await realpath(await mkdtemp(path.join(os.tmpdir(), 'agent2389-file-race-')));
    await chmod(base, 0o755);
    root = path.join(base, 'root');
    outside = path.join(base, 'outside');
    await mkdir(root, { mode: 0o755 });
    if (asRoot) await chown(root, NOBODY, NOBODY); // the attacker can write the root folder
    await mkdir(outside, { mode: 0o755 });
    await writeFile(path.join(outside, 'secret.txt'), SECRET, { mode: 0o600 });
    await writeFile(path.join(outside, 'only-outside.marker'), '', { mode: 0o600 });
    tools = await fileTools(fileConfig({ allowed_paths: [root] }), path.join(base, 'data'));
    flipper = new Flipper(root, 'sw', outside);
    await flipper.reached(200);
  });

  afterAll(async () => {
    await flipper.stop();
    await rm(base, { recursive: true, force: true });
  });

  it('never creates, reads or lists anything outside the roots; every call succeeds inside or fails coded', async () => {
    const writes = tally();
    const reads = tally();
    const lists = tally();
    const written: string[] = [];
    let secretReads = 0;
    let outsideListings = 0;
    const createdOutside = async (): Promise<number> => (await walk(outside)).length - 2;
    let outsideSeen = false;
    const before = flipper.flips;

    await Promise.all([
      hammer(
        writes,
        () => outsideSeen,
        async (i) => {
          // Odd calls also create a folder (create_dirs), which must not be made outside either.
          const rel = i % 2 === 0 ? `sw/w-${i}.txt` : `sw/d-${i}/w.txt`;
          const done = await attempt(writes, () =>
            tools.write({ path: rel, content: 'x', create_dirs: true }),
          );
          if (done !== undefined)
            written.push(path.basename(path.dirname(rel)) === 'sw' ? `w-${i}.txt` : `d-${i}`);
          if (!outsideSeen) outsideSeen = (await createdOutside()) > 0;
        },
      ),
      hammer(
        reads,
        () => secretReads > 0,
        async () => {
          const got = await attempt(reads, () => tools.read({ path: 'sw/secret.txt' }));
          if (got?.content === SECRET) secretReads += 1;
          else if (got !== undefined) expect(got.content).toBe('inside');
        },
      ),
      hammer(
        lists,
        () => outsideListings > 0,
        async () => {
          const got = await attempt(lists, () => tools.list({ path: 'sw', recursive: true }));
          if (got?.entries.some((e) => e.path === 'only-outside.marker')) outsideListings += 1;
        },
      ),
    ]);
    const flipsDuring = flipper.flips - before;
    expect(flipper.child.exitCode).toBeNull(); // the attack ran until the end
    await flipper.stop();

    const breaches = { createdOutside: await createdOutside(), secretReads, outsideListings };
    expect({ breaches, writes, reads, lists, flipsDuring }).toMatchObject({
      breaches: { createdOutside: 0, secretReads: 0, outsideListings: 0 },
    });
    expect(flipsDuring).toBeGreaterThan(0);
    expect(await readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe(SECRET);
    expect((await walk(outside)).sort()).toEqual(['only-outside.marker', 'secret.txt']);
    // Every write reported as done is somewhere inside the root (its folder may have been moved aside).
    const inside = new Set((await walk(root)).map((p) => path.basename(p)));
    for (const name of written) expect(inside.has(name)).toBe(true);
    expect((await lstat(root)).isDirectory()).toBe(true);
  }, 300_000);
});

describe('file tools without /proc (issue 14 item 5)', () => {
  /** Initialize the built file_read in a bwrap sandbox (the whole host bound), optionally with /proc hidden. */
  async function loads(hideProc: boolean): Promise<boolean> {
    const hide = hideProc ? ['--tmpfs', '/proc'] : [];
    const args = ['--dev-bind', '/', '/', ...hide, '--', process.execPath, INIT_FILE_TOOL, os.tmpdir()];
    const { stdout } = await promisify(execFile)('bwrap', args);
    return (JSON.parse(stdout) as { loaded: boolean }).loaded;
  }

  it('refuse to load instead of falling back to checks by path; with /proc they load', async () => {
    expect(await loads(false)).toBe(true);
    expect(await loads(true)).toBe(false);
  });
});
