import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SessionConfig } from '../config/schema.js';
import type { ContainerUser, LxcBackend } from './lxc-backend.js';
import { checkContainerName, isValidContainerName } from './names.js';
import { freeDisplay, listenXSocket, removeStaleXSockets } from './xwayland-socket.js';

/*
 * Where a container's graphical session runs, and why there.
 *
 * The nested compositor (weston or cage) runs on the HOST, as the desktop user, nested in the
 * host Sway through its wayland backend: it is one Sway window. Its own Wayland socket lives in
 * a per-container folder, $XDG_RUNTIME_DIR/cexbar/sessions/NAME/ (mode 0700, created here),
 * which the container's config bind-mounts, with one line such as (here folded in two)
 *
 *   lxc.mount.entry = /run/user/1000/cexbar/sessions/NAME run/cexbar-session
 *                     none bind,create=dir 0 0
 *
 * so the container's programs reach that compositor through /run/cexbar-session/wayland-0 and
 * never see the host Sway's socket, which would let them read the host clipboard and take
 * screenshots of the whole desktop. Because the compositor is a host process, Sway reports its
 * host PID as the window's pid, and that PID tells the panel which window is which container's.
 *
 * The folder must exist before the container starts (LXC mounts it then), and it is never
 * removed and re-created while the container runs: the bind mount holds the old folder.
 * Sessions are spawned detached in their own process group, so they outlive a panel restart
 * (they end with the host Sway). Nothing here touches persistent storage: every file is under
 * XDG_RUNTIME_DIR, a tmpfs, so the host keeps no trace of which containers ran.
 *
 * An idmapped container (LXCex: lxc.idmap = u 0 200000 65536) mounts the folder as its mapped
 * root, host uid 200000, which a 0700 folder of the desktop user's shuts out. grant() gives
 * such host uids a POSIX ACL: search (x) only on the folders above, so they can list nothing
 * there, and rwx plus a default entry on the container's own folder, so that the sockets made
 * in it are theirs to connect to (and the desktop user keeps access to what they create).
 */

const runFile = promisify(execFile);

/** The socket name inside the session folder, and its path inside the container. */
export const SESSION_SOCKET = 'wayland-0';
export const CONTAINER_SESSION_DIR = '/run/cexbar-session';

// Weston's animations swallow keystrokes and its panel is the host's job; --config=/dev/null is
// fatal to weston 10, so the launcher writes this file instead.
const WESTON_INI = [
  '[core]',
  'idle-time=0',
  '',
  '[shell]',
  'panel-position=none',
  'animation=none',
  'startup-animation=none',
  'close-animation=none',
  'focus-animation=none',
  '',
].join('\n');

// The command names of our sessions' host processes (Xwayland's comm keeps its capital).
const COMPOSITORS = new Set(['weston', 'cage', 'Xwayland']);

// Of the panel's environment, the compositor gets only what a desktop user sets for it.
const PASSED_VARIABLES = [
  'HOME',
  'LANG',
  'LC_ALL',
  'XKB_DEFAULT_LAYOUT',
  'XKB_DEFAULT_VARIANT',
  'XKB_DEFAULT_OPTIONS',
  'WLR_RENDERER',
];

export type GraphicalSession = Exclude<SessionConfig, { type: 'none' }>;

/**
 * Starts a program in the background; the default detaches it from the panel. `fds` become the
 * child's descriptors 3, 4... (Xwayland's listening socket).
 */
export type SessionSpawner = (
  argv: readonly string[],
  env: Record<string, string>,
  fds?: readonly number[],
) => ChildProcess;

export interface SessionLauncherOptions {
  /** The desktop user's XDG_RUNTIME_DIR. */
  runtimeDir: string;
  /** The absolute path of the host Sway's Wayland socket. */
  hostWaylandDisplay: string;
  backend: LxcBackend;
  spawn?: SessionSpawner;
  /** Owner of the folders and files created here, when the launcher runs as root (tests). */
  owner?: { uid: number; gid: number };
}

