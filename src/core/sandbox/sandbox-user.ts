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
}

/** nobody:nogroup on Debian-family systems. */
export const DEFAULT_SANDBOX_USER: SandboxUser = { uid: 65534, gid: 65534 };

let configured: SandboxUser = DEFAULT_SANDBOX_USER;

/** Change the identity root-run tools drop to (tests use a dedicated uid so NPROC counts stay separate). */
export function setSandboxUser(user: SandboxUser): void {
  configured = user;
}

/** The identity to drop to, or undefined when the agent is not root (no drop possible or needed). */
export function sandboxUser(): SandboxUser | undefined {
  return process.getuid?.() === 0 ? configured : undefined;
}

/** The identity the tool will effectively run as. */
export function effectiveToolUser(): SandboxUser {
  return sandboxUser() ?? { uid: process.getuid?.() ?? -1, gid: process.getgid?.() ?? -1 };
}
