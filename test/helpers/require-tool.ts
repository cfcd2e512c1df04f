// Tests that need a host tool (bwrap, prlimit, setpriv, mosquitto, redis-server, openssl) or root. In CI a missing one
// FAILS the test, saying what is missing and how to install it; locally the test is skipped and the
// reason printed once. No security test skips silently.
import { spawnSync } from 'node:child_process';

import { describe, it, type TestFunction } from 'vitest';

import { inCi } from './in-ci.js';
import { mosquittoBinary } from './mosquitto.js';
import { redisServerBinary } from './redis.js';

export type Need = 'bwrap' | 'prlimit' | 'setpriv' | 'mosquitto' | 'redis' | 'openssl' | 'root' | 'non-root';

interface Probe {
  readonly check: () => boolean;
  /** What is wrong when the check fails. */
  readonly missing: string;
  /** How to get it. */
  readonly fix: string;
  /** False: CI cannot provide it (CI runs as root), so CI skips with the reason too. */
  readonly requiredInCi?: false;
}

/** `file` can be executed (`ok`: and exits 0). */
function runs(file: string, args: string[], ok = true): boolean {
  const r = spawnSync(file, args, { stdio: 'ignore', timeout: 30_000 });
  return r.error === undefined && (!ok || r.status === 0);
}

const isRoot = (): boolean => process.getuid?.() === 0;

const PROBES: Record<Need, Probe> = {
  bwrap: {
    check: () => runs('bwrap', ['--ro-bind', '/', '/', '--unshare-all', '--die-with-parent', 'true']),
    missing: 'bwrap is not on PATH or cannot create its namespaces here',
    fix: 'apt-get install bubblewrap; in a container, allow user namespaces (e.g. --security-opt seccomp=unconfined)',
  },
  prlimit: {
    check: () => runs('prlimit', ['--version']),
    missing: 'prlimit is not on PATH',
    fix: 'apt-get install util-linux',
  },
  setpriv: {
    check: () => runs('setpriv', ['--version']),
    missing: 'setpriv is not on PATH',
    fix: 'apt-get install util-linux',
  },
  mosquitto: {
    check: () => runs(mosquittoBinary(), ['-h'], false),
    missing: `mosquitto (${mosquittoBinary()}) cannot be run`,
    fix: 'apt-get install mosquitto (or set MOSQUITTO_BIN)',
  },
  redis: {
    check: () => runs(redisServerBinary(), ['--version']),
    missing: `redis-server (${redisServerBinary()}) cannot be run`,
    fix: 'apt-get install redis-server (or set REDIS_SERVER_BIN)',
  },
  openssl: {
    check: () => runs('openssl', ['version']),
    missing: 'openssl is not on PATH',
    fix: 'apt-get install openssl',
  },
  root: {
    check: isRoot,
    missing: 'the tests do not run as root (they drop a tool to an unprivileged user)',
    fix: 'run the tests as root (CI does)',
  },
  'non-root': {
    check: () => !isRoot(),
    missing: 'the tests run as root, which reads any file',
    fix: 'run the tests as an ordinary user',
    requiredInCi: false,
  },
};

const verdicts = new Map<Need, boolean>();
const warned = new Set<string>();

function has(need: Need): boolean {
  let ok = verdicts.get(need);
  if (ok === undefined) verdicts.set(need, (ok = PROBES[need].check()));
  return ok;
}

/** `name` cannot run here: in CI (unless CI cannot provide it) a failing test, else a skip said once. */
function unmet(absent: Need[]): { fail: boolean; message: string } {
  const why = absent.map((n) => `${PROBES[n].missing} (fix: ${PROBES[n].fix})`).join('; ');
  return { fail: inCi() && absent.some((n) => PROBES[n].requiredInCi !== false), message: why };
}

function warnOnce(name: string, message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(`[skipped] "${name}" and any others needing the same: ${message}`);
}

/** `describe` and `it` that run only where every need is met (see the file comment for where not). */
export function needs(...list: Need[]): {
  describe: (name: string, fn: () => void) => void;
  it: (name: string, fn: TestFunction, timeout?: number) => void;
} {
  const absent = list.filter((n) => !has(n));
  if (absent.length === 0)
    return { describe: (name, fn) => describe(name, fn), it: (n, fn, t) => it(n, fn, t) };
  const { fail, message } = unmet(absent);
  const failing = (): never => {
    throw new Error(`missing in CI: ${message}`);
  };
  if (fail)
    return {
      describe: (name) => describe(name, () => it(`needs ${absent.join(', ')}`, failing)),
      it: (name) => it(name, failing),
    };
  return {
    describe: (name, fn) => {
      warnOnce(name, message);
      describe.skip(name, fn);
    },
    it: (name, fn, t) => {
      warnOnce(name, message);
      it.skip(name, fn, t);
    },
  };
}
