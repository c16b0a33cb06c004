import { readFileSync } from 'node:fs';
import { log } from '../util/log.js';
import {
  CommandRunner,
  LxcCommandError,
  type PrivilegeError,
  type RunningCommand,
} from './command-runner.js';
import {
  parseFancyList,
  parseIdmap,
  parseInfo,
  parseInfoState,
  parseLxcStartReason,
  parseMonitorLine,
  type IdmapEntry,
  type LxcInfo,
  type LxcListEntry,
  type LxcMonitorEvent,
} from './lxc-parsers.js';
import { checkContainerName } from './names.js';

/*
 * The LXC operations the panel needs, each one verb of cexbar's LXC helper through the command
 * runner. Every call names the LXC path and the container, each its own argument; names are
 * checked here first, and the helper checks both again (it trusts nothing from the panel).
 */

// lxc-start -d returns only once the container is RUNNING or has failed (LXC waits for it), so
// its exit status is the answer; one lxc-info confirms it, polled briefly in case the state is
// still settling, with a bound so that a click never hangs.
const CONFIRM_TIMEOUT_MS = 3_000;
const CONFIRM_INTERVAL_MS = 100;

/** A container that lxc-start left in another state than RUNNING. */
export class ContainerStateError extends Error {
  constructor(name: string, wanted: string, received: string, withinMs: number) {
    super(`${name} did not reach ${wanted} within ${withinMs} ms (state: ${received})`);
    this.name = 'ContainerStateError';
  }
}

/** A graceful stop that the container's init did not finish in time: it still runs. */
export class StopTimeoutError extends Error {
  constructor(
    readonly container: string,
    readonly seconds: number,
  ) {
    super(`${container} did not stop within ${seconds} s (its init ignored the halt signal)`);
    this.name = 'StopTimeoutError';
  }
}

export interface StopOptions {
  /** Kill the container (lxc-stop -k) instead of asking its init to halt. */
  kill?: boolean;
  /** How long a graceful stop waits for the init to halt; the helper's default is 30. */
  timeoutSeconds?: number;
}

/** A user inside the container, by its ids there (not the host's). */
export interface ContainerUser {
  uid: number;
  gid: number;
}

/** lxc-info's details, with the uptime of the container's init when it runs. */
export interface ContainerDetails extends LxcInfo {
  uptimeSeconds: number | null;
}

// Linux reports process start times in clock ticks of USER_HZ, 100 on every architecture.
const CLOCK_TICKS_PER_SECOND = 100;

export class LxcBackend {
  readonly lxcPath: string;
  readonly #runner: CommandRunner;

  constructor(lxcPath: string, runner: CommandRunner = new CommandRunner()) {
    if (!lxcPath.startsWith('/') || /[\0\n]/.test(lxcPath)) {
      throw new Error(
        `LXC path must be an absolute path without newlines, received ${JSON.stringify(lxcPath)}`,
      );
    }
    this.lxcPath = lxcPath;
    this.#runner = runner;
  }

  /** Every container under the LXC path, with its state and IPv4 addresses. */
  async list(): Promise<LxcListEntry[]> {
    // The helper's `list` asks lxc-ls for LIST_COLUMNS, the columns parseFancyList reads.
    const { stdout } = await this.#runner.run('list', [this.lxcPath]);
    return parseFancyList(stdout);
  }

  /** The container's state as lxc-info says it, or MISSING when there is no such container. */
  async state(name: string): Promise<string> {
    try {
      const { stdout } = await this.#runner.run('state', this.#target(name));
      return parseInfoState(stdout);
    } catch (error) {
      // The helper refuses a name without a container folder, in words like lxc-info's own.
      if (error instanceof LxcCommandError && /doesn't exist/.test(error.stderr)) return 'MISSING';
      throw error;
    }
  }

  /** Starts the container in the background; resolves once lxc-info says RUNNING. */
  async start(name: string): Promise<void> {
    // The helper's start sends LXC's log to stderr (-o /dev/stderr): the failure's reason is there.
    try {
      await this.#runner.run('start', this.#target(name), { stderrToFile: true });
    } catch (error) {
      throw error instanceof LxcCommandError ? explainStartFailure(error) : error;
    }
    await this.#confirmState(name, 'RUNNING');
  }

  /**
   * Stops the container; a container that is not running is left as it is. A graceful stop
   * that times out rejects with StopTimeoutError and leaves the container running.
   */
  async stop(name: string, options: StopOptions = {}): Promise<void> {
    const kill = options.kill === true;
    const seconds = kill ? undefined : options.timeoutSeconds;
    const args = [...this.#target(name), ...(seconds === undefined ? [] : [String(seconds)])];
    try {
      // The runner's own timeout must outlast lxc-stop's.
      const timeoutMs = ((seconds ?? 30) + 10) * 1000;
      await this.#runner.run(kill ? 'kill' : 'stop', args, { timeoutMs });
    } catch (error) {
      if (error instanceof LxcCommandError && /is not running/.test(error.stderr)) return;
      // lxc-stop --nokill says nothing when the time is up: exit code 1 and an empty stderr.
      if (!kill && error instanceof LxcCommandError && error.exitCode === 1) {
        if ((await this.state(name)) !== 'STOPPED') throw new StopTimeoutError(name, seconds ?? 30);
        return;
      }
      throw error;
    }
  }

  /** lxc-info's details of the container, and how long its init has run. */
  async info(name: string): Promise<ContainerDetails> {
    const { stdout } = await this.#runner.run('info', this.#target(name));
    const info = parseInfo(stdout);
    return { ...info, uptimeSeconds: info.pid === null ? null : uptimeOf(info.pid) };
  }

  /** The container's id maps (lxc.idmap); none for a privileged container. */
  async idmaps(name: string): Promise<IdmapEntry[]> {
    const { stdout } = await this.#runner.run('idmap', this.#target(name));
    return parseIdmap(stdout);
  }

  /** Freezes every process of a running container (lxc-freeze). */
  async freeze(name: string): Promise<void> {
    await this.#runner.run('freeze', this.#target(name));
  }

  /** Thaws a frozen container (lxc-unfreeze). */
  async unfreeze(name: string): Promise<void> {
    await this.#runner.run('unfreeze', this.#target(name));
  }

  /**
   * Follows every container's state changes through one lxc-monitor process. Returns what stops
   * it; onExit hears when it ended on its own (with why), never after stop().
   */
  monitor(
    onEvent: (event: LxcMonitorEvent) => void,
    onExit: (reason: LxcCommandError | PrivilegeError | null) => void = () => undefined,
  ): () => void {
    return this.#follow('monitor', onExit, (line) => {
      const event = parseMonitorLine(line);
      if (event !== null) onEvent(event);
    });
  }

