#!/usr/bin/node
/*
 * cexbar-lxc-helper: the one program the desktop user may run as root (through `sudo -n`). It
 * takes a verb, an LXC path and a container name, checks all three, and runs the one lxc-*
 * command line that verb stands for, with fixed options, an argument vector and PATH alone.
 *
 *   cexbar-lxc-helper VERB LXC_PATH [NAME] [SECONDS | DISPLAY] [UID:GID] [-- COMMAND...]
 *
 * One verb, watch, runs no lxc-* program: the helper watches the LXC path's folder itself.
 *
 * Root runs this file from a root-owned copy (scripts/install-helper.sh), so it loads nothing
 * but Node's builtins: no project code, no node_modules, nothing the user could rewrite. A
 * refusal prints one line, "cexbar-lxc-helper: ...", exits with code 2 and runs nothing.
 */
import { spawn } from 'node:child_process';
import { lstatSync, readFileSync, watch, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, normalize } from 'node:path';

const SELF = 'cexbar-lxc-helper';
const REFUSED = 2;

/** Root-owned; one LXC path a line, or `PARENT/*` for every folder directly in PARENT. */
const ALLOWLIST = '/etc/cexbar/lxc-paths';
const DEFAULT_LXC_PATH = '/var/lib/lxc';

// The same rule as src/containers/names.ts, repeated here: this file imports no project code.
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const NAME_RULE =
  'a name starts with a letter or digit and holds only letters, digits, "_", "." and "-" ' +
  '(at most 64), never ".."';

// The one variable a Cage session's program gets: its own compositor's socket, bind-mounted.
const SESSION_DISPLAY = 'WAYLAND_DISPLAY=/run/cexbar-session/wayland-0';
// stop's optional SECONDS: a plain decimal from 1 to 3600 (lxc-stop -t reads it with atoi).
const STOP_TIMEOUT_SECONDS = '30';
const SECONDS_PATTERN = /^[1-9][0-9]{0,3}$/;
const MAX_STOP_SECONDS = 3600;
// attach-x's DISPLAY: the number N of an Xwayland session's socket X<N>, in the container's
// /tmp/.X11-unix (a bind mount of that container's session folder). A plain decimal, 0 to 999.
const DISPLAY_PATTERN = /^(0|[1-9][0-9]{0,2})$/;
const ENVIRONMENT = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
// attach's optional UID:GID: the container's user (ids inside the container) the program runs
// as, through lxc-attach --uid/--gid. Plain decimals, 0 to 4294967294 (lxc-attach reads -1,
// that is 4294967295, as "keep the default").
const USER_PATTERN = /^(0|[1-9][0-9]{0,9}):(0|[1-9][0-9]{0,9})$/;
const MAX_ID = 4294967294;

interface Verb {
  program: string;
  /** Whether the verb acts on one container (NAME), or on the whole LXC path. */
  container: boolean;
  /** Whether `[UID:GID] -- COMMAND...` follows the name (attach). */
  command?: boolean;
  /** Whether an optional SECONDS may follow the name (stop). */
  seconds?: boolean;
  /** Whether a DISPLAY number must follow the name (attach-x). */
  display?: boolean;
  /**
   * Whether the program runs until the caller goes away (monitor): it is ended when our
   * standard input closes, as it does when the caller exits, even by SIGKILL. Otherwise a
   * killed panel leaves a root lxc-monitor behind for good.
   */
  whileCallerLives?: boolean;
  /** Whether the helper itself does the work (watch): program and args are then unused. */
  builtin?: boolean;
  args(
    path: string,
    name: string,
    command: readonly string[],
    extra: string,
    user: AttachUser | null,
  ): string[];
}

/** Which container user an attach runs as: its root (the default), or UID:GID. */
interface AttachUser {
  uid: string;
  gid: string;
}

/** lxc-attach with a clean environment but for the one session variable. */
function attachArgs(
  path: string,
  name: string,
  variable: string,
  command: readonly string[],
  user: AttachUser | null = null,
): string[] {
  const as = user === null ? [] : ['--uid', user.uid, '--gid', user.gid];
  return ['-P', path, '-n', name, '--clear-env', '--set-var', variable, ...as, '--', ...command];
}