export interface LaunchedSession {
  type: GraphicalSession['type'];
  pid: number;
  socketDir: string;
  /** An Xwayland session's display number: its socket is socketDir/X<display>. */
  display?: number;
  /** Settles with why the compositor ended ("exited with code 1"); null when unknown. */
  exited: Promise<string | null>;
}

/** Spawns detached, in its own process group, with no stdio tied to the panel. */
export const spawnDetached: SessionSpawner = (argv, env, fds = []) => {
  const [file, ...args] = argv as [string, ...string[]];
  const stdio = ['ignore', 'ignore', 'ignore', ...fds] as const;
  const child = spawn(file, args, { cwd: '/', env, detached: true, stdio: [...stdio] });
  child.unref();
  return child;
};

export class SessionLauncher {
  readonly #options: SessionLauncherOptions;
  // Display numbers handed out by this launcher, whose sockets may not be in place yet.
  readonly #displays = new Set<number>();

  constructor(options: SessionLauncherOptions) {
    if (!options.hostWaylandDisplay.startsWith('/')) {
      throw new Error(
        "session launcher: hostWaylandDisplay must be the absolute path of the host Sway's " +
          `socket, received ${JSON.stringify(options.hostWaylandDisplay)}`,
      );
    }
    this.#options = options;
  }

