import { closeSync, existsSync, fstatSync, openSync, readSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';

/*
 * The one place every LXC call goes through. Nothing in cexbar names an lxc-* program: callers
 * send a verb of cexbar's LXC helper (src/privileged/lxc-helper.ts) with its arguments, and the
 * helper, installed root-owned, checks them and runs the one lxc-* command line of that verb.
 * Through `sudo -n` when the panel is not root; as root (the tests), the same helper directly,
 * so that its checks run either way.
 */

/** Where scripts/install-helper.sh installs the helper; runit/sudoers.in allows exactly it. */
export const LXC_HELPER = '/usr/local/libexec/cexbar/cexbar-lxc-helper';

/** The helper's verbs, each with the lxc-* program it runs (for messages). */
export const LXC_VERBS = {
  list: 'lxc-ls',
  state: 'lxc-info',
  info: 'lxc-info',
  idmap: 'lxc-info',
  start: 'lxc-start',
  stop: 'lxc-stop',
  kill: 'lxc-stop',
  freeze: 'lxc-freeze',
  unfreeze: 'lxc-unfreeze',
  monitor: 'lxc-monitor',
  attach: 'lxc-attach',
  'attach-x': 'lxc-attach',
  // The helper watches the LXC path's folder itself (fs.watch as root): no lxc-* program.
  watch: 'cexbar-lxc-helper',
} as const;

export type LxcVerb = keyof typeof LXC_VERBS;

const SUDO = '/usr/bin/sudo';

// How the helper starts a refusal; it exits with code 2 then, having run nothing.
const HELPER_PREFIX = 'cexbar-lxc-helper: ';
const HELPER_REFUSED = 2;

// The helper gets PATH only (it clears the lxc-* programs' environment again itself): nothing
// of the panel's environment (SWAYSOCK, WAYLAND_DISPLAY...) reaches LXC or a container.
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
  /** The helper's verb, which says the lxc-* program. */
  verb?: LxcVerb;
  /** The helper refused the request (its one-line message is the reason) and ran nothing. */
  refused?: boolean;
  exitCode: number | null;
  signal: string | null;
  stderr: string;
  /** What went wrong in a few words; stderr's first line unless a caller knows better. */
  reason?: string;
  timedOutAfterMs?: number;
  cause?: unknown;
}