const VERBS: Record<string, Verb> = {
  list: {
    program: 'lxc-ls',
    container: false,
    args: (path) => ['-P', path, '--fancy', '-F', 'NAME,STATE,IPV4'],
  },
  state: { program: 'lxc-info', container: true, args: (p, n) => ['-P', p, '-n', n, '-s', '-H'] },
  // Everything lxc-info knows (addresses, memory, the init's PID), raw numbers (-H).
  info: { program: 'lxc-info', container: true, args: (p, n) => ['-P', p, '-n', n, '-H'] },
  // The container's id maps: the panel grants its mapped ids access to its session folder,
  // whose config the desktop user cannot read.
  idmap: {
    program: 'lxc-info',
    container: true,
    args: (p, n) => ['-P', p, '-n', n, '-c', 'lxc.idmap'],
  },
  // LXC's reason for a failed start is only in its log: -o /dev/stderr brings it to the caller.
  start: {
    program: 'lxc-start',
    container: true,
    args: (p, n) => ['-P', p, '-n', n, '-d', '-o', '/dev/stderr', '-l', 'ERROR'],
  },
  // --nokill: a container that does not halt in time stays running and lxc-stop exits 1, so
  // that the panel can say so and offer kill, rather than lxc-stop killing it unasked.
  stop: {
    program: 'lxc-stop',
    container: true,
    seconds: true,
    args: (p, n, _command, seconds) => ['-P', p, '-n', n, '-t', seconds, '--nokill'],
  },
  kill: { program: 'lxc-stop', container: true, args: (p, n) => ['-P', p, '-n', n, '-k'] },
  freeze: { program: 'lxc-freeze', container: true, args: (p, n) => ['-P', p, '-n', n] },
  unfreeze: { program: 'lxc-unfreeze', container: true, args: (p, n) => ['-P', p, '-n', n] },
  monitor: {
    program: 'lxc-monitor',
    container: false,
    whileCallerLives: true,
    args: (p) => ['-P', p, '-n', '.*'],
  },
  attach: {
    program: 'lxc-attach',
    container: true,
    command: true,
    args: (p, n, command, _extra, user) => attachArgs(p, n, SESSION_DISPLAY, command, user),
  },
  // An Xwayland session's program: DISPLAY=:N, and no other variable (no WAYLAND_DISPLAY).
  'attach-x': {
    program: 'lxc-attach',
    container: true,
    command: true,
    display: true,
    args: (p, n, command, display, user) => attachArgs(p, n, `DISPLAY=:${display}`, command, user),
  },
  // The path's entries as they come and go (lxc-create, lxc-destroy): the desktop user may not
  // watch LXCex's /var/lib/lxc (mode 751) itself. Prints bare lines, never an entry's name.
  watch: {
    program: SELF,
    container: false,
    whileCallerLives: true,
    builtin: true,
    args: () => [],
  },
};

class Refusal extends Error {}

function refuse(message: string): never {
  throw new Refusal(message);
}

function usageOf(verb: string, spec: Verb): string {
  const name = spec.container ? ' NAME' : '';
  const seconds = spec.seconds === true ? ' [SECONDS]' : '';
  const display = spec.display === true ? ' DISPLAY' : '';
  const command = spec.command === true ? ' [UID:GID] -- COMMAND...' : '';
  return `usage: ${SELF} ${verb} LXC_PATH${name}${seconds}${display}${command}`;
}

interface Request {
  spec: Verb;
  path: string;
  name: string;
  command: string[];
  /** stop's SECONDS, or attach-x's DISPLAY. */
  extra: string;
  /** attach's UID:GID, or null: the container's root. */
  user: AttachUser | null;
}

