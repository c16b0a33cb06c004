import { accessSync, constants, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { delimiter, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { ClientInterface } from 'dbus-next';
import { FrameDecoder, MESSAGE_TYPE, encodeFrame } from '../sway/protocol.js';
import { describeError } from '../util/log.js';

/*
 * `cexbar doctor`: checks, one line each, what cexbar needs on this machine, and says how to fix
 * what is missing. Every check reads the environment it is given (PATH, SWAYSOCK, ...), not the
 * process's own, so that a test can run it against a PATH without wl-copy or an environment
 * without a session bus; the checks themselves are real (sockets answer, files exist).
 */

export interface CheckResult {
  ok: boolean;
  /**
   * Whether the panel runs without this part (a module that would use it is not built yet, or
   * it only adds to the desktop): a failed optional check is a warning, not a failed doctor.
   */
  optional?: boolean;
  /** What was checked, as "Sway", "wl-clipboard". */
  name: string;
  /** What was found, or what is wrong and how to fix it. */
  detail: string;
}

export const HELPER_PATH = '/usr/local/libexec/cexbar/cexbar-lxc-helper';

// Where libgirepository looks for typelibs when GI_TYPELIB_PATH does not say (Debian's layout).
const MULTIARCH: Partial<Record<string, string>> = {
  x64: 'x86_64-linux-gnu',
  arm64: 'aarch64-linux-gnu',
  arm: 'arm-linux-gnueabihf',
};

const NOTIFICATIONS = 'org.freedesktop.Notifications';

/** The config's notifications.mode, which says whether the panel serves them itself. */
export type NotificationsMode = 'auto' | 'off';
const TIMEOUT_MS = 2_000;

function pass(name: string, detail: string): CheckResult {
  return { ok: true, name, detail };
}

function fail(name: string, detail: string): CheckResult {
  return { ok: false, name, detail };
}

/** A part the panel runs without: missing, it is a warning. */
function optional(result: CheckResult): CheckResult {
  return { ...result, optional: true };
}

/** Whether doctor passes with this result: a pass, or a warning about an optional part. */
export function isAcceptable(result: CheckResult): boolean {
  return result.ok || result.optional === true;
}

/** The program's path on the environment's PATH, or null. */
export function findOnPath(program: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not in this folder.
    }
  }
  return null;
}

function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}

