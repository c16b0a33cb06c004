import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SwaySession } from './sway-session.js';

/**
 * A real D-Bus session bus for a test's Sway session, run as the session's user with its socket
 * at $XDG_RUNTIME_DIR/bus (where the desktop's own bus lives). The panel, the tray items and the
 * notification programs of a test all get `env` and meet on it.
 */

export interface DbusSession {
  /** `unix:path=…`, as DBUS_SESSION_BUS_ADDRESS takes it. */
  address: string;
  env: { DBUS_SESSION_BUS_ADDRESS: string };
  stop(): Promise<void>;
}

export async function startDbusSession(session: SwaySession): Promise<DbusSession> {
  const socket = join(session.runtimeDir, 'bus');
  const address = `unix:path=${socket}`;
  const daemon = session.spawn(
    ['dbus-daemon', '--session', '--nofork', '--nopidfile', `--address=${address}`],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  let log = '';
  daemon.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    log = (log + chunk).slice(-2000);
  });
  const status = { exited: false };
  daemon.on('exit', () => (status.exited = true));
  const deadline = Date.now() + 10_000;
  while (!existsSync(socket)) {
    if (status.exited || Date.now() > deadline) {
      throw new Error(`harness: the session bus did not start at ${socket}\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const killGroup = (signal: NodeJS.Signals): void => {
    if (daemon.pid === undefined) return;
    try {
      process.kill(-daemon.pid, signal);
    } catch {
      // Already gone.
    }
  };
  process.once('exit', () => killGroup('SIGKILL'));
  return {
    address,
    env: { DBUS_SESSION_BUS_ADDRESS: address },
    stop: async () => {
      if (status.exited) return;
      const gone = new Promise((resolve) => daemon.once('exit', resolve));
      killGroup('SIGTERM');
      const timer = setTimeout(() => killGroup('SIGKILL'), 3_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
