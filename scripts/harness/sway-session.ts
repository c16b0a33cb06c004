import { execFileSync } from 'node:child_process';
import {
  chownSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  chmodSync,
} from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { waylandSocketOf } from '../../src/sway/discovery.js';
import {
  lookUpUser,
  runAsUser,
  spawnAsUser,
  userEnvironment,
  type DesktopUser,
  type RunResult,
} from './run-as-user.js';

/**
 * A real headless Sway for tests and the demo, run as the unprivileged desktop user with a
 * runtime folder of its own. Everything it starts is stopped by stop(), and by process exit
 * when a test fails before it gets there.
 */

export interface SwaySessionEnv extends Record<string, string> {
  SWAYSOCK: string;
  WAYLAND_DISPLAY: string;
  XDG_RUNTIME_DIR: string;
}

export interface SwaySession {
  user: DesktopUser;
  runtimeDir: string;
  /** The variables a client of this session needs. */
  env: SwaySessionEnv;
  /** The environment to run the user's programs in this session with. */
  userEnv(extra?: Record<string, string>): Record<string, string>;
  run(argv: string[], options?: { timeoutMs?: number; allowFailure?: boolean }): Promise<RunResult>;
  spawn(argv: string[], options?: SpawnOptions, extraEnv?: Record<string, string>): ChildProcess;
  swaymsg(...args: string[]): Promise<string>;
  /** Writes a screenshot of every output to `path` (PNG, or PPM when it ends in .ppm). */
  screenshot(path: string): Promise<void>;
  /**
   * Ends this session's Sway (SIGKILL by default, as a crash: its sockets stay behind) and
   * starts a new one with the same config and runtime folder; `env` then names the new one.
   * `whileAway` runs between the two, while no Sway runs. Only for a Sway the harness started.
   */
  restart(signal?: 'SIGTERM' | 'SIGKILL', whileAway?: () => Promise<void>): Promise<void>;
  /** The PID of the Sway running now (0 for one the harness did not start). */
  swayPid(): number;
  stop(): Promise<void>;
}

export interface SwaySessionOptions {
  outputs?: number;
  width?: number;
  height?: number;
  /** Lines appended to the generated sway config. */
  extraConfig?: string[];
  /**
   * Runs this Sway nested in another session's Sway (the wayland backend): each of its outputs
   * (WL-1, WL-2...) is a window of the outer Sway, and closing that window unplugs the output.
   */
  nestedIn?: SwaySession;
}

const liveSessions = new Set<() => void>();
process.on('exit', () => {
  for (const kill of liveSessions) kill();
});

function writeSwayConfig(dir: string, options: SwaySessionOptions): string {
  const path = join(dir, 'sway.config');
  const lines = [
    `output ${options.nestedIn === undefined ? 'HEADLESS-1' : 'WL-1'} resolution ` +
      `${options.width ?? 1280}x${options.height ?? 720}`,
    'output * background #335577 solid_color',
    'xwayland disable',
    'default_border normal 2',
    'font monospace 10',
    ...(options.extraConfig ?? []),
  ];
  writeFileSync(path, lines.join('\n') + '\n', { mode: 0o644 });
  return path;
}

function findSocket(runtimeDir: string, pattern: RegExp): string | null {
  const name = readdirSync(runtimeDir).find((entry) => pattern.test(entry));
  return name === undefined ? null : join(runtimeDir, name);
}