/** The checked request, or a Refusal naming what is wrong. */
function parseRequest(argv: readonly string[]): Request {
  const [verb = '', path = '', ...rest] = argv;
  if (!Object.hasOwn(VERBS, verb)) {
    refuse(`unknown verb ${JSON.stringify(verb)}; verbs: ${Object.keys(VERBS).join(', ')}`);
  }
  const spec = VERBS[verb] as Verb;
  const name = spec.container ? (rest[0] ?? '') : '';
  let tail = rest.slice(spec.container ? 1 : 0);
  let extra = STOP_TIMEOUT_SECONDS;
  if (spec.seconds === true && tail.length === 1) {
    extra = checkSeconds(tail[0] ?? '');
    tail = [];
  }
  if (spec.display === true) {
    extra = tail[0] ?? '';
    tail = tail.slice(1);
  }
  let user: AttachUser | null = null;
  // UID:GID only right before "--": anything else there is a usage error, said as such.
  if (spec.command === true && tail[0] !== undefined && tail[0] !== '--' && tail[1] === '--') {
    user = checkUser(tail[0]);
    tail = tail.slice(1);
  }
  const fits = spec.command === true ? tail[0] === '--' && tail.length > 1 : tail.length === 0;
  if (argv.length < (spec.container ? 3 : 2) || !fits) {
    refuse(`${usageOf(verb, spec)} (received ${argv.length - 1} arguments after the verb)`);
  }
  if (spec.display === true) checkDisplay(extra);
  checkLxcPath(path);
  if (spec.container) checkContainer(path, name);
  const command = spec.command === true ? tail.slice(1) : [];
  return { spec, path, name, command, extra, user };
}

/** A container user as UID:GID: two plain decimals, no sign, no leading zero, no names. */
function checkUser(value: string): AttachUser {
  const match = USER_PATTERN.exec(value);
  const [, uid = '', gid = ''] = match ?? [];
  if (match === null || Number(uid) > MAX_ID || Number(gid) > MAX_ID) {
    refuse(
      `invalid user ${JSON.stringify(value)}: UID:GID, two numbers from 0 to ${MAX_ID}, as "1000:1000"`,
    );
  }
  return { uid, gid };
}

/** An X display number: digits only, no sign, no leading zero, no ":" or screen, 0 to 999. */
function checkDisplay(value: string): void {
  if (!DISPLAY_PATTERN.test(value)) {
    refuse(`invalid display ${JSON.stringify(value)}: a display number from 0 to 999, as "12"`);
  }
}

/** A stop timeout: digits only, no sign, no leading zero, 1 to MAX_STOP_SECONDS. */
function checkSeconds(value: string): string {
  if (!SECONDS_PATTERN.test(value) || Number(value) > MAX_STOP_SECONDS) {
    refuse(
      `invalid stop timeout ${JSON.stringify(value)}: whole seconds from 1 to ${MAX_STOP_SECONDS}`,
    );
  }
  return value;
}

function statOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/** Root owns it and nobody else may write it (group root may: only root's group is in it). */
function isRootOnly(stats: Stats): boolean {
  const groupWrite = (stats.mode & 0o020) !== 0 && stats.gid !== 0;
  return stats.uid === 0 && !groupWrite && (stats.mode & 0o002) === 0;
}

