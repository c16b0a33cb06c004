import { spawn } from 'node:child_process';
import type { Config } from '../config/schema.js';
import type { SwayViewState } from '../sway/client.js';
import { describeError, log } from '../util/log.js';
import { Observable, type Unsubscribe } from '../util/observable.js';
import { CommandRunner, LxcCommandError, PrivilegeError } from './command-runner.js';
import {
  availableActions,
  type ContainerAction,
  type ContainerState,
  type ContainersState,
  type ContainerTask,
  type SessionState,
} from './container-state.js';
import {
  LxcBackend,
  StopTimeoutError,
  type ContainerDetails,
  type ContainerUser,
} from './lxc-backend.js';
import { LxcPathWatcher } from './lxc-path-watcher.js';
import { hostIdOf, type IdmapEntry, type LxcListEntry } from './lxc-parsers.js';
import {
  SessionLauncher,
  isProcessAlive,
  type GraphicalSession,
  type LaunchedSession,
  type SessionSpawner,
} from './session-launcher.js';
import { allWindows, type OwnedWindow, type WindowOwnersState } from './window-owners.js';

/*
 * The containers the bar shows and what a click on one does. One listing (lxc-ls) gives every
 * state; one lxc-monitor process says when to list again, so nothing polls. Sessions are
 * matched to Sway windows by the compositor's PID.
 */

/** The windows the service finds sessions among and focuses: a SwayClient in the panel. */
export interface WindowSource {
  readonly state: { views: readonly SwayViewState[] };
  subscribe(listener: (state: { views: readonly SwayViewState[] }) => void): Unsubscribe;
  focusView(conId: number): Promise<void>;
}

/** Every window with its owner: the panel's WindowOwners, which is built on this service. */
export interface OwnedWindowSource {
  readonly state: WindowOwnersState;
  subscribe(listener: (state: WindowOwnersState) => void): Unsubscribe;
}

export interface ContainerServiceOptions {
  lxcPath: string;
  containers: Config['containers'];
  /** The desktop user's XDG_RUNTIME_DIR, a tmpfs: session folders go there. */
  runtimeDir: string;
  /** The absolute path of the host Sway's Wayland socket, for the nested compositors. */
  hostWaylandDisplay: string;
  windows: WindowSource;
  runner?: CommandRunner;
  /** How sessions are spawned; detached from the panel by default. */
  spawnSession?: SessionSpawner;
  /** Owner of the session folders, when the service runs as root for a desktop user (tests). */
  sessionOwner?: { uid: number; gid: number };
  /** How a terminal command starts; detached from the panel by default. */
  spawnTerminal?: (argv: readonly string[]) => void;
}

/** The task an action shows while it runs. */
const TASKS: Partial<Record<ContainerAction, ContainerTask>> = {
  start: 'starting',
  stop: 'stopping',
  kill: 'killing',
  freeze: 'freezing',
  unfreeze: 'unfreezing',
  restart: 'restarting',
};

// A compositor that shows no window in this time is reported; it may still show one later.
const WINDOW_TIMEOUT_MS = 15_000;
// After lxc-monitor ends on its own, wait this long before the next one, doubling to the cap.
const MONITOR_RETRY_MS = 2_000;
const MONITOR_RETRY_CAP_MS = 60_000;

// The states a click can act on: a RUNNING container opens its session, a STOPPED one starts.
const STARTABLE = new Set(['STOPPED', 'UNKNOWN']);

export class ContainerService extends Observable<ContainersState> {
  readonly #config: Config['containers'];
  readonly #backend: LxcBackend;
  readonly #launcher: SessionLauncher;
  readonly #windows: WindowSource;
  readonly #refresh = coalesce(() => this.#listOnce());

  #listing: LxcListEntry[] | null = null;
  #listed = false;
  #lxcError: string | null = null;
  readonly #tasks = new Map<string, ContainerTask>();
  readonly #activating = new Set<string>();
  readonly #errors = new Map<string, string>();
  readonly #sessions = new Map<string, SessionState>();
  readonly #reportedMissing = new Set<string>();

