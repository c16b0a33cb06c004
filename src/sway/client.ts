import { describeError, log } from '../util/log.js';
import { Observable } from '../util/observable.js';
import { CoalescedTask } from './coalesced-task.js';
import { focusViewCommand, focusWorkspaceCommand } from './commands.js';
import { SwayConnection, type RawEvent } from './connection.js';
import { SwayCommandError, SwayProtocolError } from './errors.js';
import { MESSAGE_TYPE } from './protocol.js';
import {
  commandReplySchema,
  configReplySchema,
  outputsReplySchema,
  subscribeReplySchema,
  swayNodeSchema,
  workspacesReplySchema,
} from './schemas.js';
import { buildSwayState, disconnectedState, type SwayState } from './state.js';

export { SwayCommandError, SwayConnectionError, SwayProtocolError } from './errors.js';
export type { SwayOutputState, SwayState, SwayViewState, SwayWorkspaceState } from './state.js';

/*
 * cexbar's one client of Sway. It keeps two connections, as Sway's own tools and Waybar do: one
 * for commands and queries, one that only carries events. Events can arrive before the reply
 * to SUBSCRIBE and between any request and its reply, and Sway drops a client that falls a few
 * MiB behind in reading; a connection that only reads events and never waits on a reply keeps
 * up. Any event makes the state stale, and the state is then read again whole.
 */

/** The events that can change workspaces, views or outputs, and that every Sway has. */
const SUBSCRIBED_EVENTS = ['workspace', 'window', 'mode', 'shutdown'] as const;

/**
 * Asked for on their own, because Sway 1.7 refuses the whole request for a name it lacks:
 * output events came with Sway 1.10. Without them an output that comes or goes is still seen
 * through the workspace events its workspaces cause.
 */
const LATER_EVENTS = ['output'] as const;

/** The IPC socket of the Sway session this process runs in, or null outside one. */
export function swaySocketFromEnvironment(env: NodeJS.ProcessEnv = process.env): string | null {
  const path = env.SWAYSOCK;
  return path === undefined || path === '' ? null : path;
}

export class SwayClient extends Observable<SwayState> {
  readonly #socketPath: string;
  readonly #commands: SwayConnection;
  readonly #events: SwayConnection;
  readonly #resync: CoalescedTask;
  /** False until the first sync is done; events until then are only counted. */
  #started = false;
  #eventsBeforeStart = 0;
  #sawShutdown = false;
  #lost = false;
  #closed = false;