/** The allowlist's entries; refuses a file that someone other than root could have written. */
function readAllowlist(): string[] {
  const stats = statOrNull(ALLOWLIST);
  if (stats === null) return [];
  const folder = statOrNull(dirname(ALLOWLIST));
  if (!stats.isFile() || !isRootOnly(stats) || folder === null || !isRootOnly(folder)) {
    refuse(`${ALLOWLIST} must be a file owned by root and writable by no one else: not reading it`);
  }
  return readFileSync(ALLOWLIST, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

function isAllowlisted(path: string): boolean {
  if (path === DEFAULT_LXC_PATH) return true;
  return readAllowlist().some((entry) =>
    entry.endsWith('/*') ? dirname(path) === entry.slice(0, -2) : path === entry,
  );
}

/**
 * An LXC path names where container configs (and so their root-run hooks) come from: only an
 * allowlisted folder that root alone can change, on a chain of folders only root can change
 * (a sticky folder such as /tmp is fine: nobody else may rename what root made in it).
 */
function checkLxcPath(path: string): void {
  if (!isAbsolute(path) || normalize(path) !== path || path.endsWith('/') || path.includes('\n')) {
    refuse(`LXC path ${JSON.stringify(path)} must be absolute, without "..", "//" or a final "/"`);
  }
  if (!isAllowlisted(path)) {
    refuse(`LXC path ${path} is not allowed: add it to ${ALLOWLIST} (root-owned, one path a line)`);
  }
  const stats = statOrNull(path);
  if (stats === null || !stats.isDirectory() || !isRootOnly(stats)) {
    refuse(`LXC path ${path} must be a folder owned by root and writable by no one else`);
  }
  for (let folder = dirname(path); ; folder = dirname(folder)) {
    const above = statOrNull(folder);
    const sticky = above !== null && (above.mode & 0o1000) !== 0 && above.uid === 0;
    if (above === null || !above.isDirectory() || !(isRootOnly(above) || sticky)) {
      refuse(`LXC path ${path} is inside ${folder}, not a folder that only root can change`);
    }
    if (folder === '/') return;
  }
}

/** A valid name of a container that exists under the path: a root-only folder with a config. */
function checkContainer(path: string, name: string): void {
  if (!NAME_PATTERN.test(name) || name.includes('..')) {
    refuse(`invalid container name ${JSON.stringify(name)}: ${NAME_RULE}`);
  }
  const folder = statOrNull(join(path, name));
  const config = statOrNull(join(path, name, 'config'));
  if (folder === null || config === null) {
    refuse(`container ${name} doesn't exist under ${path} (no ${join(path, name, 'config')})`);
  }
  if (!folder.isDirectory() || !config.isFile() || !isRootOnly(folder) || !isRootOnly(config)) {
    refuse(`container ${name} under ${path}: its folder and config must be root's alone`);
  }
}

/** Runs the program in our place: its exit status is ours, our signals are passed on to it. */
function runProgram(program: string, args: readonly string[], whileCallerLives = false): void {
  const file = `/usr/bin/${program}`;
  const child = spawn(file, args, {
    stdio: [whileCallerLives ? 'ignore' : 'inherit', 'inherit', 'inherit'],
    env: ENVIRONMENT,
    cwd: '/',
  });
  // A program that outlives our own end keeps the caller's pipes open (its read never ends):
  // one that does not end within 2 s of a signal is killed.
  const end = (signal: NodeJS.Signals): void => {
    child.kill(signal);
    setTimeout(() => child.kill('SIGKILL'), 2_000).unref();
  };
  if (whileCallerLives) {
    // Nothing is read from the caller: only the end of its input matters.
    process.stdin.on('data', () => undefined);
    process.stdin.on('close', () => end('SIGTERM'));
  }
  const forward = (signal: NodeJS.Signals): void => {
    end(signal);
  };
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
  for (const signal of signals) process.on(signal, forward);
  child.on('error', (error) => {
    process.stderr.write(`${SELF}: cannot run ${file}: ${error.message}\n`);
    process.exit(127);
  });
  child.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1);
    for (const each of signals) process.off(each, forward);
    process.kill(process.pid, signal);
  });
}

// watch's lines: "watching" once the watch is set, "changed" after a burst of changes (one
// line for all that came within WATCH_COALESCE_MS), "gone" before exiting when the folder is.
const WATCH_COALESCE_MS = 200;
const WATCH_FAILED = 1;

/**
 * Watches the LXC path's folder until the caller's standard input closes. The folder removed,
 * renamed or unmounted (another folder, or none, at the path): says "gone" and exits with 1, so
 * that the caller can say so and try again later; nothing here retries or polls.
 */
function watchFolder(path: string): void {
  const first = lstatSync(path);
  let pending: NodeJS.Timeout | null = null;
  function fail(why: string): never {
    process.stdout.write('gone\n');
    process.stderr.write(`${SELF}: stopped watching ${path}: ${why}\n`);
    process.exit(WATCH_FAILED);
  }
  const check = (): void => {
    pending = null;
    const now = statOrNull(path);
    if (now === null || !now.isDirectory()) fail('it is gone');
    if (now.dev !== first.dev || now.ino !== first.ino) fail('another folder is there now');
    process.stdout.write('changed\n');
  };
  const watcher = watch(path, { persistent: true }, () => {
    pending ??= setTimeout(check, WATCH_COALESCE_MS);
  });
  watcher.on('error', (error) => fail(error.message));
  process.stdin.on('data', () => undefined);
  process.stdin.on('close', () => process.exit(0));
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(signal, () => process.exit(0));
  }
  process.stdout.write('watching\n');
}

function main(argv: readonly string[]): void {
  try {
    if (process.getuid?.() !== 0) refuse('must run as root, through sudo -n');
    const { spec, path, name, command, extra, user } = parseRequest(argv);
    if (spec.builtin === true) {
      watchFolder(path);
      return;
    }
    runProgram(spec.program, spec.args(path, name, command, extra, user), spec.whileCallerLives);
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    process.stderr.write(`${SELF}: ${error.message}\n`);
    process.exitCode = REFUSED;
  }
}

main(process.argv.slice(2));
