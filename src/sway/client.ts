import { describeError, log } from '../util/log.js';
import { Observable, type Unsubscribe } from '../util/observable.js';
import { CoalescedTask } from './coalesced-task.js';
import { focusViewCommand, focusWorkspaceCommand } from './commands.js';
import { SwayConnection, type RawEvent } from './connection.js';
import { SwayCommandError, SwayConnectionError, SwayProtocolError } from './errors.js';
import { MESSAGE_TYPE } from './protocol.js';
import {
  bindingStateReplySchema,
  commandReplySchema,
  modeEventSchema,
  parsePayload,
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

/** Reconnection waits: doubling from the first, never longer than the last. */
const FIRST_RECONNECT_MS = 250;
const LONGEST_RECONNECT_MS = 8_000;

/** The two connections of one attachment to Sway, and what their events have done so far. */
interface Attachment {
  commands: SwayConnection;
  events: SwayConnection;
  /** False until the first sync on them is done; events until then are only counted. */
  synced: boolean;
  eventsBeforeSync: number;
  sawShutdown: boolean;
}

/** Whether opening the socket failed because no Sway is behind it any more. */
function isSocketGone(error: unknown): boolean {
  if (!(error instanceof SwayConnectionError)) return false;
  const code = (error.cause as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ECONNREFUSED';
}

export class SwayClient extends Observable<SwayState> {
  readonly #socketPath: string;
  #attachment: Attachment | null = null;
  readonly #resync: CoalescedTask;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #reconnectDelay = FIRST_RECONNECT_MS;
  readonly #endedListeners = new Set<() => void>();
  #closed = false;

  private constructor(socketPath: string) {
    super(disconnectedState(socketPath));
    this.#socketPath = socketPath;
    this.#resync = new CoalescedTask(
      () => this.#syncState(),
      (error: unknown) => {
        this.#reportSyncFailure(error);
      },
    );
  }

  /**
   * Connects to the Sway at `socketPath` and resolves once the state has been read. Rejects
   * with a SwayConnectionError naming the path when the socket cannot be opened. Once
   * connected, a lost connection is opened again with a back-off (see #onLost).
   */
  static async connect(socketPath: string): Promise<SwayClient> {
    const client = new SwayClient(socketPath);
    try {
      await client.#attach();
    } catch (error) {
      client.close();
      throw error;
    }
    return client;
  }

  /** Runs a Sway command (list); rejects with a SwayCommandError when any part of it failed. */
  async command(text: string): Promise<void> {
    const results = await this.#connected().commands.request(
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
    const commands = this.#connected().commands;
    const reply = await commands.request(MESSAGE_TYPE.GET_CONFIG, '', configReplySchema);
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

  /**
   * Called when a reconnection finds no Sway at the socket any more (it is gone, or nothing
   * listens on it): this Sway has ended, and a new one has a socket of another name. Until
   * then the client keeps trying, as Sway may only have dropped it.
   */
  onEnded(listener: () => void): Unsubscribe {
    this.#endedListeners.add(listener);
    return () => this.#endedListeners.delete(listener);
  }

  /** Ends both connections; no state change is heard after this. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#resync.stop();
    if (this.#reconnectTimer !== null) clearTimeout(this.#reconnectTimer);
    this.#detach();
  }

  /** A method, not the field: TypeScript would keep a check made before an await. */
  #isClosed(): boolean {
    return this.#closed;
  }

  /** The attachment commands go to; while reconnecting, a SwayConnectionError says so. */
  #connected(): Attachment {
    if (this.#attachment !== null) return this.#attachment;
    throw new SwayConnectionError(
      this.#socketPath,
      `sway: not connected to ${this.#socketPath} now (reconnecting)`,
    );
  }

  /** Opens both connections, subscribes and reads the whole state. */
  async #attach(): Promise<void> {
    const commands = await SwayConnection.open(this.#socketPath);
    const events = await SwayConnection.open(this.#socketPath).catch((error: unknown) => {
      commands.close();
      throw error;
    });
    const attachment: Attachment = {
      commands,
      events,
      synced: false,
      eventsBeforeSync: 0,
      sawShutdown: false,
    };
    if (this.#closed) {
      commands.close();
      events.close();
      return;
    }
    this.#attachment = attachment;
    events.onEvent((event) => {
      this.#onEvent(attachment, event);
    });
    for (const connection of [events, commands]) {
      connection.onLost((reason) => {
        this.#onLost(attachment, reason);
      });
    }
    await this.#start(attachment);
  }

  /** Closes the current connections, if any; their loss is not reported. */
  #detach(): void {
    const attachment = this.#attachment;
    this.#attachment = null;
    attachment?.events.close();
    attachment?.commands.close();
  }

  async #start(attachment: Attachment): Promise<void> {
    if (!(await this.#subscribe(attachment, SUBSCRIBED_EVENTS))) {
      const names = SUBSCRIBED_EVENTS.join(', ');
      throw new SwayProtocolError(`sway: ${this.#socketPath} refused the subscription to ${names}`);
    }
    if (!(await this.#subscribe(attachment, LATER_EVENTS))) {
      log.debug('sway', 'no output events before Sway 1.10; workspace events stand in for them');
    }
    // What happened before this point is read by the sync below; only events during it need
    // one more.
    const eventsBefore = attachment.eventsBeforeSync;
    await this.#syncState();
    attachment.synced = true;
    if (attachment.eventsBeforeSync !== eventsBefore) void this.#resync.request();
  }

  async #subscribe(attachment: Attachment, names: readonly string[]): Promise<boolean> {
    const payload = JSON.stringify(names);
    const reply = await attachment.events.request(
      MESSAGE_TYPE.SUBSCRIBE,
      payload,
      subscribeReplySchema,
    );
    return reply.success;
  }

  #onEvent(attachment: Attachment, event: RawEvent): void {
    // The payload stays unread: every event only marks the state stale, and parsing thousands
    // of window bodies in a burst of title changes would slow the reader Sway drops when late.
    if (event.name === 'shutdown') {
      attachment.sawShutdown = true;
      return;
    }
    if (event.name === 'mode') {
      this.#onModeEvent(event);
      return;
    }
    if (!attachment.synced) {
      attachment.eventsBeforeSync += 1;
      return;
    }
    void this.#resync.request();
  }

  /** The binding mode is in the event alone: no query of the whole state needed. */
  #onModeEvent(event: RawEvent): void {
    let mode: string;
    try {
      mode = parsePayload('mode event', event.payload, modeEventSchema).change;
    } catch (error) {
      log.warn('sway', describeError(error));
      return;
    }
    if (this.state.connected) this.set({ ...this.state, mode });
  }

  async #syncState(): Promise<void> {
    const attachment = this.#attachment;
    if (attachment === null) return;
    const { commands } = attachment;
    const [workspaces, outputs, tree, bindingState] = await Promise.all([
      commands.request(MESSAGE_TYPE.GET_WORKSPACES, '', workspacesReplySchema),
      commands.request(MESSAGE_TYPE.GET_OUTPUTS, '', outputsReplySchema),
      commands.request(MESSAGE_TYPE.GET_TREE, '', swayNodeSchema),
      commands.request(MESSAGE_TYPE.GET_BINDING_STATE, '', bindingStateReplySchema),
    ]);
    // Read over connections that have since been replaced: the new ones read again.
    if (this.#closed || attachment !== this.#attachment) return;
    const replies = { workspaces, outputs, tree, mode: bindingState.name };
    this.set(buildSwayState(this.#socketPath, replies));
  }

  #reportSyncFailure(error: unknown): void {
    // A sync cut short by the connection's end says nothing new: #onLost has said it.
    if (this.#closed || this.#attachment === null) return;
    log.warn('sway', `could not read the state (${describeError(error)})`);
  }

  /**
   * Either connection ending means Sway exited, restarted or dropped us (it drops a client that
   * falls about 4 MiB behind in reading events). The state goes empty at once, so that nothing
   * stale is shown, and both connections are opened again with a back-off: when Sway still
   * runs, the new ones re-subscribe and read everything again. A Sway that exited takes the
   * panel's display with it, and `cexbar run` starts a new panel on the next Sway.
   */
  #onLost(attachment: Attachment, reason: Error | null): void {
    if (this.#closed || attachment !== this.#attachment) return;
    this.#detach();
    this.set(disconnectedState(this.#socketPath));
    const why = attachment.sawShutdown ? 'Sway exited' : (reason?.message ?? 'Sway closed it');
    log.warn('sway', `lost the connection to ${this.#socketPath} (${why}); reconnecting`);
    this.#reconnectDelay = FIRST_RECONNECT_MS;
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    const delay = this.#reconnectDelay;
    this.#reconnectDelay = Math.min(delay * 2, LONGEST_RECONNECT_MS);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      void this.#reconnect();
    }, delay);
  }

  async #reconnect(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#attach();
    } catch (error) {
      // Each try is quiet: the loss was logged once, and the next try waits longer.
      log.debug('sway', `reconnecting failed (${describeError(error)})`);
      this.#detach();
      if (isSocketGone(error)) {
        for (const listener of [...this.#endedListeners]) listener();
      }
      if (!this.#isClosed()) this.#scheduleReconnect();
      return;
    }
    if (!this.#isClosed()) log.info('sway', `reconnected to ${this.#socketPath}; state read again`);
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
