import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { socketAnswers } from '../util/socket.js';

/*
 * Finding a live Sway without GTK: the IPC socket and the Wayland socket of a Sway of this user.
 * A restarted Sway has a new IPC socket (its name holds Sway's PID), and a Sway that was killed
 * leaves its sockets behind, so a socket's name alone says nothing: its Sway must still run.
 */

/** A Sway that runs, with the two sockets a panel needs. */
export interface LiveSway {
  /** The IPC socket (SWAYSOCK). */
  socket: string;
  /** The Wayland socket as WAYLAND_DISPLAY takes it: a name in the runtime folder, or a path. */
  waylandDisplay: string;
  /** Sway's PID, when the socket's name gives it. */
  pid: number | null;
}

const SOCKET_NAME = /^sway-ipc\.(\d+)\.(\d+)\.sock$/;

/** The PID in a socket name `sway-ipc.UID.PID.sock`, or null for any other name. */
export function pidOfSwaySocket(path: string): number | null {
  const match = SOCKET_NAME.exec(basename(path));
  return match === null ? null : Number(match[2]);
}

/**
 * Whether PID is a running process named sway: a reused PID of another program is not, nor a
 * killed Sway that its parent has not reaped yet (a zombie).
 */
export function isSwayProcess(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  // "PID (COMM) STATE ...": the name may hold spaces and parentheses, the state follows the last.
  const close = stat.lastIndexOf(')');
  const name = stat.slice(stat.indexOf('(') + 1, close);
  const state = stat.slice(close + 2, close + 3);
  return name === 'sway' && state !== 'Z' && state !== 'X';
}

function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}

/**
 * The IPC sockets `sway-ipc.UID.PID.sock` in the runtime folder whose Sway still runs, the
 * newest Sway (highest PID) first.
 */
export function liveSwaySockets(runtimeDir: string, uid: number): string[] {
  let names: string[];
  try {
    names = readdirSync(runtimeDir);
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, match: SOCKET_NAME.exec(name) }))
    .filter(({ match }) => match !== null && Number(match[1]) === uid)
    .map(({ name, match }) => ({ path: join(runtimeDir, name), pid: Number(match?.[2]) }))
    .filter(({ path, pid }) => isSocket(path) && isSwayProcess(pid))
    .sort((a, b) => b.pid - a.pid)
    .map(({ path }) => path);
}

/** Inodes of the listening Unix sockets bound to each path, from /proc/net/unix. */
function socketInodes(): Map<string, string> {
  const inodes = new Map<string, string>();
  let table: string;
  try {
    table = readFileSync('/proc/net/unix', 'utf8');
  } catch {
    return inodes;
  }
  // Num RefCount Protocol Flags Type St Inode Path
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const [inode, path] = [fields[6], fields[7]];
    if (inode !== undefined && path !== undefined) inodes.set(path, inode);
  }
  return inodes;
}

/** The `socket:[INODE]` links among a process's open files (empty when they are not ours). */
function openSocketsOf(pid: number): Set<string> {
  const sockets = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return sockets;
  }
  for (const fd of fds) {
    try {
      sockets.add(readlinkSync(`/proc/${pid}/fd/${fd}`));
    } catch {
      // Closed meanwhile.
    }
  }
  return sockets;
}

/**
 * The name of the `wayland-N` socket in the runtime folder that Sway (PID) listens on: the one
 * whose inode is among Sway's open files. A killed Sway's socket may still lie there, and a
 * restarted one may have taken another number.
 */
export function waylandSocketOf(runtimeDir: string, pid: number): string | null {
  const open = openSocketsOf(pid);
  const inodes = socketInodes();
  let names: string[];
  try {
    names = readdirSync(runtimeDir)
      .filter((name) => /^wayland-\d+$/.test(name))
      .sort();
  } catch {
    return null;
  }
  const found = names.find((name) => {
    const inode = inodes.get(join(runtimeDir, name));
    return inode !== undefined && open.has(`socket:[${inode}]`);
  });
  return found ?? null;
}

export interface DiscoveryEnvironment {
  runtimeDir: string;
  uid: number;
  /** SWAYSOCK as this process got it. */
  swaySocket?: string | undefined;
  /** WAYLAND_DISPLAY as this process got it. */
  waylandDisplay?: string | undefined;
}

function displayExists(runtimeDir: string, display: string | undefined): display is string {
  if (display === undefined || display === '') return false;
  return isSocket(isAbsolute(display) ? display : join(runtimeDir, display));
}

/**
 * The Sway to run on. SWAYSOCK while a Sway answers there, with WAYLAND_DISPLAY as given when
 * its socket exists (the panel may be meant for another display of that session); otherwise
 * the newest live Sway in the runtime folder with the Wayland socket it listens on. Null when
 * no Sway runs for this user.
 */
export async function findLiveSway(env: DiscoveryEnvironment): Promise<LiveSway | null> {
  const given = env.swaySocket;
  if (given !== undefined && given !== '' && (await socketAnswers(given))) {
    const pid = pidOfSwaySocket(given);
    if (pid === null || isSwayProcess(pid)) {
      const display = displayExists(env.runtimeDir, env.waylandDisplay)
        ? env.waylandDisplay
        : pid === null
          ? null
          : waylandSocketOf(env.runtimeDir, pid);
      if (display !== null) return { socket: given, waylandDisplay: display, pid };
    }
  }
  for (const socket of liveSwaySockets(env.runtimeDir, env.uid)) {
    const pid = pidOfSwaySocket(socket);
    if (pid === null || !(await socketAnswers(socket))) continue;
    const display = waylandSocketOf(env.runtimeDir, pid);
    if (display !== null) return { socket, waylandDisplay: display, pid };
  }
  return null;
}
