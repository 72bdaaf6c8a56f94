/**
 * The V8 startup snapshot of the runtime's host code: `child/snapshot-entry.cjs` bundled with
 * `pg` by esbuild, run once by `node --build-snapshot`, so that a runtime starts from the
 * resulting heap (`node --snapshot-blob <blob> <the same permission flags>`) instead of
 * loading and compiling its modules and `pg` again (~24 instead of ~63 ms of CPU a start).
 *
 * The blob is code every runtime runs, so:
 * - it is written only in a folder of the server's user that nobody else can write (created
 *   0711, checked for owner, type and mode before every use; the runtimes, possibly another
 *   uid, only traverse it and read the file), under a name that is the hash of everything it
 *   is built from (node's version and build, the bundle's bytes, the flags, TZ), written under
 *   a temporary name and renamed once it has started a runtime;
 * - the build runs with an empty environment (TZ alone, as runtimes get it) and does nothing
 *   random: state computed at build time (a random pool, a seed) would be the same in every
 *   runtime. `child/runtime.mjs` keeps per-process work in `start()`, which runs after the
 *   snapshot is loaded.
 *
 * `--max-old-space-size` is baked into a blob, so one is built for one heap size (the
 * default, which the spares use); other sizes start the normal way. Failures are values: the
 * pool then starts runtimes the normal way.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { lstatSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHILD_ENTRY } from './allowed-paths.js';
import { sandboxedCommand } from './os-sandbox.js';

/** Bumped when the way a blob is built changes in a way the hashed inputs do not show. */
const FORMAT_VERSION = 2; // 2: built from the bundle kept beside the blob (stack traces name it)
const CHILD_DIR = dirname(CHILD_ENTRY);
export const SNAPSHOT_ENTRY = join(CHILD_DIR, 'snapshot-entry.cjs');
const BUILD_TIMEOUT_MS = 60_000;
const VERIFY_TIMEOUT_MS = 15_000;
/** Blobs of other keys (older versions, other heaps) not used for this long are removed after a build. */
const STALE_BLOB_MS = 7 * 24 * 3600_000;
/** At most this many blobs are kept (newest use first): a developer's every change of the child code makes one (~5 MB). */
const MAX_BLOBS = 8;
/** Leftovers of a build that died (temporary bundle or blob) older than this are removed. */
const STALE_TEMP_MS = 10 * 60_000;
const STDERR_TAIL_CHARS = 2000;

/** What identifies the blob file as built or found (a blob rewritten in place under the server has another). */
export interface BlobIdentity {
  ino: number;
  size: number;
}

export type SnapshotBuild = { ok: true; blob: string; key: string; cached: boolean; identity: BlobIdentity } | { ok: false; reason: string };

/** The blob's file identity now; null when it is gone or not a plain file. */
export function blobIdentity(blob: string): BlobIdentity | null {
  try {
    const stat = lstatSync(blob);
    return stat.isFile() ? { ino: stat.ino, size: stat.size } : null;
  } catch {
    return null;
  }
}

/** When each blob was last marked used by this process (see `markSnapshotUsed`). */
const lastMarkedUsed = new Map<string, number>();
const MARK_USED_EVERY_MS = 24 * 3600_000;

/**
 * Marks a blob (and its bundle) used, at most once a day: the sweep of another build (another
 * Gatehouse version under the same user) removes blobs unused for a week, which must not be
 * the one a long-running server still starts its runtimes from.
 */
export function markSnapshotUsed(blob: string): void {
  const now = Date.now();
  if (now - (lastMarkedUsed.get(blob) ?? 0) < MARK_USED_EVERY_MS) return;
  lastMarkedUsed.set(blob, now);
  const at = new Date(now);
  for (const file of [blob, bundleOf(blob)]) void utimes(file, at, at).catch(() => {});
}

/** The bundle a blob was built from, kept beside it: stack traces of the runtimes point at it. */
function bundleOf(blob: string): string {
  return blob.replace(/\.blob$/, '.cjs');
}