  private constructor(socketPath: string, commands: SwayConnection, events: SwayConnection) {
    super(disconnectedState(socketPath));
    this.#socketPath = socketPath;
    this.#commands = commands;
    this.#events = events;
    this.#resync = new CoalescedTask(
      () => this.#syncState(),
      (error: unknown) => {
        this.#reportSyncFailure(error);
      },
    );
    events.onEvent((event) => {
      this.#onEvent(event);
    });
    events.onLost((reason) => {
      this.#onLost(reason);
    });
    commands.onLost((reason) => {
      this.#onLost(reason);
    });
  }

  /**
   * Connects to the Sway at `socketPath` and resolves once the state has been read. Rejects
   * with a SwayConnectionError naming the path when the socket cannot be opened.
   */
  static async connect(socketPath: string): Promise<SwayClient> {
    const commands = await SwayConnection.open(socketPath);
    const events = await SwayConnection.open(socketPath).catch((error: unknown) => {
      commands.close();
      throw error;
    });
    const client = new SwayClient(socketPath, commands, events);
    try {
      await client.#start();
    } catch (error) {
      client.close();
      throw error;
    }
    return client;
  }

  /** Runs a Sway command (list); rejects with a SwayCommandError when any part of it failed. */
  async command(text: string): Promise<void> {
    const results = await this.#commands.request(
      MESSAGE_TYPE.RUN_COMMAND,
      text,
      commandReplySchema,
    );
    const errors = results
      .filter((result) => !result.success)
      .map((result) => result.error ?? 'no reason given');
    if (errors.length > 0) throw new SwayCommandError(text, errors);
  }

  /** The text of the main config file Sway last loaded (GET_CONFIG; includes are not in it). */
  async readConfig(): Promise<string> {
    const reply = await this.#commands.request(MESSAGE_TYPE.GET_CONFIG, '', configReplySchema);
    return reply.config;
  }

  /** Switches to the workspace named exactly `name`, as a click on it does. */
  focusWorkspace(name: string): Promise<void> {
    return this.#runAction(`switch to workspace ${JSON.stringify(name)}`, () =>
      this.command(focusWorkspaceCommand(name)),
    );
  }

  /** Focuses a view by its con_id, switching to its workspace. */
  focusView(conId: number): Promise<void> {
    return this.#runAction(`focus window ${conId}`, () => this.command(focusViewCommand(conId)));
  }

  /** Ends both connections; no state change is heard after this. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#resync.stop();
    this.#events.close();
    this.#commands.close();
  }

  async #start(): Promise<void> {
    if (!(await this.#subscribe(SUBSCRIBED_EVENTS))) {
      const names = SUBSCRIBED_EVENTS.join(', ');
      throw new SwayProtocolError(`sway: ${this.#socketPath} refused the subscription to ${names}`);
    }
    if (!(await this.#subscribe(LATER_EVENTS))) {
      log.debug('sway', 'no output events before Sway 1.10; workspace events stand in for them');
    }
    // What happened before this point is read by the sync below; only events during it need
    // one more.
    const eventsBefore = this.#eventsBeforeStart;
    await this.#syncState();
    this.#started = true;
    if (this.#eventsBeforeStart !== eventsBefore) void this.#resync.request();
  }

  async #subscribe(names: readonly string[]): Promise<boolean> {
    const payload = JSON.stringify(names);
    const reply = await this.#events.request(MESSAGE_TYPE.SUBSCRIBE, payload, subscribeReplySchema);
    return reply.success;
  }

  #onEvent(event: RawEvent): void {
    // The payload stays unread: every event only marks the state stale, and parsing thousands
    // of window bodies in a burst of title changes would slow the reader Sway drops when late.
    if (event.name === 'shutdown') {
      this.#sawShutdown = true;
      return;
    }
    if (!this.#started) {
      this.#eventsBeforeStart += 1;
      return;
    }
    void this.#resync.request();
  }

  async #syncState(): Promise<void> {
    const [workspaces, outputs, tree] = await Promise.all([
      this.#commands.request(MESSAGE_TYPE.GET_WORKSPACES, '', workspacesReplySchema),
      this.#commands.request(MESSAGE_TYPE.GET_OUTPUTS, '', outputsReplySchema),
      this.#commands.request(MESSAGE_TYPE.GET_TREE, '', swayNodeSchema),
    ]);
    if (this.#closed || this.#lost) return;
    this.set(buildSwayState(this.#socketPath, { workspaces, outputs, tree }));
  }

  #reportSyncFailure(error: unknown): void {
    // A sync cut short by the connection's end says nothing new: #onLost has said it.
    if (this.#closed || this.#lost) return;
    log.warn('sway', `could not read the state (${describeError(error)})`);
  }

  /** Either connection ending means Sway exited or dropped us: both usually end together. */
  #onLost(reason: Error | null): void {
    if (this.#closed || this.#lost) return;
    this.#lost = true;
    this.#resync.stop();
    this.set({ ...this.state, connected: false });
    const why = this.#sawShutdown ? 'Sway exited' : (reason?.message ?? 'Sway closed it');
    log.warn(
      'sway',
      `lost the connection to ${this.#socketPath} (${why}); ` +
        'the bar keeps the last state it read',
    );
    // Reconnection with back-off belongs here: a restarted Sway has a new socket (its name
    // holds Sway's PID), so it has to be found again first. Until then nothing is retried, so
    // nothing spins; commands still go to the command connection while it lasts.
  }

  /** Runs a user's action; a failure is logged here, as the bar's click handlers expect. */
  async #runAction(what: string, action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      const reason =
        error instanceof SwayCommandError ? error.errors.join('; ') : describeError(error);
      log.warn('sway', `could not ${what} (${reason})`);
      throw error;
    }
  }
}
