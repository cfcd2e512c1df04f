// Which unprivileged identity tool subprocesses run as when the agent itself runs as root.
//
// Why: RLIMIT_NPROC is never enforced for uid 0 (the kernel exempts root), so a root tool could fork-bomb
// the host; and a root tool could read every root-only file (agent config, keys, /root). When the agent is
// root we therefore start each tool as an unprivileged uid/gid via spawn's `uid`/`gid` options (libuv also
// clears supplementary groups), and chown the call's private work dir to it. A non-root agent cannot
// change identity: its tools run as its own user, and RLIMIT_NPROC then counts the agent's own tasks too.

export interface SandboxUser {
  readonly uid: number;
  readonly gid: number;
  /** The `[sandbox] user` name it was resolved from, for messages. */
  readonly name?: string;
}

/** nobody:nogroup on Debian-family systems. */
export const DEFAULT_SANDBOX_USER: SandboxUser = { uid: 65534, gid: 65534 };

let configured: SandboxUser = DEFAULT_SANDBOX_USER;

/** Change the identity root-run tools drop to (tests use a dedicated uid so NPROC counts stay separate). */
export function setSandboxUser(user: SandboxUser): void {
  configured = user;
}

/**
 * The identity to drop to (`preferred`: the tool's `[sandbox] user`, else the process default), or
 * undefined when the agent is not root (no drop possible or needed).
 */
export function sandboxUser(preferred?: SandboxUser): SandboxUser | undefined {
  return process.getuid?.() === 0 ? (preferred ?? configured) : undefined;
}

/** The identity the tool will effectively run as, with the supplementary groups it keeps (none after a drop). */
export function effectiveToolUser(preferred?: SandboxUser): SandboxUser & { groups: readonly number[] } {
  const drop = sandboxUser(preferred);
  if (drop) return { ...drop, groups: [] };
  return {
    uid: process.getuid?.() ?? -1,
    gid: process.getgid?.() ?? -1,
    groups: process.getgroups?.() ?? [],
  };
}

/** "nobody (uid 65534, gid 65534)" or "uid 1000, gid 1000", for messages. */
export function describeUser(user: SandboxUser): string {
  const ids = `uid ${user.uid}, gid ${user.gid}`;
  return user.name === undefined ? ids : `${user.name} (${ids})`;
}

/**
 * Parse `[sandbox] user`: "uid:gid" (numbers), or a user name looked up in `passwd` (the text of
 * /etc/passwd; its primary group is used). Root (uid or gid 0) is refused: tools would run privileged.
 */
export function parseSandboxUser(value: string, passwd: () => string): SandboxUser | { error: string } {
  const ids = /^(\d+):(\d+)$/.exec(value);
  let user: SandboxUser | undefined;
  if (ids) {
    user = { uid: Number(ids[1]), gid: Number(ids[2]) };
    if (user.uid > 0xfffffffe || user.gid > 0xfffffffe)
      return { error: `"${value}": uid and gid must be below 4294967295` };
  } else if (/^[A-Za-z_][A-Za-z0-9._-]*\$?$/.test(value)) {
    const line = passwd()
      .split('\n')
      .map((l) => l.split(':'))
      .find((f) => f[0] === value && f.length >= 4);
    if (!line)
      return { error: `no user "${value}" in /etc/passwd (give "uid:gid" for users it does not list)` };
    if (!/^\d+$/.test(line[2] ?? '') || !/^\d+$/.test(line[3] ?? ''))
      return { error: `the /etc/passwd entry of "${value}" has no numeric uid and gid` };
    user = { uid: Number(line[2]), gid: Number(line[3]), name: value };
  } else {
    return { error: `"${value}" is neither a user name nor "uid:gid"` };
  }
  if (user.uid === 0 || user.gid === 0)
    return {
      error: `"${value}" is root (${describeUser(user)}): tools must run unprivileged; name an unprivileged user such as "nobody"`,
    };
  return user;
}
