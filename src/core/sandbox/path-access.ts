// Whether a given uid/gid (and supplementary groups) may reach and run a file, from modes and owners
// alone (fs.stat on every path component; nothing is spawned). The agent may be root and see everything;
// the tool's user may not, and must not find out only when a call fails.
import type { Stats } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface Who {
  readonly uid: number;
  readonly gid: number;
  /** Supplementary groups the process keeps (none after a uid drop: libuv clears them). */
  readonly groups?: readonly number[];
}

const R = 4;
const X = 1;

/** The permission bits (r=4, w=2, x=1) `who` gets on `st`: owner bits, else group bits, else other bits. */
function granted(st: Stats, who: Who): number {
  if (st.uid === who.uid) return (st.mode >> 6) & 7;
  if (st.gid === who.gid || (who.groups ?? []).includes(st.gid)) return (st.mode >> 3) & 7;
  return st.mode & 7;
}

/** True when `who` may do all of `bits` on `st` (root: anything but executing a file with no x bit). */
function permits(st: Stats, who: Who, bits: number): boolean {
  if (who.uid === 0) return (bits & X) === 0 || st.isDirectory() || (st.mode & 0o111) !== 0;
  return (granted(st, who) & bits) === bits;
}

const octal = (st: Stats): string => (st.mode & 0o7777).toString(8).padStart(4, '0');
const describe = (path: string, st: Stats): string =>
  `${path} (mode ${octal(st)}, owner ${st.uid}:${st.gid})`;

/** The folders a lookup of `path` searches: every ancestor of the path as written. */
function ancestors(path: string): string[] {
  const dirs: string[] = [];
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    dirs.unshift(dir);
    if (dirname(dir) === dir) return dirs;
  }
}

/** Why `who` cannot search every folder leading to `path` (and to its real path), or undefined. */
async function searchProblem(path: string, who: Who): Promise<string | undefined> {
  const real = await realpath(path).catch(() => path);
  const dirs = [...new Set([...ancestors(path), ...ancestors(real)])];
  for (const dir of dirs) {
    const st = await stat(dir).catch(() => undefined);
    if (st && !permits(st, who, X)) return `folder ${describe(dir, st)} is not searchable (x) by it`;
  }
  return undefined;
}

/** The interpreter of a `#!` script, or undefined for anything else (binaries, unreadable files). */
async function shebang(path: string): Promise<string | undefined> {
  const file = await open(path, 'r').catch(() => undefined);
  if (!file) return undefined;
  try {
    const buf = Buffer.alloc(256);
    const { bytesRead } = await file.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead).toString('latin1');
    return head.startsWith('#!') ? /^#!\s*(\S+)/.exec(head)?.[1] : undefined;
  } finally {
    await file.close();
  }
}

/**
 * Why `who` cannot execute the regular file `path` (absolute), or undefined when it can: every folder on
 * the way must be searchable, the file executable, and a `#!` script also readable (its interpreter opens
 * it) with an interpreter that is itself executable. A missing interpreter is left to the call to report.
 */
export async function executeProblem(
  path: string,
  who: Who,
  st?: Stats,
  followShebang = true,
): Promise<string | undefined> {
  const blocked = await searchProblem(path, who);
  if (blocked) return blocked;
  const file = st ?? (await stat(path));
  if (!permits(file, who, X)) return `file ${describe(path, file)} is not executable (x) by it`;
  const interpreter = followShebang ? await shebang(path) : undefined;
  if (interpreter === undefined) return undefined;
  if (!permits(file, who, R))
    return `script ${describe(path, file)} is not readable (r) by it, which its interpreter needs`;
  const ist = interpreter.startsWith('/') ? await stat(interpreter).catch(() => undefined) : undefined;
  if (!ist) return undefined;
  const why = await executeProblem(interpreter, who, ist, false).catch(() => undefined);
  return why === undefined ? undefined : `the script's interpreter: ${why}`;
}
