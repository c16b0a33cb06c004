import { closeSync, fstatSync, openSync, readSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';

/*
 * The one place every lxc-* program runs. A later privileged helper takes this file's place, so
 * nothing else in cexbar spawns an LXC program: callers name a program of the allowlist and
 * pass an argument vector, never a shell line.
 */

/** The programs the panel may run; runit/sudoers.in allows exactly these through `sudo -n`. */
export const LXC_PROGRAMS = {
  'lxc-ls': '/usr/bin/lxc-ls',
  'lxc-info': '/usr/bin/lxc-info',
  'lxc-start': '/usr/bin/lxc-start',
  'lxc-stop': '/usr/bin/lxc-stop',
  'lxc-attach': '/usr/bin/lxc-attach',
  'lxc-monitor': '/usr/bin/lxc-monitor',
} as const;

export type LxcProgram = keyof typeof LXC_PROGRAMS;

const PROGRAM_PATHS = new Set<string>(Object.values(LXC_PROGRAMS));

const SUDO = '/usr/bin/sudo';

// The programs get PATH only: nothing of the panel's environment (SWAYSOCK, WAYLAND_DISPLAY...)
// reaches LXC or a container through them.
const ENVIRONMENT = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };

const DEFAULT_TIMEOUT_MS = 60_000;

// What sudo -n prints when the sudoers line is missing or does not cover the command.
const SUDO_REFUSALS = [/^sudo: a password is required$/m, /^sudo: a terminal is required/m];