export interface SnapshotBuildOptions {
  /** The heap cap baked into the blob (`--max-old-space-size`); runtimes of other sizes start normally. */
  memoryMb: number;
  /** A runtime's Node flags (`runtimeExecArgv`): the blob is started with them once before use, and they are part of its key. */
  runtimeArgs: readonly string[];
  /** Where blobs are kept; default `defaultSnapshotDir()`. */
  dir?: string;
  /** The snapshot entry to bundle; tests pass a broken one. Default `child/snapshot-entry.cjs`. */
  entry?: string;
}

function currentUid(): number | null {
  return typeof process.getuid === 'function' ? process.getuid() : null;
}

/** `<tmpdir>/gatehouse-runtime-snapshots-<uid>`: per server user, checked before use (a squatter's folder is refused). */
export function defaultSnapshotDir(): string {
  return join(tmpdir(), `gatehouse-runtime-snapshots-${currentUid() ?? 'user'}`);
}

/** The environment of the build: nothing of the server's, as for a runtime (TZ only). */
function buildEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  if (process.env['TZ'] !== undefined) env['TZ'] = process.env['TZ'];
  return env;
}

function lastLines(text: string): string {
  const tail = text.trim().slice(-STDERR_TAIL_CHARS).split('\n');
  // Node prints a "not yet fully verified" warning per builtin; the cause is at the end.
  return tail.slice(-3).join(' / ');
}

/**
 * Makes the folder (0711) or checks the one there: a real folder (not a link), owned by the
 * server's user, writable by nobody else. Anything else is refused, not repaired: someone
 * else made it, and a blob in it could be theirs.
 */
