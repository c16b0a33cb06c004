import { spawn, execFileSync, type ChildProcess, type SpawnOptions } from 'node:child_process';

/**
 * Sway refuses to run as root and the panel must run as the desktop user, while the tests and the
 * demo run as root. Everything the harness starts for the desktop goes through these helpers.
 */

/** The unprivileged user the test setup and the demo create (scripts/setup.sh). */
export const DESKTOP_USER = process.env.CEXBAR_TEST_USER ?? 'cexbar';

export interface DesktopUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** Looks the user up, with a message that says how to create it when it is missing. */
export function lookUpUser(name: string = DESKTOP_USER): DesktopUser {
  let entry: string;
  try {
    entry = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      `harness: user ${JSON.stringify(name)} does not exist; scripts/setup.sh creates it ` +
        `(useradd --create-home ${name})`,
    );
  }
  const [, , uid, gid, , home] = entry.split(':');
  return { name, uid: Number(uid), gid: Number(gid), home: home ?? '/' };
}

/** The argv that runs `argv` as the user: setpriv when we are root, the program itself otherwise. */
export function argvAsUser(user: DesktopUser, argv: string[]): string[] {
  if (process.getuid?.() !== 0) return argv;
  return [
    'setpriv',
    `--reuid=${user.uid}`,
    `--regid=${user.gid}`,
    '--init-groups',
    '--reset-env',
    '--',
    'env',
    ...argv,
  ];
}

/** A minimal environment for programs of the desktop user, plus the session's variables. */
export function userEnvironment(
  user: DesktopUser,
  extra: Record<string, string>,
): Record<string, string> {
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
    HOME: user.home,
    USER: user.name,
    LOGNAME: user.name,
    LANG: process.env.LANG ?? 'C.UTF-8',
    NO_AT_BRIDGE: '1',
    ...extra,
  };
}

/**
 * Spawns argv as the user. setpriv --reset-env drops our environment, so the wanted variables
 * are passed through `env NAME=value` in front of the program.
 */
export function spawnAsUser(
  user: DesktopUser,
  argv: string[],
  env: Record<string, string>,
  options: SpawnOptions = {},
): ChildProcess {
  const assignments = Object.entries(env).map(([key, value]) => `${key}=${value}`);
  const full = process.getuid?.() === 0 ? argvAsUser(user, [...assignments, ...argv]) : [...argv];
  const [program, ...args] = full;
  if (program === undefined) throw new Error('harness: empty command');
  return spawn(program, args, {
    // The test's own folder may be a checkout under /root, which the user cannot enter.
    cwd: '/',
    ...options,
    env: process.getuid?.() === 0 ? { PATH: env.PATH ?? '/usr/bin:/bin' } : { ...env },
  });
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

/** Runs argv as the user to completion; rejects with its output when it fails. */
export function runAsUser(
  user: DesktopUser,
  argv: string[],
  env: Record<string, string>,
  options: { timeoutMs?: number; input?: string; allowFailure?: boolean } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    // No stdin pipe unless there is input: a program that exits at once (swaymsg exit) would
    // make writing to it fail with EPIPE.
    const stdin = options.input === undefined ? 'ignore' : 'pipe';
    const child = spawnAsUser(user, argv, env, { stdio: [stdin, 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      if (exitCode === 0 || options.allowFailure === true) {
        resolve({ stdout, stderr, exitCode });
        return;
      }
      reject(new Error(`${argv.join(' ')} exited with code ${exitCode}: ${stderr.trim()}`));
    });
    if (options.input !== undefined) {
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(options.input);
    }
  });
}