/** A command line as a person would type it, for messages. */
export function formatCommandLine(argv: readonly string[]): string {
  return argv
    .map((arg) => (/^[\w@%+=:,./*-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`))
    .join(' ');
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '') ?? ''
  );
}

export interface LxcCommandErrorDetails {
  argv: readonly string[];
  exitCode: number | null;
  signal: string | null;
  stderr: string;
  /** What went wrong in a few words; stderr's first line unless a caller knows better. */
  reason?: string;
  timedOutAfterMs?: number;
  cause?: unknown;
}

/** An lxc-* program that could not run, or ran and failed. */
export class LxcCommandError extends Error {
  readonly argv: readonly string[];
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderr: string;
  readonly reason: string;

  constructor(readonly details: LxcCommandErrorDetails) {
    const reason = details.reason ?? (firstLine(details.stderr) || 'no error output');
    super(`${formatCommandLine(details.argv)} ${describeEnd(details)}: ${reason}`, {
      cause: details.cause,
    });
    this.name = 'LxcCommandError';
    this.argv = details.argv;
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.stderr = details.stderr;
    this.reason = reason;
  }

  /** The program's name (lxc-start...), whether or not sudo ran it. */
  get program(): string {
    const lxc = this.argv.find((arg) => PROGRAM_PATHS.has(arg));
    return (lxc ?? this.argv[0] ?? '').replace(/^\/usr\/bin\//, '');
  }

  /** The same failure, explained by a better reason than stderr's first line. */
  withReason(reason: string): LxcCommandError {
    return new LxcCommandError({ ...this.details, reason });
  }
}

function describeEnd(details: LxcCommandErrorDetails): string {
  if (details.timedOutAfterMs !== undefined) {
    return `timed out after ${details.timedOutAfterMs} ms`;
  }
  if (details.exitCode !== null) return `failed with exit code ${details.exitCode}`;
  if (details.signal !== null) return `was killed by ${details.signal}`;
  return 'could not run';
}

/**
 * sudo refused to run an lxc-* program without a password: the sudoers line is missing. The
 * message is the same whichever program was refused, so that it shows and logs once; `argv`
 * says which one.
 */
export class PrivilegeError extends Error {
  constructor(
    readonly argv: readonly string[],
    options: { cause?: unknown } = {},
  ) {
    super(
      'container actions need the sudoers line from runit/sudoers.in, installed as ' +
        '/etc/sudoers.d/cexbar: sudo -n asks for a password',
      options,
    );
    this.name = 'PrivilegeError';
  }
}

export interface RunOptions {
  timeoutMs?: number;
  /**
   * Sends stderr to an unlinked temporary file instead of a pipe. lxc-start -d with
   * `-o /dev/stderr` hands its log to the container's monitor process, which keeps it open as
   * long as the container runs: a pipe would never reach its end, and the call never return.
   */
  stderrToFile?: boolean;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

export interface RunningCommand {
  readonly argv: readonly string[];
  /** Settles when the program ends: null when stop() ended it, else why; never rejects. */
  readonly exited: Promise<LxcCommandError | PrivilegeError | null>;
  stop(): void;
}

export interface CommandRunnerOptions {
  /** Run through `sudo -n`; by default whenever the panel does not run as root. */
  sudo?: boolean;
  /** A private tmpfs folder for stderr files; $XDG_RUNTIME_DIR, else /dev/shm. */
  scratchDir?: string;
}

/** Runs allowlisted LXC programs with a minimal environment, through sudo when not root. */
export class CommandRunner {
  readonly #sudo: boolean;
  readonly #scratchDir: string;

  constructor(options: CommandRunnerOptions = {}) {
    this.#sudo = options.sudo ?? process.getuid?.() !== 0;
    this.#scratchDir = options.scratchDir ?? process.env.XDG_RUNTIME_DIR ?? '/dev/shm';
  }

  /** The full argument vector that runs the program: sudo's prefix, the absolute path, args. */
  argv(program: LxcProgram, args: readonly string[]): string[] {
    if (!Object.hasOwn(LXC_PROGRAMS, program)) {
      throw new Error(
        `command runner: ${JSON.stringify(program)} is not an allowed program; ` +
          `allowed: ${Object.keys(LXC_PROGRAMS).join(', ')}`,
      );
    }
    const path = LXC_PROGRAMS[program];
    return this.#sudo ? [SUDO, '-n', path, ...args] : [path, ...args];
  }

  /** Runs a program to its end; rejects with LxcCommandError or PrivilegeError. */
  async run(
    program: LxcProgram,
    args: readonly string[],
    options: RunOptions = {},
  ): Promise<RunResult> {
    const argv = this.argv(program, args);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const stderrFd = options.stderrToFile === true ? openStderrFile(this.#scratchDir) : null;
    try {
      const ended = await execute(argv, timeoutMs, stderrFd);
      const stderr = stderrFd === null ? ended.stderr : readWhole(stderrFd);
      const failure = this.#failureOf(argv, { ...ended, stderr }, timeoutMs);
      if (failure !== null) throw failure;
      return { stdout: ended.stdout, stderr };
    } finally {
      if (stderrFd !== null) closeSync(stderrFd);
    }
  }

  /** Starts a long-running program (lxc-monitor) and calls onLine for each line it prints. */
  spawnLines(
    program: LxcProgram,
    args: readonly string[],
    onLine: (line: string) => void,
  ): RunningCommand {
    const argv = this.argv(program, args);
    const [file, ...rest] = argv as [string, ...string[]];
    const subprocess = execa(file, rest, { ...EXECA_OPTIONS, buffer: { stdout: false } });
    createInterface({ input: subprocess.stdout }).on('line', onLine);
    let stopped = false;
    const exited = subprocess.then((result) =>
      stopped ? null : this.#failureOf(argv, endOf(result), null),
    );
    return {
      argv,
      exited,
      stop: () => {
        stopped = true;
        subprocess.kill('SIGTERM');
      },
    };
  }

  #failureOf(argv: readonly string[], ended: Ended, timeoutMs: number | null): CommandFailure {
    if (!ended.failed) return null;
    if (this.#sudo && SUDO_REFUSALS.some((pattern) => pattern.test(ended.stderr))) {
      return new PrivilegeError(argv, { cause: ended.error });
    }
    return new LxcCommandError({
      argv,
      exitCode: ended.exitCode,
      signal: ended.signal,
      stderr: ended.stderr,
      ...(ended.timedOut && timeoutMs !== null ? { timedOutAfterMs: timeoutMs } : {}),
      // A program that never ran (no such file) has no stderr, only the spawn error.
      ...(ended.exitCode === null && ended.signal === null ? { reason: ended.message } : {}),
      cause: ended.error,
    });
  }
}

type CommandFailure = LxcCommandError | PrivilegeError | null;

const EXECA_OPTIONS = {
  // The panel may have been started from a folder that root's programs need not see, or one
  // the desktop user cannot enter (spawning there fails with EACCES).
  cwd: '/',
  extendEnv: false,
  env: ENVIRONMENT,
  stdin: 'ignore',
  encoding: 'utf8',
  stripFinalNewline: true,
  reject: false,
} as const;

/** How a program ended, in the few fields the runner needs from execa's result. */
interface Ended {
  failed: boolean;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  message: string;
  error: unknown;
}

function endOf(result: {
  failed: boolean;
  exitCode?: number | undefined;
  signal?: string | undefined;
  timedOut: boolean;
  stdout: unknown;
  stderr: unknown;
}): Ended {
  const error = result instanceof Error ? result : undefined;
  return {
    failed: result.failed,
    exitCode: result.exitCode ?? null,
    signal: result.signal ?? null,
    timedOut: result.timedOut,
    stdout: typeof result.stdout === 'string' ? result.stdout : '',
    stderr: typeof result.stderr === 'string' ? result.stderr : '',
    message: error === undefined ? '' : describeExecaError(error),
    error,
  };
}

function describeExecaError(error: Error): string {
  const original = (error as { originalMessage?: unknown }).originalMessage;
  return typeof original === 'string' && original !== '' ? original : error.message;
}

async function execute(
  argv: readonly string[],
  timeoutMs: number,
  stderrFd: number | null,
): Promise<Ended> {
  const [file, ...rest] = argv as [string, ...string[]];
  // execa hands any descriptor number to spawn as it is, though its types list only 1 to 9.
  // A descriptor, not a `{ file }` target: execa would pipe that, and /dev/stderr must be the
  // file itself for lxc-start to reopen it.
  const stderr = stderrFd === null ? 'pipe' : (stderrFd as 3);
  return endOf(await execa(file, rest, { ...EXECA_OPTIONS, timeout: timeoutMs, stderr }));
}

/**
 * Opens a private file for a program's stderr (mode 0600, append, so that lxc-start's reopened
 * /dev/stderr appends too) and unlinks it at once: the program writes through the descriptor
 * and nothing stays in the file system. The folder is a tmpfs: LXC's log names the container.
 */
function openStderrFile(dir: string): number {
  const path = join(dir, `.cexbar-stderr-${process.pid}-${randomBytes(6).toString('hex')}`);
  const fd = openSync(path, 'ax+', 0o600);
  unlinkSync(path);
  return fd;
}

/** Everything written to the file so far, read from its start whatever the offset. */
function readWhole(fd: number): string {
  const size = fstatSync(fd).size;
  const buffer = Buffer.alloc(size);
  let done = 0;
  while (done < size) {
    const read = readSync(fd, buffer, done, size - done, done);
    if (read === 0) break;
    done += read;
  }
  return buffer.subarray(0, done).toString('utf8');
}