async function secureDir(dir: string): Promise<string | null> {
  try {
    await mkdir(dir, { mode: 0o711 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return `cannot create ${dir}: ${(error as Error).message}`;
  }
  const stat = await lstat(dir);
  const uid = currentUid();
  if (!stat.isDirectory()) return `${dir} is not a folder`;
  if (uid !== null && stat.uid !== uid) return `${dir} belongs to uid ${stat.uid}, not to the server's user (${uid})`;
  if ((stat.mode & 0o022) !== 0) return `${dir} is writable by others (mode ${(stat.mode & 0o777).toString(8)})`;
  // Traversable (not listable) by the runtimes' user, whatever the umask made of it.
  if ((stat.mode & 0o777) !== 0o711) await chmod(dir, 0o711);
  return null;
}

/** A blob found under its key is used only if it is a plain file of ours that nobody else can write. */
async function trustedFile(path: string): Promise<boolean> {
  try {
    const stat = await lstat(path);
    const uid = currentUid();
    return stat.isFile() && stat.size > 0 && (uid === null || stat.uid === uid) && (stat.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

interface Bundle {
  code: Uint8Array;
}

/** The bundling in progress: one at a time, so stopping esbuild's service never cuts another short. */
let bundling: Promise<unknown> = Promise.resolve();

function bundle(entry: string): Promise<Bundle | { reason: string }> {
  const next = bundling.then(() => bundleNow(entry));
  bundling = next.catch(() => {});
  return next;
}

/** esbuild, loaded only when a snapshot is built (the server does not otherwise need it). */
async function bundleNow(entry: string): Promise<Bundle | { reason: string }> {
  try {
    const esbuild = await import('esbuild');
    const result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'silent',
      // Drivers' optional natives and a Workers-only module: never loaded in a runtime.
      external: ['pg-native', 'pg-cloudflare', 'cloudflare:sockets'],
      // sandbox.mjs makes its `require` for the unbundled packages from its own URL.
      define: { 'import.meta.url': JSON.stringify(pathToFileURL(join(dirname(entry), 'sandbox.mjs')).href) },
    });
    const file = result.outputFiles[0];
    // The service process esbuild keeps is of no further use.
    await esbuild.stop();
    if (file === undefined) return { reason: 'esbuild produced no bundle' };
    return { code: file.contents };
  } catch (error) {
    return { reason: `bundling failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
}

function keyOf(code: Uint8Array, buildArgs: readonly string[], runtimeArgs: readonly string[]): string {
  let execPath = process.execPath;
  try {
    execPath = realpathSync(execPath);
  } catch {
    // As given.
  }
  return createHash('sha256')
    .update(JSON.stringify([FORMAT_VERSION, process.version, process.versions, process.arch, process.platform, execPath, buildArgs, runtimeArgs, process.env['TZ'] ?? null]))
    .update(code)
    .digest('hex')
    .slice(0, 40);
}

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  timedOut: boolean;
}

/** Runs a command to its end without blocking the event loop. */
function run(command: string, args: readonly string[], timeoutMs: number): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: buildEnv(), cwd: '/', stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let timedOut = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-8 * STDERR_TAIL_CHARS);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      stderr += error.message;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, timedOut });
    });
  });
}

/**
 * Starts a runtime from the blob the way the pool will (the runtime's flags, its user; no
 * namespaces, which do not change what a blob does) and waits for its `ready` on fd 3. A
 * blob that builds but cannot start a runtime is never renamed into place.
 */
function verify(blob: string, runtimeArgs: readonly string[]): Promise<string | null> {
  return new Promise((resolve) => {
    const command = sandboxedCommand('none', ['--snapshot-blob', blob, ...runtimeArgs], { readPaths: [] });
    const child = spawn(command.command, command.args, {
      env: { ...buildEnv(), NODE_ENV: 'production' },
      cwd: '/',
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      ...(command.uid === undefined ? {} : { uid: command.uid }),
      ...(command.gid === undefined ? {} : { gid: command.gid }),
    });
    let stderr = '';
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (reason: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(reason);
    };
    const timer = setTimeout(() => finish(`a runtime started from it did not say ready within ${VERIFY_TIMEOUT_MS} ms`), VERIFY_TIMEOUT_MS);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-8 * STDERR_TAIL_CHARS);
    });
    child.on('error', (error) => finish(`a runtime could not be started from it: ${error.message}`));
    const channel = child.stdio[3];
    if (channel === null || channel === undefined || !('on' in channel)) {
      finish('the runtime channel (fd 3) was not created');
      return;
    }
    channel.on('error', () => {});
    channel.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4) return;
      const length = received.readUInt32BE(0);
      if (received.length < 4 + length) return;
      const body = received.subarray(4, 4 + length).toString('utf8');
      finish(body === '{"type":"ready"}' ? null : `a runtime started from it answered ${body.slice(0, 200)} instead of ready`);
    });
    child.on('close', (code, signal) => {
      finish(`a runtime started from it exited before ready (${signal ?? `exit code ${String(code)}`}): ${lastLines(stderr)}`);
    });
  });
}

/**
 * Removes leftovers of dead builds, blobs of other keys nobody used for a week, and the least
 * recently used beyond MAX_BLOBS. A server whose blob goes this way falls back to normal starts.
 */
async function sweep(dir: string, keep: string): Promise<void> {
  const now = Date.now();
  const blobs: { path: string; used: number }[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const path = join(dir, name);
    if (path === keep) continue;
    if (path === bundleOf(keep)) continue;
    const temporary = name.startsWith('.build-');
    if (!temporary && !/^runtime-[0-9a-f]+\.(blob|cjs)$/.test(name)) continue;
    try {
      const stat = await lstat(path);
      if (name.endsWith('.cjs') && !temporary) {
        // A bundle goes with its blob (below), or alone once its blob is gone.
        if (!(await lstat(path.replace(/\.cjs$/, '.blob')).then(() => true, () => false))) await rm(path, { force: true });
        continue;
      }
      if (now - stat.mtimeMs > (temporary ? STALE_TEMP_MS : STALE_BLOB_MS)) await removeBlob(path);
      else if (!temporary) blobs.push({ path, used: stat.mtimeMs });
    } catch {
      // Gone meanwhile.
    }
  }
  blobs.sort((a, b) => b.used - a.used);
  for (const extra of blobs.slice(MAX_BLOBS - 1)) await removeBlob(extra.path).catch(() => {});
}

/** A blob and, for a blob of ours, the bundle beside it. */
async function removeBlob(path: string): Promise<void> {
  await rm(path, { force: true });
  if (path.endsWith('.blob')) await rm(bundleOf(path), { force: true });
}

/**
 * The blob for `options`: the one already built under its key (kept across restarts), or a
 * new one, built in child processes (bundling, `--build-snapshot`, one verifying start: a few
 * hundred ms, none of it on the event loop). Never rejects.
 */
export async function buildStartupSnapshot(options: SnapshotBuildOptions): Promise<SnapshotBuild> {
  try {
    return await buildOrReuse(options);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

async function buildOrReuse(options: SnapshotBuildOptions): Promise<SnapshotBuild> {
  const dir = options.dir ?? defaultSnapshotDir();
  const unsafe = await secureDir(dir);
  if (unsafe !== null) return { ok: false, reason: `the snapshot folder is not safe to use: ${unsafe}` };
  const bundled = await bundle(options.entry ?? SNAPSHOT_ENTRY);
  if ('reason' in bundled) return { ok: false, reason: bundled.reason };
  const buildArgs = [`--max-old-space-size=${options.memoryMb}`];
  const key = keyOf(bundled.code, buildArgs, options.runtimeArgs);
  const blob = join(dir, `runtime-${key}.blob`);
  const identity = (await trustedFile(blob)) ? blobIdentity(blob) : null;
  if (identity !== null) {
    markSnapshotUsed(blob);
    return { ok: true, blob, key, cached: true, identity };
  }

  const stem = join(dir, `.build-${randomBytes(8).toString('hex')}`);
  const staged = `${stem}.cjs`;
  // The bundle is built from, and kept at, a name of its key beside the blob: the file names
  // in a snapshot runtime's stack traces (pg's frames) are this file's, which stays readable.
  const source = bundleOf(blob);
  const temporary = `${stem}.blob`;
  let kept = false;
  try {
    await writeFile(staged, bundled.code, { mode: 0o444, flag: 'wx' });
    await rename(staged, source);
    const built = await run(process.execPath, [...buildArgs, '--snapshot-blob', temporary, '--build-snapshot', source], BUILD_TIMEOUT_MS);
    if (built.timedOut) return { ok: false, reason: `building the snapshot took over ${BUILD_TIMEOUT_MS} ms` };
    if (built.code !== 0 || !(await trustedFile(temporary))) {
      return { ok: false, reason: `building the snapshot failed (${built.signal ?? `exit code ${String(built.code)}`}): ${lastLines(built.stderr)}` };
    }
    // Readable by the runtimes' user; written by nobody from now on.
    await chmod(temporary, 0o444);
    const refused = await verify(temporary, options.runtimeArgs);
    if (refused !== null) return { ok: false, reason: `the snapshot was built but ${refused}` };
    await rename(temporary, blob);
    kept = true;
  } finally {
    // Only a bundle whose blob was kept stays.
    if (!kept) await rm(source, { force: true });
    await rm(staged, { force: true });
    await rm(temporary, { force: true });
  }
  await sweep(dir, blob);
  const built = blobIdentity(blob);
  if (built === null) return { ok: false, reason: `the snapshot ${blob} was gone right after it was built` };
  return { ok: true, blob, key, cached: false, identity: built };
}

interface SharedBuild {
  promise: Promise<SnapshotBuild>;
  settled: SnapshotBuild | null;
}

/** One build per set of options per server process: pools (and tests) share it. */
const shared = new Map<string, SharedBuild>();

/**
 * The build for `options`, started on first request and shared by every later one; `settled`
 * is set once it is done, so a pool made after it finished starts from the blob at once.
 */
export function sharedStartupSnapshot(options: SnapshotBuildOptions): SharedBuild {
  const id = JSON.stringify([options.dir ?? defaultSnapshotDir(), options.entry ?? SNAPSHOT_ENTRY, options.memoryMb, options.runtimeArgs]);
  let build = shared.get(id);
  if (build === undefined) {
    const made: SharedBuild = { promise: buildStartupSnapshot(options), settled: null };
    void made.promise.then((result) => {
      made.settled = result;
    });
    shared.set(id, made);
    build = made;
  }
  return build;
}
