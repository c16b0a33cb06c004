import type { ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { appDir } from './panel.js';
import { runAsUser } from './run-as-user.js';
import type { SwaySession } from './sway-session.js';

/*
 * The harness side of scripts/harness/title-client.ts: a real window in the session, run as the
 * desktop user, whose title a test sets once, floods, or (under Xwayland) sets to raw bytes.
 */

export interface TitleWindow {
  /** The client's PID: Sway reports it as the view's pid. */
  pid: number;
  /** The X11 window, under Xwayland; null for a Wayland window. */
  xid: number | null;
  setTitle(title: string): Promise<void>;
  /** Sets `prefix0` … `prefix(count-1)` as fast as Sway takes them. */
  flood(count: number, prefix: string): Promise<{ ms: number }>;
  /** The same, spread evenly at `perSecond` titles a second. */
  paced(count: number, prefix: string, perSecond: number): Promise<{ ms: number }>;
  /**
   * Sets the X11 title (_NET_WM_NAME, UTF8_STRING) to exactly these bytes, valid UTF-8 or not:
   * Sway takes an X11 title's bytes as they are. Only for a window opened with `x11Display`.
   */
  setRawTitle(bytes: Buffer): Promise<void>;
  close(): Promise<void>;
}

export interface TitleWindowOptions {
  title?: string;
  /** Opens the window through Xwayland on this display (see x11DisplayOf) instead. */
  x11Display?: string;
}

const liveClients = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of liveClients) child.kill('SIGKILL');
});

/**
 * The X11 display of the session's Xwayland (its config needs `xwayland enable`): Sway sets
 * DISPLAY for what it execs, and starts Xwayland on the first client.
 */
export async function x11DisplayOf(session: SwaySession): Promise<string> {
  const file = join(session.runtimeDir, `display-${process.pid}`);
  await session.swaymsg('exec', `printf %s "$DISPLAY" > ${file}`);
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      const display = readFileSync(file, 'utf8');
      if (display !== '') {
        rmSync(file, { force: true });
        return display;
      }
    } catch {
      // Not written yet.
    }
    if (Date.now() > deadline) throw new Error('harness: Sway exec gave no DISPLAY (xwayland?)');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until Sway's tree has a view of the process: shown, GTK's window may not be mapped yet. */
async function waitForView(session: SwaySession, pid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await session.swaymsg('-t', 'get_tree', '-r')).includes(`"pid": ${pid},`)) {
    if (Date.now() > deadline) throw new Error(`harness: no window of the title client ${pid}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts the client and resolves once its window is up. */
export async function openTitleWindow(
  session: SwaySession,
  options: TitleWindowOptions = {},
): Promise<TitleWindow> {
  const client = join(appDir(), 'dist', 'scripts', 'harness', 'title-client.js');
  const extraEnv: Record<string, string> =
    options.x11Display === undefined ? {} : { DISPLAY: options.x11Display, GDK_BACKEND: 'x11' };
  const child = session.spawn(
    ['node', client, options.title ?? ''],
    { stdio: ['pipe', 'pipe', 'pipe'] },
    extraEnv,
  );
  liveClients.add(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const replies: ((line: Record<string, unknown>) => void)[] = [];
  const failures = new Set<(error: Error) => void>();
  const stdout = child.stdout;
  if (stdout === null) throw new Error('harness: the title client has no stdout');
  createInterface({ input: stdout }).on('line', (line) => {
    replies.shift()?.(JSON.parse(line) as Record<string, unknown>);
  });
  child.on('exit', (code) => {
    liveClients.delete(child);
    const error = new Error(`harness: the title client exited (${code}): ${stderr.trim()}`);
    for (const fail of failures) fail(error);
  });
  const nextReply = (): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      failures.add(reject);
      replies.push((line) => {
        failures.delete(reject);
        resolve(line);
      });
    });
  const ask = (request: unknown): Promise<Record<string, unknown>> => {
    const reply = nextReply();
    child.stdin?.write(JSON.stringify(request) + '\n');
    return reply;
  };

  const ready = await nextReply();
  const xid = typeof ready.xid === 'number' ? ready.xid : null;
  await waitForView(session, child.pid ?? -1);
  return {
    pid: child.pid ?? -1,
    xid,
    setTitle: async (title) => {
      await ask({ title });
    },
    flood: async (count, prefix) => ({ ms: Number((await ask({ flood: { count, prefix } })).ms) }),
    paced: async (count, prefix, perSecond) => ({
      ms: Number((await ask({ paced: { count, prefix, perSecond } })).ms),
    }),
    setRawTitle: async (bytes) => {
      if (xid === null || options.x11Display === undefined) {
        throw new Error('harness: raw titles need a window opened with x11Display');
      }
      // Through a file, so that no shell or argv encoding touches the bytes. One argument may
      // hold 128 kB (MAX_ARG_STRLEN).
      const file = join(session.runtimeDir, `raw-title-${process.pid}`);
      writeFileSync(file, bytes, { mode: 0o644 });
      try {
        const command = `xprop -id ${xid} -f _NET_WM_NAME 8u -set _NET_WM_NAME "$(cat ${file})"`;
        await runAsUser(
          session.user,
          ['sh', '-c', command],
          session.userEnv({ DISPLAY: options.x11Display }),
        );
      } finally {
        rmSync(file, { force: true });
      }
    },
    close: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
