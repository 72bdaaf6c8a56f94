/**
 * The operating-system sandbox a runtime process starts in. What a script may do is enforced
 * here, outside its process, so nothing it runs inside Node changes it:
 *
 * - `bwrap` (Debian `bubblewrap`): new user, pid, network, ipc, uts and cgroup namespaces (the
 *   network namespace has only its own loopback: no route to the host or anywhere else),
 *   `--die-with-parent`, and a file view of only the node binary and its libraries, the
 *   runtime's own code and the allowed packages, all read-only, plus `/proc`, `/dev` and an
 *   empty `/tmp`.
 * - `unshare` (util-linux, on any stock Linux): the same namespaces, but the host's file view
 *   (Node's permission model still limits reads to the same folders).
 * - `none`: no OS sandbox; only the in-process guard. The pool allows this on a loopback-only
 *   server (a developer's machine) or when the operator set `GATEHOUSE_UNSAFE_SCRIPTS=1`.
 *
 * When the server runs as root, the sandbox is entered as `nobody` (65534:65534), so the
 * runtime is another, unprivileged user on the host whatever the namespaces map it to.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';

export type SandboxLevel = 'bwrap' | 'unshare' | 'none';

export interface SandboxCapabilities {
  level: SandboxLevel;
  /** Why this level: what was found, or what is missing and how to get it. */
  reason: string;
}

/** The unprivileged user a root server runs its runtimes as. */
export const UNPRIVILEGED_ID = 65534;

export interface SandboxedCommand {
  command: string;
  args: string[];
  uid?: number;
  gid?: number;
}

export interface SandboxView {
  /** Folders the runtime reads (its code, the allowed packages), bound read-only at the same paths. */
  readPaths: readonly string[];
  /** Folders bound read-write at the same paths (the egress broker's socket folder). */
  socketDirs?: readonly string[];
  /** Single files bound read-only at the same paths (the startup snapshot node starts from). */
  readFiles?: readonly string[];
}

const PROBE_TIMEOUT_MS = 5000;

function runsAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function identity(): { uid?: number; gid?: number } {
  return runsAsRoot() ? { uid: UNPRIVILEGED_ID, gid: UNPRIVILEGED_ID } : {};
}

/** System folders node needs (binary, shared libraries), bound read-only; `/lib` may be a link into `/usr`. */
function systemBinds(): string[] {
  const args: string[] = [];
  const node = realpathSync(process.execPath);
  const nodeRoot = dirname(dirname(node));
  const roots = new Set(['/usr', '/lib', '/lib64', '/lib32', '/libx32', '/bin', '/sbin']);
  if (!node.startsWith('/usr/')) roots.add(nodeRoot);
  for (const root of roots) {
    if (!existsSync(root)) continue;
    const stat = lstatSync(root);
    if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(root), root);
    else args.push('--ro-bind', root, root);
  }
  return args;
}

function bwrapArgs(view: SandboxView): string[] {
  const args = [
    '--unshare-all',
    '--die-with-parent',
    // No --new-session: the runtime is already in a session of its own without a terminal
    // (spawned detached, stdin closed), and staying in the launcher's process group lets the
    // server kill the whole tree with one signal to the group.
    '--cap-drop', 'ALL',
    ...systemBinds(),
    '--proc', '/proc',
    '--dev', '/dev',
    '--tmpfs', '/tmp',
  ];
  for (const path of view.readPaths) args.push('--ro-bind', path, path);
  for (const file of view.readFiles ?? []) args.push('--ro-bind', file, file);
  for (const dir of view.socketDirs ?? []) args.push('--bind', dir, dir);
  args.push('--chdir', '/');
  return args;
}

const UNSHARE_ARGS = ['--user', '--net', '--pid', '--ipc', '--uts', '--fork', '--kill-child'];

/** The command that starts `nodeArgs` (node's own arguments, entry included) at `level`. */
export function sandboxedCommand(level: SandboxLevel, nodeArgs: readonly string[], view: SandboxView): SandboxedCommand {
  switch (level) {
    case 'bwrap':
      return { command: 'bwrap', args: [...bwrapArgs(view), '--', process.execPath, ...nodeArgs], ...identity() };
    case 'unshare':
      // unshare has no --die-with-parent: setpriv arms SIGKILL on the server's death for it,
      // and --kill-child passes that on to the runtime.
      return hasSetpriv()
        ? { command: 'setpriv', args: ['--pdeathsig', 'KILL', '--', 'unshare', ...UNSHARE_ARGS, '--', process.execPath, ...nodeArgs], ...identity() }
        : { command: 'unshare', args: [...UNSHARE_ARGS, '--', process.execPath, ...nodeArgs], ...identity() };
    case 'none':
      return { command: process.execPath, args: [...nodeArgs], ...identity() };
  }
}

function probe(command: string, args: string[]): string | null {
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: PROBE_TIMEOUT_MS, ...identity(), cwd: '/' });
  if (result.error !== undefined) return result.error.message;
  if (result.status !== 0) return (result.stderr?.toString('utf8').trim().split('\n').at(-1) ?? '') || `exit ${String(result.status ?? result.signal)}`;
  return null;
}

let setprivFound: boolean | null = null;
function hasSetpriv(): boolean {
  setprivFound ??= spawnSync('setpriv', ['--version'], { stdio: 'ignore', timeout: PROBE_TIMEOUT_MS }).status === 0;
  return setprivFound;
}

let detected: SandboxCapabilities | null = null;

/**
 * The strongest sandbox this machine gives, probed once by starting node in it (a few tens of
 * milliseconds). For the server's start-up log and the console.
 */
export function sandboxCapabilities(): SandboxCapabilities {
  if (detected !== null) return detected;
  if (process.platform !== 'linux') {
    detected = { level: 'none', reason: `no OS sandbox on ${process.platform}: runtimes need Linux (bubblewrap or util-linux unshare with user namespaces)` };
    return detected;
  }
  const nodeProbe = ['-e', '0'];
  const bwrap = probe('bwrap', [...bwrapArgs({ readPaths: [] }), '--', process.execPath, ...nodeProbe]);
  if (bwrap === null) {
    detected = { level: 'bwrap', reason: 'bubblewrap: own user, pid and network namespaces, read-only minimal file view' + (runsAsRoot() ? ', runtimes run as nobody' : '') };
    return detected;
  }
  const unshare = probe('unshare', [...UNSHARE_ARGS, '--', process.execPath, ...nodeProbe]);
  if (unshare === null) {
    detected = {
      level: 'unshare',
      reason: `util-linux unshare: own user, pid and network namespaces (bubblewrap unavailable: ${bwrap}; install the bubblewrap package for a minimal file view)` + (runsAsRoot() ? ', runtimes run as nobody' : ''),
    };
    return detected;
  }
  detected = {
    level: 'none',
    reason: `no OS sandbox: bubblewrap failed (${bwrap}) and unshare failed (${unshare}). Install bubblewrap (apt install bubblewrap) and allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or kernel.apparmor_restrict_unprivileged_userns=0)`,
  };
  return detected;
}

/** A listen address reachable from this machine only (developers' default). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1';
}