/** Sway's version string from a GET_VERSION over the socket; rejects when it does not answer. */
function askSwayVersion(socket: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const connection = createConnection(socket);
    const decoder = new FrameDecoder();
    const timer = setTimeout(() => {
      connection.destroy();
      reject(new Error(`no reply within ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);
    const settle = (error: Error | null, version = ''): void => {
      clearTimeout(timer);
      connection.destroy();
      if (error === null) resolve(version);
      else reject(error);
    };
    connection.on('connect', () => connection.write(encodeFrame(MESSAGE_TYPE.GET_VERSION, '')));
    connection.on('error', (error) => settle(error));
    connection.on('data', (chunk) => {
      try {
        const [frame] = decoder.push(chunk);
        if (frame === undefined) return;
        const reply = JSON.parse(frame.payload) as { human_readable?: unknown };
        const version = reply.human_readable;
        settle(null, typeof version === 'string' ? version : 'of an unknown version');
      } catch (error) {
        settle(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}

async function checkSway(env: NodeJS.ProcessEnv): Promise<CheckResult> {
  const socket = env.SWAYSOCK;
  if (socket === undefined || socket === '') {
    return fail('Sway', 'SWAYSOCK is not set: run this inside the Sway session');
  }
  try {
    return pass('Sway', `Sway ${await askSwayVersion(socket)} answers at ${socket}`);
  } catch (error) {
    return fail(
      'Sway',
      `nothing answers at SWAYSOCK ${socket} (${describeError(error)}): is Sway running, ` +
        'and SWAYSOCK from this session?',
    );
  }
}

/** The folders libgirepository reads typelibs from: GI_TYPELIB_PATH first, then the system's. */
export function typelibDirs(env: NodeJS.ProcessEnv): string[] {
  const fromEnv = (env.GI_TYPELIB_PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  const multiarch = MULTIARCH[process.arch];
  const system = [
    ...(multiarch === undefined ? [] : [`/usr/lib/${multiarch}/girepository-1.0`]),
    '/usr/lib64/girepository-1.0',
    '/usr/lib/girepository-1.0',
    '/usr/local/lib/girepository-1.0',
  ];
  return [...fromEnv, ...system];
}

function checkTypelibs(
  name: string,
  typelibs: string[],
  debianPackage: string,
  env: NodeJS.ProcessEnv,
): CheckResult {
  const dirs = typelibDirs(env);
  const found: string[] = [];
  for (const typelib of typelibs) {
    const dir = dirs.find((candidate) =>
      statSync(join(candidate, `${typelib}.typelib`), { throwIfNoEntry: false })?.isFile(),
    );
    if (dir === undefined) {
      return fail(
        name,
        `${typelib}.typelib is in none of ${dirs.join(', ')}: apt-get install ${debianPackage}`,
      );
    }
    found.push(join(dir, `${typelib}.typelib`));
  }
  return pass(name, found.join(', '));
}

function checkLxc(env: NodeJS.ProcessEnv): CheckResult {
  const path = findOnPath('lxc-ls', env);
  return path === null
    ? fail('LXC', 'lxc-ls is not on PATH: apt-get install lxc')
    : pass('LXC', path);
}

/** Why the helper is not fit for sudo, or null: it must be root's alone. */
function helperProblem(path: string): string | null {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return `${path} is missing`;
  if (!stat.isFile()) return `${path} is not a file`;
  if (stat.uid !== 0) return `${path} is owned by uid ${stat.uid}, not root`;
  if ((stat.mode & 0o022) !== 0) return `${path} is writable by others than root`;
  return null;
}

function checkHelper(env: NodeJS.ProcessEnv, helper: string): CheckResult {
  const name = 'LXC helper';
  const problem = helperProblem(helper);
  if (problem !== null) {
    return fail(name, `${problem}: run scripts/install-helper.sh as root, from cexbar's folder`);
  }
  if (process.getuid?.() === 0) return pass(name, `${helper} (running as root: no sudo needed)`);
  const sudo = findOnPath('sudo', env);
  if (sudo === null) return fail(name, 'sudo is not on PATH: apt-get install sudo');
  // sudo -n -l COMMAND exits 0 (and prints the command) only when the sudoers allow it.
  const listed = spawnSync(sudo, ['-n', '-l', helper], { env, encoding: 'utf8', timeout: 5_000 });
  if (listed.status === 0) return pass(name, `${helper}, allowed by sudo`);
  return fail(
    name,
    `sudo does not allow ${helper} without a password: install runit/sudoers.in as ` +
      '/etc/sudoers.d/cexbar (see README.md)',
  );
}

function checkClipboard(env: NodeJS.ProcessEnv): CheckResult {
  const missing = ['wl-copy', 'wl-paste'].filter((program) => findOnPath(program, env) === null);
  return missing.length === 0
    ? pass('wl-clipboard', 'wl-copy and wl-paste are on PATH')
    : fail('wl-clipboard', `${missing.join(' and ')} not on PATH: apt-get install wl-clipboard`);
}

// The session launcher grants an idmapped container's mapped user its session folder with
// setfacl: without it only sessions of unmapped (privileged) containers start.
function checkAcl(env: NodeJS.ProcessEnv): CheckResult {
  const setfacl = findOnPath('setfacl', env);
  return setfacl === null
    ? fail(
        'acl',
        'setfacl not on PATH: sessions of idmapped containers cannot start: apt-get install acl',
      )
    : pass('acl', setfacl);
}

function checkPipeWire(env: NodeJS.ProcessEnv): CheckResult {
  const tool = findOnPath('pw-dump', env) ?? findOnPath('wpctl', env);
  if (tool === null) {
    return fail('PipeWire', 'neither pw-dump nor wpctl is on PATH: apt-get install pipewire-bin');
  }
  const runtimeDir = env.XDG_RUNTIME_DIR;
  if (runtimeDir === undefined || runtimeDir === '') {
    return fail('PipeWire', 'XDG_RUNTIME_DIR is not set, so there is no PipeWire socket to find');
  }
  const socket = join(runtimeDir, 'pipewire-0');
  if (!isSocket(socket)) {
    return fail('PipeWire', `no socket ${socket}: start pipewire (and wireplumber) in the session`);
  }
  return pass('PipeWire', `${tool}, socket ${socket}`);
}

/** The socket path of a `unix:path=` address, or null for any other kind. */
function busSocketOf(address: string): string | null {
  for (const part of address.split(';')) {
    const match = /^unix:(?:.*,)?path=([^,]+)/.exec(part);
    if (match?.[1] !== undefined) return decodeURIComponent(match[1]);
  }
  return null;
}

function checkSessionBus(env: NodeJS.ProcessEnv): CheckResult {
  const address = env.DBUS_SESSION_BUS_ADDRESS;
  if (address === undefined || address === '') {
    return fail(
      'session bus',
      'DBUS_SESSION_BUS_ADDRESS is not set: start Sway with dbus-run-session (or dbus-launch)',
    );
  }
  const socket = busSocketOf(address);
  if (socket === null)
    return fail('session bus', `${address}: cexbar reaches unix:path= buses only`);
  if (!isSocket(socket))
    return fail('session bus', `no socket ${socket} (from DBUS_SESSION_BUS_ADDRESS)`);
  return pass('session bus', socket);
}

/** The bus daemon's own methods that the check calls. */
interface BusDaemon extends ClientInterface {
  NameHasOwner(name: string): Promise<boolean>;
  ListActivatableNames(): Promise<string[]>;
}

/** Whether the name has an owner on the bus, or can be started by it. */
async function hasNotificationService(address: string): Promise<boolean> {
  const dbus = await import('dbus-next');
  const bus = dbus.sessionBus({ busAddress: address });
  try {
    const call = async (): Promise<boolean> => {
      const object = await bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus');
      const daemon = object.getInterface<BusDaemon>('org.freedesktop.DBus');
      if (await daemon.NameHasOwner(NOTIFICATIONS)) return true;
      return (await daemon.ListActivatableNames()).includes(NOTIFICATIONS);
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no reply within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      // A bus that refuses the connection says so here, not in the call.
      bus.on('error', (error: unknown) => {
        reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
    try {
      return await Promise.race([call(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    bus.disconnect();
  }
}

/**
 * A notification service: one on the bus now, or cexbar's own. With notifications.mode "auto"
 * the panel serves the name itself whenever nothing else does, so a free name is no problem.
 */
async function checkNotifications(
  env: NodeJS.ProcessEnv,
  bus: CheckResult,
  mode: NotificationsMode,
): Promise<CheckResult> {
  const name = 'notifications';
  const address = env.DBUS_SESSION_BUS_ADDRESS;
  if (!bus.ok || address === undefined) return fail(name, 'no session bus to ask (see above)');
  try {
    if (await hasNotificationService(address)) return pass(name, `${NOTIFICATIONS} is on the bus`);
  } catch (error) {
    return fail(name, `the session bus did not answer (${describeError(error)})`);
  }
  if (mode === 'auto') {
    return pass(
      name,
      `nothing owns ${NOTIFICATIONS} now: the panel serves it itself while it runs ` +
        '(notifications.mode "auto")',
    );
  }
  return fail(
    name,
    `nothing owns ${NOTIFICATIONS} on the session bus: run a notification daemon (mako, dunst), ` +
      'or set notifications.mode to "auto" for the panel to serve it',
  );
}

/** Every check, in the order a user would fix them. */
export async function runChecks(
  env: NodeJS.ProcessEnv,
  options: { helper?: string; notificationsMode?: NotificationsMode } = {},
): Promise<CheckResult[]> {
  const bus = checkSessionBus(env);
  return [
    await checkSway(env),
    checkTypelibs('GTK 3', ['Gtk-3.0', 'Gdk-3.0'], 'gir1.2-gtk-3.0', env),
    checkTypelibs('gtk-layer-shell', ['GtkLayerShell-0.1'], 'gir1.2-gtklayershell-0.1', env),
    checkLxc(env),
    checkHelper(env, options.helper ?? HELPER_PATH),
    // Needed only by sessions of idmapped containers: the panel runs without it.
    optional(checkAcl(env)),
    // No cexbar module uses the clipboard or PipeWire yet: the desktop's other parts may.
    optional(checkClipboard(env)),
    optional(checkPipeWire(env)),
    bus,
    await checkNotifications(env, bus, options.notificationsMode ?? 'auto'),
  ];
}

/** "✔ Sway: ...", "⚠ wl-clipboard: ..." (optional, missing) or "✖ LXC: ...". */
export function formatCheck(result: CheckResult): string {
  const mark = result.ok ? '✔' : result.optional === true ? '⚠' : '✖';
  return `${mark} ${result.name}: ${result.detail}`;
}