  /**
   * Follows the LXC path's folder through the helper's watch, as root: for a path the desktop
   * user may not watch (LXCex's /var/lib/lxc, mode 751). onLine hears "watching", "changed" and
   * "gone"; onExit hears when it ended on its own (with why), never after stop().
   */
  watchPath(
    onLine: (line: string) => void,
    onExit: (reason: LxcCommandError | PrivilegeError | null) => void,
  ): () => void {
    return this.#follow('watch', onExit, onLine);
  }

  /** Runs a long-running verb on the LXC path; onExit hears its own end, never after stop. */
  #follow(
    verb: 'monitor' | 'watch',
    onExit: (reason: LxcCommandError | PrivilegeError | null) => void,
    onLine: (line: string) => void,
  ): () => void {
    const running: RunningCommand = this.#runner.spawnLines(verb, [this.lxcPath], onLine);
    let stopped = false;
    void running.exited.then((reason) => {
      if (!stopped) onExit(reason);
    });
    return () => {
      stopped = true;
      running.stop();
    };
  }

  /**
   * The argument vector that runs `command` inside the container with a clean environment, but
   * for WAYLAND_DISPLAY=/run/cexbar-session/wayland-0 (the helper sets exactly that): for a
   * nested compositor that starts the container's program itself (cage).
   */
  attachArgv(name: string, command: readonly string[], user?: ContainerUser): string[] {
    const args = [...this.#target(name), ...userArgs(user), '--', ...command];
    const argv = this.#runner.argv('attach', args);
    this.#runner.checkInstalled(argv);
    return argv;
  }

  /**
   * The same for an Xwayland session's program: the helper's attach-x sets DISPLAY=:N and no
   * other variable, N being the session's display number (its socket X<N>).
   */
  attachXArgv(
    name: string,
    display: number,
    command: readonly string[],
    user?: ContainerUser,
  ): string[] {
    const args = [...this.#target(name), String(display), ...userArgs(user), '--', ...command];
    const argv = this.#runner.argv('attach-x', args);
    this.#runner.checkInstalled(argv);
    return argv;
  }

  #target(name: string): string[] {
    return [this.lxcPath, checkContainerName(name)];
  }

  async #confirmState(name: string, wanted: string): Promise<void> {
    const deadline = Date.now() + CONFIRM_TIMEOUT_MS;
    for (;;) {
      const state = await this.state(name);
      if (state === wanted) return;
      if (Date.now() >= deadline) {
        throw new ContainerStateError(name, wanted, state, CONFIRM_TIMEOUT_MS);
      }
      log.debug('containers', `${name}: ${state} after lxc-start, waiting for ${wanted}`);
      await new Promise((resolve) => setTimeout(resolve, CONFIRM_INTERVAL_MS));
    }
  }
}

/** The helper's UID:GID before "--": the program runs as that user of the container. */
function userArgs(user: ContainerUser | undefined): string[] {
  return user === undefined ? [] : [`${user.uid}:${user.gid}`];
}

function explainStartFailure(error: LxcCommandError): LxcCommandError {
  const reason = parseLxcStartReason(error.stderr);
  return reason === null ? error : error.withReason(reason);
}

/** Seconds since the process started, from /proc (readable by any user); null if gone. */
function uptimeOf(pid: number): number | null {
  try {
    // The command name (field 2) may hold spaces and parentheses: count from its last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const startTicks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const sinceBoot = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    if (!Number.isFinite(startTicks) || !Number.isFinite(sinceBoot)) return null;
    return Math.max(0, Math.round(sinceBoot - startTicks / CLOCK_TICKS_PER_SECOND));
  } catch {
    return null;
  }
}