  #started = false;
  #closed = false;
  #stopMonitor: (() => void) | null = null;
  #monitorRetry: NodeJS.Timeout | null = null;
  #monitorDelayMs = MONITOR_RETRY_MS;
  #unsubscribeWindows: Unsubscribe | null = null;
  #owners: OwnedWindowSource | null = null;
  #unsubscribeOwners: Unsubscribe | null = null;
  /** Per con_id, when it was last seen focused (a counter): a click focuses the latest. */
  readonly #focusedAt = new Map<number, number>();
  #focusCount = 0;
  readonly #watcher: LxcPathWatcher;
  readonly #spawnTerminal: (argv: readonly string[]) => void;
  readonly #sessionOwnerUid: number;

  constructor(options: ContainerServiceOptions) {
    super({ lxcPath: options.lxcPath, listed: false, error: null, containers: [] });
    this.#config = options.containers;
    // lxc-start's stderr goes through a file: the runtime folder is a tmpfs of the user's own.
    const runner = options.runner ?? new CommandRunner({ scratchDir: options.runtimeDir });
    this.#backend = new LxcBackend(options.lxcPath, runner);
    this.#launcher = new SessionLauncher({
      runtimeDir: options.runtimeDir,
      hostWaylandDisplay: options.hostWaylandDisplay,
      backend: this.#backend,
      ...(options.spawnSession === undefined ? {} : { spawn: options.spawnSession }),
      ...(options.sessionOwner === undefined ? {} : { owner: options.sessionOwner }),
    });
    this.#windows = options.windows;
    this.#sessionOwnerUid = options.sessionOwner?.uid ?? process.getuid?.() ?? 0;
    this.#watcher = new LxcPathWatcher(
      options.lxcPath,
      () => void this.refresh(),
      (onLine, onExit) => this.#backend.watchPath(onLine, onExit),
    );
    this.#spawnTerminal = options.spawnTerminal ?? spawnDetached;
    this.#adoptRunningSessions();
    this.#publish();
  }

  /**
   * The sessions an earlier service left running (after a config change, or a panel restart):
   * shown at once, their windows grouped under their containers without waiting for a click.
   */
  #adoptRunningSessions(): void {
    for (const [name, { pid, type }] of this.#launcher.findAllRunning()) {
      log.debug('containers', `${name}: found its ${type} session still running (pid ${pid})`);
      this.#sessions.set(name, {
        type,
        pid,
        status: 'starting',
        windowId: null,
        socketDir: this.#launcher.socketDir(name),
        exitReason: null,
      });
    }
    this.#matchSessionWindows();
  }

  /** Lists the containers, then follows their changes; a failed listing shows in the state. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#unsubscribeWindows = this.#windows.subscribe(() => {
      this.#syncWindows();
    });
    await this.refresh();
    if (this.#closed) return;
    this.#startMonitor();
    this.#watcher.start();
  }

  /**
   * Follows the windows' owners, so that a click on a container whose windows are already on
   * screen (its own compositor, found by cgroup, or a session's) focuses one of them.
   */
  followWindowOwners(owners: OwnedWindowSource): void {
    this.#unsubscribeOwners?.();
    this.#owners = owners;
    this.#unsubscribeOwners = owners.subscribe((state) => {
      this.#noteFocus(state);
    });
    this.#noteFocus(owners.state);
  }

  #noteFocus(state: WindowOwnersState): void {
    const windows = allWindows(state);
    const present = new Set(windows.map((window) => window.id));
    for (const id of this.#focusedAt.keys()) if (!present.has(id)) this.#focusedAt.delete(id);
    const focused = windows.find((window) => window.focused);
    if (focused !== undefined) this.#focusedAt.set(focused.id, ++this.#focusCount);
  }

  /** The container's window focused last while the panel ran; else its first in tree order. */
  #latestWindowOf(name: string): OwnedWindow | null {
    const windows = allWindows(this.#owners?.state ?? { groups: [] });
    let latest: OwnedWindow | null = null;
    for (const window of windows) {
      if (window.owner !== name) continue;
      const when = this.#focusedAt.get(window.id) ?? 0;
      if (latest === null || when > (this.#focusedAt.get(latest.id) ?? 0)) latest = window;
    }
    return latest;
  }

  /** Lists the containers again; resolves after a listing that began after this call. */
  refresh(): Promise<void> {
    // An lxc-monitor line or a watch event already on its way when close() ran.
    if (this.#closed) return Promise.resolve();
    return this.#refresh();
  }

  /**
   * What a click does: starts a stopped container, then opens its session, or focuses the
   * session's window when it has one. Rejects with the failure after showing and logging it.
   */
  async activate(name: string): Promise<void> {
    return this.#activateWith(name, true);
  }

  /** Activates with or without focusing a window the container already shows (launch). */
  async #activateWith(name: string, focusShownWindow: boolean): Promise<void> {
    const container = this.state.containers.find((candidate) => candidate.name === name);
    if (container === undefined) {
      throw new Error(`no container named ${JSON.stringify(name)} on the bar`);
    }
    // A second click while the first one's actions run changes nothing.
    if (this.#activating.has(name)) return;
    this.#activating.add(name);
    try {
      await this.#activate(container, focusShownWindow);
      this.#errors.delete(name);
      this.#publish();
    } catch (error) {
      this.#report(name, error);
      throw error;
    } finally {
      this.#activating.delete(name);
    }
  }

  /**
   * Runs one menu action on the container, through the backend; resolves when it finished.
   * An action that makes no sense in the container's state is refused with a message. A
   * failure shows on the container and in one log line, then rejects.
   */
  async runAction(name: string, action: ContainerAction): Promise<void> {
    // Launch session opens the host session even beside the container's own windows; like
    // every action it is refused where availableActions (what the menu offers) leaves it out.
    if (action === 'launch') {
      this.#available(name, action);
      return this.#activateWith(name, false);
    }
    if (action === 'details') {
      await this.details(name);
      return;
    }
    const container = this.#available(name, action);
    // Kill is the way out of a stop that hangs: it may run while another action does.
    const alongside = action === 'kill' && this.#activating.has(name);
    if (!alongside && this.#activating.has(name)) {
      throw new Error(`${name}: another action is still running (${container.task ?? 'busy'})`);
    }
    if (!alongside) this.#activating.add(name);
    try {
      await this.#run(container, action);
      this.#errors.delete(name);
      log.debug('containers', `${name}: ${action} done`);
    } catch (error) {
      this.#report(name, error);
      throw error;
    } finally {
      if (!alongside) this.#activating.delete(name);
      await this.refresh();
    }
  }

  /** lxc-info's details of a container (addresses, memory, uptime). */
  async details(name: string): Promise<ContainerDetails> {
    this.#available(name, 'details');
    return this.#backend.info(name);
  }

  #available(name: string, action: ContainerAction): ContainerState {
    const container = this.state.containers.find((candidate) => candidate.name === name);
    if (container === undefined) {
      throw new Error(`no container named ${JSON.stringify(name)} on the bar`);
    }
    const possible = availableActions(container);
    if (!possible.includes(action)) {
      const state =
        container.task === null ? container.state : `${container.state}, ${container.task}`;
      const offered = possible.length === 0 ? 'nothing' : possible.join(', ');
      throw new Error(`${name} is ${state}: ${action} is not possible now (possible: ${offered})`);
    }
    return container;
  }

  async #run(container: ContainerState, action: ContainerAction): Promise<void> {
    const { name } = container;
    const task = TASKS[action];
    const work = (): Promise<void> => {
      switch (action) {
        case 'start':
          return this.#startContainer(container);
        case 'stop':
          return this.#stopGracefully(name);
        case 'kill':
          return this.#backend.stop(name, { kill: true });
        case 'freeze':
          return this.#backend.freeze(name);
        case 'unfreeze':
          return this.#backend.unfreeze(name);
        case 'restart':
          return this.#restart(container);
        default:
          return this.#openTerminal(name);
      }
    };
    // start shows its own task ('starting') inside #startContainer.
    if (task === undefined || action === 'start') await work();
    else await this.#withTask(name, task, work);
  }

  #stopGracefully(name: string): Promise<void> {
    return this.#backend.stop(name, { timeoutSeconds: this.#config.stopTimeoutSeconds });
  }

  async #restart(container: ContainerState): Promise<void> {
    await this.#stopGracefully(container.name);
    await this.refresh();
    const stopped = this.state.containers.find((candidate) => candidate.name === container.name);
    if (stopped !== undefined) await this.#startContainer({ ...stopped, state: 'STOPPED' });
  }

  /** The configured host command, as its argument vector: no shell, nothing substituted. */
  async #openTerminal(name: string): Promise<void> {
    const argv = Object.hasOwn(this.#config.list, name)
      ? this.#config.list[name]?.terminal
      : undefined;
    if (argv === undefined) throw new Error(`${name} has no containers.list.${name}.terminal`);
    this.#spawnTerminal(argv);
    await Promise.resolve();
  }

  /** Stops following LXC and Sway; running sessions and containers stay as they are. */
  close(): void {
    this.#closed = true;
    this.#watcher.close();
    this.#stopMonitor?.();
    this.#stopMonitor = null;
    if (this.#monitorRetry !== null) clearTimeout(this.#monitorRetry);
    this.#monitorRetry = null;
    this.#unsubscribeWindows?.();
    this.#unsubscribeWindows = null;
    this.#unsubscribeOwners?.();
    this.#unsubscribeOwners = null;
  }

  async #activate(container: ContainerState, focusShownWindow: boolean): Promise<void> {
    const { name, session } = container;
    if (container.state === 'MISSING') throw new Error(this.#missingMessage());
    if (container.state === 'RUNNING' && focusShownWindow) {
      // A container that runs its own compositor has its windows on screen already (owned by
      // its cgroup): a host session would be a second one.
      const window = this.#latestWindowOf(name);
      if (window !== null) {
        log.debug('containers', `${name}: focusing its window ${window.id} (${window.ownedBy})`);
        await this.#windows.focusView(window.id);
        return;
      }
    } else if (container.state !== 'RUNNING') {
      await this.#startContainer(container);
    }
    if (session.type !== 'none') await this.#openSession(name, session);
  }

  async #startContainer({ name, state, session }: ContainerState): Promise<void> {
    if (!STARTABLE.has(state)) {
      throw new Error(
        `${name} is ${state}; a click starts a STOPPED container or opens a RUNNING one`,
      );
    }
    // LXC bind-mounts the session folder when the container starts: it must exist by then,
    // open to the container's mapped ids.
    if (session.type !== 'none') await this.#prepareSessionFolder(name);
    await this.#withTask(name, 'starting', () => this.#backend.start(name));
    await this.refresh();
  }

  /** The session folder, with an ACL for the host uids of the container's root and user. */
  async #prepareSessionFolder(name: string): Promise<void> {
    this.#launcher.prepare(name);
    const idmaps = await this.#idmapsOf(name);
    const user = this.#userOf(name);
    const ids = [0, ...(user === undefined ? [] : [user.uid])].map((id) =>
      hostIdOf(idmaps, 'u', id),
    );
    // Root and the folder's owner reach it already.
    const owner = this.#sessionOwnerUid;
    const grantees = ids.filter((id): id is number => id !== null && id !== 0 && id !== owner);
    await this.#launcher.grant(name, [...new Set(grantees)]);
  }

  /**
   * The container's id maps. A helper installed before the `idmap` verb existed refuses it:
   * then privileged containers still start, and the log says what idmapped ones need.
   */
  async #idmapsOf(name: string): Promise<IdmapEntry[]> {
    try {
      return await this.#backend.idmaps(name);
    } catch (error) {
      if (!(
        error instanceof LxcCommandError &&
        error.refused &&
        /unknown verb/.test(error.reason)
      )) {
        throw error;
      }
      log.warn(
        'containers',
        `${name}: the installed LXC helper has no idmap verb, so an idmapped container cannot ` +
          'reach its session folder: reinstall the helper (scripts/install-helper.sh)',
      );
      return [];
    }
  }

  #userOf(name: string): ContainerUser | undefined {
    return Object.hasOwn(this.#config.list, name) ? this.#config.list[name]?.user : undefined;
  }

  async #openSession(name: string, session: GraphicalSession): Promise<void> {
    const current = this.#liveSession(name, session);
    if (current === null) {
      await this.#withTask(name, 'launching', () => this.#launch(name, session));
      return;
    }
    // A session still waiting for its window has nothing to focus yet.
    if (current.windowId !== null) await this.#windows.focusView(current.windowId);
  }

  /** The session that still runs, ours or one an earlier panel started (found by its folder). */
  #liveSession(name: string, session: GraphicalSession): SessionState | null {
    const known = this.#sessions.get(name);
    if (known !== undefined && known.status !== 'exited' && isProcessAlive(known.pid)) return known;
    const pid = this.#launcher.findRunning(name);
    if (pid === null) return null;
    log.debug(
      'containers',
      `${name}: found its ${session.type} session still running (pid ${pid})`,
    );
    this.#sessions.set(name, {
      type: session.type,
      pid,
      status: 'starting',
      windowId: null,
      socketDir: this.#launcher.socketDir(name),
      exitReason: null,
    });
    this.#syncWindows();
    return this.#sessions.get(name) ?? null;
  }

  async #launch(name: string, session: GraphicalSession): Promise<void> {
    const launched = await this.#launcher.launch(name, session, this.#userOf(name));
    log.info('containers', `${name}: launched ${session.type} (pid ${launched.pid})`);
    this.#sessions.set(name, {
      type: launched.type,
      pid: launched.pid,
      status: 'starting',
      windowId: null,
      socketDir: launched.socketDir,
      exitReason: null,
    });
    void launched.exited.then((reason) => {
      this.#sessionEnded(name, launched.pid, reason);
    });
    this.#syncWindows();
    await this.#waitForWindow(name, launched);
  }

  /** Resolves when the session's window is mapped; rejects when it ends first or times out. */
  #waitForWindow(name: string, launched: LaunchedSession): Promise<void> {
    return new Promise((resolve, reject) => {
      const settle = (error: Error | null): void => {
        clearTimeout(timer);
        unsubscribe();
        if (error === null) resolve();
        else reject(error);
      };
      const check = (): void => {
        const session = this.#sessions.get(name);
        if (session?.pid !== launched.pid) return;
        if (session.status === 'running') settle(null);
        if (session.status === 'exited') {
          settle(
            new Error(
              `${launched.type} ${session.exitReason ?? 'ended'} before its window appeared`,
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        settle(
          new Error(
            `${launched.type} (pid ${launched.pid}) showed no window ` +
              `within ${WINDOW_TIMEOUT_MS} ms`,
          ),
        );
      }, WINDOW_TIMEOUT_MS);
      const unsubscribe = this.subscribe(check);
      check();
    });
  }

  #sessionEnded(name: string, pid: number, reason: string | null): void {
    const session = this.#sessions.get(name);
    if (session?.pid !== pid) return;
    log.debug('containers', `${name}: ${session.type} session ${reason ?? 'ended'}`);
    this.#sessions.set(name, { ...session, status: 'exited', windowId: null, exitReason: reason });
    this.#publish();
  }

  /** Matches sessions to Sway's windows by PID: the compositor is the window's client. */
  #syncWindows(): void {
    this.#matchSessionWindows();
    this.#publish();
  }

  #matchSessionWindows(): void {
    const views = this.#windows.state.views;
    for (const [name, session] of this.#sessions) {
      if (session.status === 'exited') continue;
      const view = views.find((candidate) => candidate.pid === session.pid);
      if (view !== undefined) {
        this.#sessions.set(name, { ...session, status: 'running', windowId: view.id });
      } else if (!isProcessAlive(session.pid)) {
        // An adopted session is not our child: its end shows only as its window going away.
        this.#sessions.set(name, { ...session, status: 'exited', windowId: null });
      } else {
        this.#sessions.set(name, { ...session, windowId: null });
      }
    }
  }

  async #withTask(name: string, task: ContainerTask, action: () => Promise<void>): Promise<void> {
    this.#tasks.set(name, task);
    this.#publish();
    try {
      await action();
    } finally {
      // A kill that ran during a stop ends first; the stop's own end must not clear the kill.
      if (this.#tasks.get(name) === task) this.#tasks.delete(name);
      this.#publish();
    }
  }

  /** Shows a failed action on its container and logs it once; sudo's refusal shows once. */
  #report(name: string, error: unknown): void {
    if (error instanceof PrivilegeError) {
      this.#setLxcError(error.message);
      return;
    }
    const reason =
      error instanceof StopTimeoutError ? `${error.message}; Kill stops it` : shortReason(error);
    this.#errors.set(name, reason);
    log.warn('containers', `${name}: ${describeError(error)}`);
    this.#publish();
  }

  async #listOnce(): Promise<void> {
    try {
      this.#listing = await this.#backend.list();
      this.#listed = true;
      this.#setLxcError(null);
      this.#reportMissing();
    } catch (error) {
      this.#listed = false;
      this.#setLxcError(
        error instanceof PrivilegeError ? error.message : `listing failed: ${shortReason(error)}`,
      );
      log.debug('containers', `listing failed (${describeError(error)})`);
    }
    this.#publish();
  }

  #setLxcError(message: string | null): void {
    if (message === this.#lxcError) return;
    this.#lxcError = message;
    if (message !== null) log.warn('containers', message);
    this.#publish();
  }

  /** One log line when a configured container goes missing, not one per listing. */
  #reportMissing(): void {
    const present = new Set(this.#listing?.map((entry) => entry.name));
    for (const name of Object.keys(this.#config.list)) {
      if (present.has(name)) {
        this.#reportedMissing.delete(name);
      } else if (!this.#reportedMissing.has(name)) {
        this.#reportedMissing.add(name);
        log.warn('containers', `${name}: ${this.#missingMessage()}`);
      }
    }
  }

  #missingMessage(): string {
    return `no such container under ${this.#backend.lxcPath}`;
  }

  #startMonitor(): void {
    this.#stopMonitor = this.#backend.monitor(
      () => {
        this.#monitorDelayMs = MONITOR_RETRY_MS;
        void this.refresh();
      },
      (reason) => {
        this.#monitorEnded(reason);
      },
    );
  }

  /** lxc-monitor ended on its own: say so once, start another later, and list meanwhile. */
  #monitorEnded(reason: LxcCommandError | PrivilegeError | null): void {
    this.#stopMonitor = null;
    if (this.#closed) return;
    if (reason instanceof PrivilegeError) this.#setLxcError(reason.message);
    else if (this.#monitorDelayMs === MONITOR_RETRY_MS) {
      const why = reason === null ? 'without a reason' : `(${reason.message})`;
      log.warn('containers', `lxc-monitor ended ${why}; live updates resume when it restarts`);
    }
    this.#monitorRetry = setTimeout(() => {
      this.#monitorRetry = null;
      this.#startMonitor();
      void this.refresh();
    }, this.#monitorDelayMs);
    this.#monitorDelayMs = Math.min(this.#monitorDelayMs * 2, MONITOR_RETRY_CAP_MS);
  }

  #publish(): void {
    this.set(this.#compose());
  }

  /** Configured containers first, in the config's order, then the others by name. */
  #compose(): ContainersState {
    const listed = new Map(this.#listing?.map((entry) => [entry.name, entry]));
    const configured = Object.keys(this.#config.list);
    const others = this.#config.showUnlisted
      ? [...listed.keys()]
          .filter((name) => !Object.hasOwn(this.#config.list, name))
          .sort(byCodePoint)
      : [];
    return {
      lxcPath: this.#backend.lxcPath,
      listed: this.#listed,
      error: this.#lxcError,
      containers: [
        ...configured.map((name) => this.#containerState(name, listed.get(name), true)),
        ...others.map((name) => this.#containerState(name, listed.get(name), false)),
      ],
    };
  }

  #containerState(
    name: string,
    entry: LxcListEntry | undefined,
    configured: boolean,
  ): ContainerState {
    const missing = entry === undefined && this.#listing !== null;
    const session = this.#sessions.get(name);
    return {
      name,
      state: entry?.state ?? (missing ? 'MISSING' : 'UNKNOWN'),
      configured,
      ipv4: entry?.ipv4 ?? [],
      session: Object.hasOwn(this.#config.list, name)
        ? (this.#config.list[name]?.session ?? { type: 'none' })
        : { type: 'none' },
      task: this.#tasks.get(name) ?? null,
      error: this.#errors.get(name) ?? (missing ? this.#missingMessage() : null),
      running: session === undefined ? null : { ...session },
      hasTerminal: Object.hasOwn(this.#config.list, name)
        ? this.#config.list[name]?.terminal !== undefined
        : false,
    };
  }
}

/** What a failed action's container shows: the program and LXC's reason, without the argv. */
function shortReason(error: unknown): string {
  if (error instanceof LxcCommandError) {
    // A refusal is the helper's own sentence; it ran no program that could have failed.
    return error.refused ? error.reason : `${error.program} failed: ${error.reason}`;
  }
  return describeError(error);
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Runs `task` on request, never twice at once; the requests made during a run share one more
 * run, so a burst of lxc-monitor lines costs one more listing. Each returned promise settles
 * after a run that began after the request.
 */
function coalesce(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  const run = (): Promise<void> => {
    const current = task().finally(() => {
      if (running === current) running = null;
    });
    running = current;
    return current;
  };
  return () => {
    if (running === null) return run();
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = null;
        return run();
      });
    return queued;
  };
}

/** Starts a host program for the desktop user, detached: it outlives the panel. */
function spawnDetached(argv: readonly string[]): void {
  const [file, ...args] = argv as [string, ...string[]];
  const child = spawn(file, args, { detached: true, stdio: 'ignore' });
  child.on('error', (error) => {
    log.warn('containers', `terminal ${file} could not start (${describeError(error)})`);
  });
  child.unref();
}