/** An LXC call that could not run, that the helper refused, or that ran and failed. */
export class LxcCommandError extends Error {
  readonly argv: readonly string[];
  readonly refused: boolean;
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
    this.refused = details.refused === true;
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.stderr = details.stderr;
    this.reason = reason;
  }

  /** The lxc-* program of the call (lxc-start...), whether or not sudo ran the helper. */
  get program(): string {
    return this.details.verb === undefined ? (this.argv[0] ?? '') : LXC_VERBS[this.details.verb];
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

/** What the bar says when sudo asks for a password: the sudoers line is missing. */
export const SUDOERS_MISSING =
  'container actions need the sudoers line from runit/sudoers.in, installed as ' +
  '/etc/sudoers.d/cexbar: sudo -n asks for a password';

/** What the bar says when the helper is not installed, with the command that installs it. */
export function helperMissingMessage(helper: string = LXC_HELPER): string {
  return (
    `container actions need cexbar's LXC helper, missing at ${helper}: install it as root ` +
    "with scripts/install-helper.sh in cexbar's folder"
  );
}

/**
 * The panel may not run LXC at all: sudo refused the helper without a password, or the helper
 * is not installed. The message is the same whichever call it was, so that it shows and logs
 * once; `argv` says which one.
 */
export class PrivilegeError extends Error {
  constructor(
    readonly argv: readonly string[],
    options: { cause?: unknown; message?: string } = {},
  ) {
    super(options.message ?? SUDOERS_MISSING, { cause: options.cause });
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
  /** The installed helper; LXC_HELPER unless a test says otherwise. */
  helper?: string;
  /** A private tmpfs folder for stderr files; $XDG_RUNTIME_DIR, else /dev/shm. */
  scratchDir?: string;
}

/** Sends verbs to cexbar's LXC helper with a minimal environment, through sudo when not root. */
export class CommandRunner {
  readonly #sudo: boolean;
  readonly #helper: string;
  readonly #scratchDir: string;

  constructor(options: CommandRunnerOptions = {}) {
    this.#sudo = options.sudo ?? process.getuid?.() !== 0;
    this.#helper = options.helper ?? LXC_HELPER;
    this.#scratchDir = options.scratchDir ?? process.env.XDG_RUNTIME_DIR ?? '/dev/shm';
  }

  /** The full argument vector of a call: `sudo -n` (or, as root, node), the helper, the verb. */
  argv(verb: LxcVerb, args: readonly string[]): string[] {
    if (!Object.hasOwn(LXC_VERBS, verb)) {
      throw new Error(
        `command runner: ${JSON.stringify(verb)} is not a verb of the LXC helper; ` +
          `verbs: ${Object.keys(LXC_VERBS).join(', ')}`,
      );
    }
    const prefix = this.#sudo ? [SUDO, '-n'] : [process.execPath];
    return [...prefix, this.#helper, verb, ...args];
  }

  /** Throws the PrivilegeError the bar shows when the helper is not installed. */
  checkInstalled(argv: readonly string[]): void {
    if (!existsSync(this.#helper)) {
      throw new PrivilegeError(argv, { message: helperMissingMessage(this.#helper) });
    }
  }

  /** Runs a verb to its end; rejects with LxcCommandError or PrivilegeError. */
  async run(verb: LxcVerb, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const argv = this.argv(verb, args);
    this.checkInstalled(argv);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const stderrFd = options.stderrToFile === true ? openStderrFile(this.#scratchDir) : null;
    try {
      const ended = await execute(argv, timeoutMs, stderrFd);
      const stderr = stderrFd === null ? ended.stderr : readWhole(stderrFd);
      const failure = this.#failureOf(verb, argv, { ...ended, stderr }, timeoutMs);
      if (failure !== null) throw failure;
      return { stdout: ended.stdout, stderr };
    } finally {
      if (stderrFd !== null) closeSync(stderrFd);
    }
  }

  /** Starts a long-running verb (monitor) and calls onLine for each line it prints. */
  spawnLines(
    verb: LxcVerb,
    args: readonly string[],
    onLine: (line: string) => void,
  ): RunningCommand {
    const argv = this.argv(verb, args);
    if (!existsSync(this.#helper)) {
      const missing = new PrivilegeError(argv, { message: helperMissingMessage(this.#helper) });
      return { argv, exited: Promise.resolve(missing), stop: () => undefined };
    }
    const [file, ...rest] = argv as [string, ...string[]];
    // The helper ends a monitor or a watch when this pipe closes, as when the panel dies.
    const subprocess = execa(file, rest, {
      ...EXECA_OPTIONS,
      stdin: 'pipe',
      buffer: { stdout: false },
    });
    createInterface({ input: subprocess.stdout }).on('line', onLine);
    let stopped = false;
    const exited = new Promise<CommandFailure>((resolve) => {
      // Stopped, it has ended once it exits, even if a child it left holds its output open.
      subprocess.once('exit', () => {
        if (stopped) resolve(null);
      });
      void subprocess.then((result) => {
        resolve(stopped ? null : this.#failureOf(verb, argv, endOf(result), null));
      });
    });
    return {
      argv,
      exited,
      stop: () => {
        stopped = true;
        subprocess.kill('SIGTERM');
      },
    };
  }

  #failureOf(
    verb: LxcVerb,
    argv: readonly string[],
    ended: Ended,
    timeoutMs: number | null,
  ): CommandFailure {
    if (!ended.failed) return null;
    if (this.#sudo && SUDO_REFUSALS.some((pattern) => pattern.test(ended.stderr))) {
      return new PrivilegeError(argv, { cause: ended.error });
    }
    const first = firstLine(ended.stderr);
    // lxc-stop exits with 2 too (not running): only the helper's own prefix says it refused.
    const refused = ended.exitCode === HELPER_REFUSED && first.startsWith(HELPER_PREFIX);
    return new LxcCommandError({
      argv,
      verb,
      ...(refused ? { refused, reason: first } : {}),
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