  /** The per-container folder that holds the session's socket. */
  socketDir(name: string): string {
    return join(this.#sessionsDir(), checkContainerName(name));
  }

  /** Creates the session folder; call it before the container starts, which bind-mounts it. */
  prepare(name: string): string {
    const dir = this.socketDir(name);
    this.#ensureDir(join(this.#options.runtimeDir, 'cexbar'));
    this.#ensureDir(this.#sessionsDir());
    this.#ensureDir(dir);
    return dir;
  }

  /**
   * Lets host uids (an idmapped container's mapped root, its user) reach this container's
   * session folder and nothing else of the runtime folder: see the comment at the top.
   */
  async grant(name: string, hostUids: readonly number[]): Promise<void> {
    if (hostUids.length === 0) return;
    const dir = this.socketDir(name);
    const above = [this.#options.runtimeDir, join(this.#options.runtimeDir, 'cexbar')];
    const traverse = hostUids.map((uid) => `u:${uid}:x`).join(',');
    const owner = this.#options.owner?.uid ?? process.getuid?.() ?? 0;
    const own = [
      ...hostUids.flatMap((uid) => [`u:${uid}:rwx`, `d:u:${uid}:rwx`]),
      `d:u:${owner}:rwx`,
    ].join(',');
    try {
      await runFile('setfacl', ['-m', traverse, ...above, this.#sessionsDir()], { cwd: '/' });
      await runFile('setfacl', ['-m', own, dir], { cwd: '/' });
    } catch (error) {
      const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
      throw new Error(`session launcher: setfacl on ${dir} failed (${detail})`, { cause: error });
    }
  }

  /**
   * Launches the container's nested compositor; resolves once the process has spawned. A Cage
   * or Xwayland session's program runs as `user` of the container, else as its root.
   */
  async launch(
    name: string,
    session: GraphicalSession,
    user?: ContainerUser,
  ): Promise<LaunchedSession> {
    if (session.type === 'xwayland') return this.#launchXwayland(name, session, user);
    const socketDir = this.prepare(name);
    const argv =
      session.type === 'weston' ? this.#westonArgv(session) : this.#cageArgv(name, session, user);
    const env = this.#environment(socketDir, session.type);
    const child = withSessionUmask(() => (this.#options.spawn ?? spawnDetached)(argv, env));
    const exited = exitReasonOf(child);
    const pid = await spawnedPid(child, argv[0] ?? session.type);
    return { type: session.type, pid, socketDir, exited };
  }

  /**
   * Finds a compositor of ours still serving this container's folder, started by an earlier
   * panel: its environment names the folder. Only our own processes' environments are readable.
   */
  findRunning(name: string): number | null {
    const wanted = `XDG_RUNTIME_DIR=${this.socketDir(name)}`;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      if (isCompositorServing(entry, wanted)) return Number(entry);
    }
    return null;
  }

  /**
   * Every compositor of ours still serving a session folder, by container name, as an earlier
   * panel (or service) left them: one pass over /proc for all the folders.
   */
  findAllRunning(): Map<string, { pid: number; type: GraphicalSession['type'] }> {
    const found = new Map<string, { pid: number; type: GraphicalSession['type'] }>();
    const wanted = new Map<string, string>();
    for (const name of this.#sessionFolders()) {
      wanted.set(`XDG_RUNTIME_DIR=${join(this.#sessionsDir(), name)}`, name);
    }
    if (wanted.size === 0) return found;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const serving = compositorServing(entry, wanted);
      if (serving !== null && !found.has(serving.name)) {
        found.set(serving.name, { pid: Number(entry), type: serving.type });
      }
    }
    return found;
  }

  /** The names of the session folders present (valid container names only). */
  #sessionFolders(): string[] {
    let entries: string[];
    try {
      entries = readdirSync(this.#sessionsDir());
    } catch {
      return [];
    }
    return entries.filter((entry) => isValidContainerName(entry));
  }

  /**
   * Rootful Xwayland on a socket of the container's folder, then the container's X program
   * through the helper's attach-x (DISPLAY=:N alone). The X socket listens before Xwayland
   * starts, so the program may connect at once: the kernel queues it until Xwayland accepts.
   */
  async #launchXwayland(
    name: string,
    session: Extract<GraphicalSession, { type: 'xwayland' }>,
    user: ContainerUser | undefined,
  ): Promise<LaunchedSession> {
    const socketDir = this.prepare(name);
    removeStaleXSockets(socketDir);
    const display = freeDisplay(this.#sessionsDir(), this.#displays);
    // Checked before Xwayland starts: a helper that is not installed leaves nothing running.
    const attach = this.#options.backend.attachXArgv(name, display, session.command, user);
    this.#displays.add(display);
    const socket = await listenXSocket(socketDir, display, this.#options.owner);
    const spawner = this.#options.spawn ?? spawnDetached;
    let child: ChildProcess;
    try {
      child = spawner(xwaylandArgv(display), this.#environment(socketDir, 'xwayland'), [socket.fd]);
    } finally {
      socket.close();
    }
    const exited = exitReasonOf(child);
    void exited.then(() => this.#displays.delete(display));
    const pid = await spawnedPid(child, 'Xwayland');
    try {
      const program = spawner(attach, { PATH: process.env.PATH ?? '/usr/bin:/bin' });
      await spawnedPid(program, attach[0] ?? 'sudo');
    } catch (error) {
      // An Xwayland that no client ever reaches would never end (-terminate needs one).
      child.kill('SIGTERM');
      throw error;
    }
    return { type: 'xwayland', pid, socketDir, display, exited };
  }

  #sessionsDir(): string {
    return join(this.#options.runtimeDir, 'cexbar', 'sessions');
  }

  #westonArgv(session: Extract<GraphicalSession, { type: 'weston' }>): string[] {
    return [
      'weston',
      '--backend=wayland-backend.so',
      `--socket=${SESSION_SOCKET}`,
      `--width=${session.width}`,
      `--height=${session.height}`,
      `--config=${this.#writeWestonIni()}`,
      ...session.args,
    ];
  }

  /** Cage has no socket option: it takes the first free wayland-N of its runtime folder. */
  #cageArgv(
    name: string,
    session: Extract<GraphicalSession, { type: 'cage' }>,
    user: ContainerUser | undefined,
  ): string[] {
    // The helper gives the program WAYLAND_DISPLAY=/run/cexbar-session/wayland-0 and no other.
    const attach = this.#options.backend.attachArgv(name, session.command, user);
    return ['cage', '--', ...attach];
  }

  #environment(socketDir: string, type: GraphicalSession['type']): Record<string, string> {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      XDG_RUNTIME_DIR: socketDir,
      // The compositor is a client of the host Sway: it alone gets the host socket.
      WAYLAND_DISPLAY: this.#options.hostWaylandDisplay,
    };
    for (const key of PASSED_VARIABLES) {
      const value = process.env[key];
      if (value !== undefined) env[key] = value;
    }
    // wlroots picks its wayland backend from WAYLAND_DISPLAY, but say it for cage plainly.
    if (type === 'cage') env.WLR_BACKENDS = 'wayland';
    return env;
  }

  #writeWestonIni(): string {
    const path = join(this.#options.runtimeDir, 'cexbar', 'weston.ini');
    writeFileSync(path, WESTON_INI, { mode: 0o600 });
    this.#own(path);
    return path;
  }

  /**
   * A folder of ours, mode 0700; refuses a symlink or a file in its place. Not recursive: the
   * runtime folder itself belongs to the login session and must already exist.
   */
  #ensureDir(path: string): void {
    try {
      mkdirSync(path, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const stat = lstatSync(path);
    if (!stat.isDirectory()) {
      throw new Error(`session launcher: ${path} must be a folder, found something else there`);
    }
    // The group bits of a folder with an ACL are its mask: a chmod to 0700 would void grant().
    if ((stat.mode & 0o707) !== 0o700) chmodSync(path, 0o700);
    this.#own(path);
  }

  #own(path: string): void {
    const owner = this.#options.owner;
    if (owner !== undefined) chownSync(path, owner.uid, owner.gid);
  }
}

/**
 * Rootful (one Sway window), serving only descriptor 3, ending when its last client leaves
 * (the program, or the container, ended). -ac: by default Xwayland admits only its own uid,
 * never the container's; whoever reaches the socket is the container, which the folder decides.
 * Xwayland 22.1 has no -geometry: its screen takes the size of the host output.
 */
function xwaylandArgv(display: number): string[] {
  return ['Xwayland', `:${display}`, '-listenfd', '3', '-ac', '-terminate'];
}

// A compositor's command name, as the session type it runs.
const TYPE_OF_COMMAND = new Map<string, GraphicalSession['type']>([
  ['weston', 'weston'],
  ['cage', 'cage'],
  ['Xwayland', 'xwayland'],
]);

/** The session folder (one of `wanted`'s variables) a compositor of ours serves, if any. */
function compositorServing(
  pid: string,
  wanted: ReadonlyMap<string, string>,
): { name: string; type: GraphicalSession['type'] } | null {
  try {
    const type = TYPE_OF_COMMAND.get(readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
    if (type === undefined) return null;
    for (const variable of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const name = wanted.get(variable);
      if (name !== undefined) return { name, type };
    }
    return null;
  } catch {
    // Gone meanwhile, or another user's process.
    return null;
  }
}

function isCompositorServing(pid: string, wanted: string): boolean {
  try {
    const command = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    if (!COMPOSITORS.has(command)) return false;
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(wanted);
  } catch {
    // Gone meanwhile, or another user's process.
    return false;
  }
}

/**
 * Runs `spawnIt` with the umask 007, which the child inherits. The kernel gives a new socket
 * the mode its creator's umask allows, whatever the folder's default ACL says, and an ACL's
 * mask is the group bits: 007 keeps grant()'s entries in force on the compositor's socket,
 * while the session folder (0700) keeps everyone else out.
 */
function withSessionUmask<T>(spawnIt: () => T): T {
  const previous = process.umask(0o007);
  try {
    return spawnIt();
  } finally {
    process.umask(previous);
  }
}

/** Whether a process still exists (signal 0 checks without sending anything). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function spawnedPid(child: ChildProcess, program: string): Promise<number> {
  if (child.pid === undefined) {
    const [error] = (await once(child, 'error')) as [Error];
    throw new Error(`session launcher: could not run ${program} (${error.message})`, {
      cause: error,
    });
  }
  return child.pid;
}

function exitReasonOf(child: ChildProcess): Promise<string | null> {
  return new Promise((resolve) => {
    child.once('error', () => {
      resolve(null);
    });
    child.once('exit', (code, signal) => {
      resolve(signal !== null ? `killed by ${signal}` : `exited with code ${code ?? 'unknown'}`);
    });
  });
}