async function waitFor<T>(what: string, probe: () => T | null, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`harness: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The session's helpers, for a Sway we started or one we attached to. */
function sessionOf(
  user: DesktopUser,
  runtimeDir: string,
  env: SwaySessionEnv,
  stop: () => Promise<void>,
): SwaySession {
  const userEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
    ...userEnvironment(user, env),
    ...extra,
  });
  const run = (argv: string[], runOptions: { timeoutMs?: number; allowFailure?: boolean } = {}) =>
    runAsUser(user, argv, userEnv(), runOptions);
  return {
    user,
    runtimeDir,
    env,
    userEnv,
    run,
    spawn: (argv, spawnOptions = {}, extraEnv = {}) =>
      spawnAsUser(user, argv, userEnv(extraEnv), spawnOptions),
    swaymsg: async (...args) => (await run(['swaymsg', ...args])).stdout,
    restart: () => Promise.reject(new Error('harness: only a Sway the harness started restarts')),
    swayPid: () => 0,
    screenshot: async (path) => {
      const format = path.endsWith('.ppm') ? 'ppm' : 'png';
      const inside = join(runtimeDir, `screenshot-${process.pid}.${format}`);
      await run(['grim', '-t', format, inside]);
      await copyFile(inside, path);
      rmSync(inside, { force: true });
    },
    stop,
  };
}

/** One Sway process of a session: a session that restarts Sway has one after another. */
interface SwayProcess {
  process: ChildProcess;
  exited: () => boolean;
  killGroup: (signal: NodeJS.Signals) => void;
  log: () => string;
}

function launchSway(
  user: DesktopUser,
  configPath: string,
  env: Record<string, string>,
): SwayProcess {
  const sway = spawnAsUser(user, ['sway', '-c', configPath], env, {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let swayLog = '';
  sway.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    swayLog = (swayLog + chunk).slice(-4000);
  });
  let exited = false;
  sway.on('exit', () => (exited = true));
  return {
    process: sway,
    exited: () => exited,
    killGroup: (signal) => {
      if (sway.pid === undefined) return;
      try {
        process.kill(-sway.pid, signal);
      } catch {
        // The group is already gone.
      }
    },
    log: () => swayLog,
  };
}

/** Waits for a launched Sway's IPC socket and the Wayland socket it listens on. */
async function socketsOf(
  sway: SwayProcess,
  user: DesktopUser,
  runtimeDir: string,
  fail: (message: string) => never,
): Promise<{ swaySocket: string; waylandDisplay: string }> {
  const pid = sway.process.pid ?? 0;
  const swaySocket = await waitFor(
    'the sway IPC socket',
    () => {
      if (sway.exited()) fail('harness: sway exited during start-up');
      return findSocket(runtimeDir, new RegExp(`^sway-ipc\\.${user.uid}\\.${pid}\\.sock$`));
    },
    15_000,
  ).catch((error: unknown) => fail(String(error)));
  // By the inode among Sway's open files: a killed Sway's socket may still lie there.
  const waylandDisplay = await waitFor(
    'the wayland socket',
    () => waylandSocketOf(runtimeDir, pid),
    5_000,
  ).catch((error: unknown) => fail(String(error)));
  return { swaySocket, waylandDisplay };
}

/** Ends one Sway: SIGTERM, or SIGKILL at once (a crash, leaving its sockets behind). */
async function endSway(sway: SwayProcess, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  if (!sway.exited()) {
    const gone = new Promise((resolve) => sway.process.once('exit', resolve));
    sway.killGroup(signal);
    const timer = setTimeout(() => sway.killGroup('SIGKILL'), 3_000);
    await gone;
    clearTimeout(timer);
  }
  sway.killGroup('SIGKILL');
}

/** Starts a headless Sway as the desktop user and waits until its IPC answers. */
export async function startSwaySession(options: SwaySessionOptions = {}): Promise<SwaySession> {
  const user = lookUpUser();
  const runtimeDir = mkdtempSync(join(tmpdir(), 'cexbar-rt-'));
  chmodSync(runtimeDir, 0o700);
  if (process.getuid?.() === 0) chownSync(runtimeDir, user.uid, user.gid);
  const configPath = writeSwayConfig(runtimeDir, options);

  const baseEnv = userEnvironment(user, { XDG_RUNTIME_DIR: runtimeDir });
  // Nested: a wayland backend whose outputs are windows of the outer Sway.
  const swayEnv =
    options.nestedIn === undefined
      ? {
          ...baseEnv,
          WLR_BACKENDS: 'headless',
          WLR_LIBINPUT_NO_DEVICES: '1',
          WLR_RENDERER: 'pixman',
        }
      : {
          ...baseEnv,
          WLR_BACKENDS: 'wayland',
          WLR_RENDERER: 'pixman',
          WAYLAND_DISPLAY: join(options.nestedIn.runtimeDir, options.nestedIn.env.WAYLAND_DISPLAY),
        };
  let sway = launchSway(user, configPath, swayEnv);

  const killNow = (): void => {
    sway.killGroup('SIGKILL');
    rmSync(runtimeDir, { recursive: true, force: true });
  };
  liveSessions.add(killNow);

  const fail = (message: string): never => {
    killNow();
    liveSessions.delete(killNow);
    throw new Error(`${message}\n--- sway's log ---\n${sway.log()}`);
  };

  const first = await socketsOf(sway, user, runtimeDir, fail);
  const env: SwaySessionEnv = {
    SWAYSOCK: first.swaySocket,
    WAYLAND_DISPLAY: first.waylandDisplay,
    XDG_RUNTIME_DIR: runtimeDir,
  };
  const session = sessionOf(user, runtimeDir, env, async () => {
    liveSessions.delete(killNow);
    await endSway(sway, 'SIGTERM');
    rmSync(runtimeDir, { recursive: true, force: true });
  });
  session.restart = async (signal = 'SIGKILL', whileAway) => {
    await endSway(sway, signal);
    await whileAway?.();
    sway = launchSway(user, configPath, swayEnv);
    const next = await socketsOf(sway, user, runtimeDir, fail);
    // The same object: helpers made before the restart reach the new Sway too.
    env.SWAYSOCK = next.swaySocket;
    env.WAYLAND_DISPLAY = next.waylandDisplay;
    await session.run(['swaymsg', '-t', 'get_version']);
  };
  session.swayPid = () => sway.process.pid ?? 0;

  await session.run(['swaymsg', '-t', 'get_version']);
  for (let extra = 1; extra < (options.outputs ?? 1); extra += 1) {
    await session.swaymsg('create_output');
  }
  return session;
}

/**
 * A Sway session that is already running (the user's own, from SWAYSOCK): the demo uses it
 * instead of starting one. Its programs run as the owner of the socket; stop() leaves Sway be.
 */
export function attachSwaySession(swaySocket: string): SwaySession {
  const owner = statSync(swaySocket).uid;
  const name = execFileSync('getent', ['passwd', String(owner)], { encoding: 'utf8' }).split(
    ':',
  )[0];
  const user = lookUpUser(name);
  const runtimeDir = dirname(swaySocket);
  const waylandDisplay =
    process.env.WAYLAND_DISPLAY ??
    findSocket(runtimeDir, /^wayland-\d+$/)?.slice(runtimeDir.length + 1);
  if (waylandDisplay === undefined) throw new Error(`harness: no Wayland socket in ${runtimeDir}`);
  const env: SwaySessionEnv = {
    SWAYSOCK: swaySocket,
    WAYLAND_DISPLAY: waylandDisplay,
    XDG_RUNTIME_DIR: runtimeDir,
  };
  return sessionOf(user, runtimeDir, env, () => Promise.resolve());
}
