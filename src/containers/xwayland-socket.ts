import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  readdirSync,
  renameSync,
  unlinkSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/*
 * An Xwayland session's X socket, made by the launcher rather than by Xwayland. Xwayland 22.1
 * always puts its own sockets at /tmp/.X11-unix/X<N> (and an abstract one, reachable from the
 * host's network namespace): the folder is compiled in. Given `-listenfd FD`, it makes none of
 * them and serves only the socket it is handed, and it writes no /tmp/.X<N>-lock either. So the
 * socket is bound here, in the container's session folder, which the container bind-mounts as
 * its /tmp/.X11-unix: its X clients find it, the host's X clients never see it.
 */

// Host displays below this are left to the X servers a desktop starts itself (Sway's :0...).
const FIRST_DISPLAY = 32;
const LAST_DISPLAY = 999;
const X_SOCKET = /^X(\d+)$/;

/** A listening socket whose descriptor goes to Xwayland; close() once Xwayland has a copy. */
export interface PendingXSocket {
  fd: number;
  path: string;
  close(): void;
}

/**
 * The lowest display number that no host X server and no other session uses. The host's
 * X<N> socket or lock, or an X<N> socket in any session folder, takes the number.
 */
export function freeDisplay(sessionsDir: string, reserved: ReadonlySet<number>): number {
  const taken = new Set(reserved);
  for (const folder of readdirOrEmpty(sessionsDir)) {
    for (const entry of readdirOrEmpty(join(sessionsDir, folder))) {
      const match = X_SOCKET.exec(entry);
      if (match !== null) taken.add(Number(match[1]));
    }
  }
  for (let display = FIRST_DISPLAY; display <= LAST_DISPLAY; display++) {
    if (taken.has(display)) continue;
    if (existsSync(`/tmp/.X11-unix/X${display}`) || existsSync(`/tmp/.X${display}-lock`)) continue;
    return display;
  }
  throw new Error(`session launcher: no free X display number from ${FIRST_DISPLAY} to 999`);
}

/** Removes the X<N> sockets an earlier Xwayland of this folder left behind. */
export function removeStaleXSockets(socketDir: string): void {
  for (const entry of readdirOrEmpty(socketDir)) {
    const path = join(socketDir, entry);
    if (X_SOCKET.test(entry) && lstatSync(path).isSocket()) unlinkSync(path);
  }
}

/**
 * Binds and listens on socketDir/X<display>, for Xwayland's -listenfd. Node unlinks a socket's
 * path when its server closes: the socket is bound under a temporary name and renamed into
 * place before close(), so the path stays while the descriptor lives on in Xwayland.
 */
export async function listenXSocket(
  socketDir: string,
  display: number,
  owner?: { uid: number; gid: number },
): Promise<PendingXSocket> {
  const path = join(socketDir, `X${display}`);
  const temporary = `${path}.new`;
  const server = createServer();
  // Nothing may be accepted here: Xwayland alone answers, once the server has stopped below.
  server.on('connection', (socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(temporary, resolve);
  });
  if (owner !== undefined) chownSync(temporary, owner.uid, owner.gid);
  // Group bits rwx: the ACL mask, so that the uids the session folder grants may connect.
  chmodSync(temporary, 0o770);
  // Node keeps the descriptor on its private handle only; a listening pipe always has one.
  const fd = (server as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) {
    server.close();
    throw new Error('session launcher: no descriptor for the X socket (an unsupported Node?)');
  }
  return {
    fd,
    path,
    close: () => {
      renameSync(temporary, path);
      server.close();
    },
  };
}

function readdirOrEmpty(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
