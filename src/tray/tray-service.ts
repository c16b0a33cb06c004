import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sessionBus, type MessageBus } from 'dbus-next';
import { describeError, log } from '../util/log.js';
import { Observable } from '../util/observable.js';
import {
  addMatch,
  callMethod,
  getProperty,
  ITEM_INTERFACE,
  MENU_INTERFACE,
  NAME_OWNER_CHANGED_RULE,
  nameOwner,
  nameOwnerChange,
  onSignal,
  requestName,
  WATCHER_INTERFACE,
  WATCHER_NAME,
  WATCHER_PATH,
  uniqueNameOf,
  type SignalMessage,
} from './dbus.js';
import { TrayItemClient } from './item-client.js';
import {
  keyOf,
  parseItemAddress,
  type ItemAddress,
  type TrayItemState,
  type TrayPixmap,
} from './item-state.js';
import type { DbusMenuClient } from './menu-client.js';
import { StatusNotifierWatcher } from './watcher.js';

/*
 * The tray: a StatusNotifierItem host. It runs its own watcher when the name is free, and is a
 * host of another program's watcher when it is not, switching whenever the watcher's owner
 * changes (NameOwnerChanged). Its state is every registered item that answered, in order.
 */

export interface TrayState {
  /** Whose watcher the items come from: cexbar's own, another program's, or none (yet). */
  watcher: 'own' | 'foreign' | 'none';
  /** Why the tray has no session bus, or null. */
  error: string | null;
  items: TrayItemState[];
}

/** What widgets and the control socket use: the state and the actions of a click. */
export interface TraySource {
  readonly state: TrayState;
  subscribe(listener: (state: TrayState) => void): () => void;
  activate(item: string, x?: number, y?: number): Promise<void>;
  secondaryActivate(item: string, x?: number, y?: number): Promise<void>;
  /** The item's dbusmenu client, or null when it has no dbusmenu (it gets ContextMenu then). */
  menuOf(item: string): DbusMenuClient | null;
  contextMenu(item: string, x?: number, y?: number): Promise<void>;
  scroll(item: string, delta: number, orientation: 'vertical' | 'horizontal'): Promise<void>;
}

const SIGNAL_RULES = [
  NAME_OWNER_CHANGED_RULE,
  `type='signal',interface='${ITEM_INTERFACE}'`,
  `type='signal',interface='${MENU_INTERFACE}'`,
  `type='signal',interface='${WATCHER_INTERFACE}'`,
];

export class TrayService extends Observable<TrayState> implements TraySource {
  readonly #clients = new Map<string, TrayItemClient>();
  readonly #hostName = `org.kde.StatusNotifierHost-${process.pid}-1`;
  #bus: MessageBus | null = null;
  #watcher: StatusNotifierWatcher | null = null;
  /** The unique name of the foreign watcher we are a host of. */
  #foreignWatcher: string | null = null;
  #finding = Promise.resolve();
  #closed = false;
  #enabled = false;

  constructor() {
    super({ watcher: 'none', error: null, items: [] });
  }

  /** Connects to the session bus in the background; problems land in the state's error. */
  start(address = sessionBusAddress(process.env)): void {
    if (address === undefined || address === '') {
      this.#fail(
        'DBUS_SESSION_BUS_ADDRESS is not set and $XDG_RUNTIME_DIR/bus does not exist: ' +
          'the tray needs a session bus',
      );
      return;
    }
    void this.#connect(address).catch((error: unknown) => {
      this.#fail(`the session bus at ${address} failed (${describeError(error)})`);
    });
  }

  #fail(message: string): void {
    if (this.#closed) return;
    log.warn('tray', message);
    this.set({ ...this.state, watcher: 'none', error: message });
  }

  async #connect(address: string): Promise<void> {
    const bus = sessionBus({ busAddress: address });
    this.#bus = bus;
    bus.on('error', (error: unknown) => {
      this.#fail(`the session bus at ${address} failed (${describeError(error)})`);
    });
    onSignal(bus, (signal) => this.#handleSignal(signal));
    for (const rule of SIGNAL_RULES) await addMatch(bus, rule);
    await requestName(bus, this.#hostName);
    this.#queueFindWatcher();
  }

  /** One search at a time: owner changes can come while a search waits for an answer. */
  #queueFindWatcher(): void {
    this.#finding = this.#finding
      .then(() => this.#findWatcher())
      .catch((error: unknown) => {
        log.warn('tray', `the ${WATCHER_NAME} did not answer (${describeError(error)})`);
      });
  }

  /** Becomes the watcher when the name is free, or a host of the program that owns it. */
  async #findWatcher(): Promise<void> {
    const bus = this.#bus;
    if (bus === null || this.#closed || this.#watcher !== null) return;
    const watcher = await StatusNotifierWatcher.start(bus, true);
    if (bus !== this.#bus) return;
    if (watcher !== null) {
      this.#watcher = watcher;
      this.#foreignWatcher = null;
      log.info('tray', `running the ${WATCHER_NAME} on the session bus`);
      this.set({ ...this.state, watcher: 'own', error: null });
      watcher.subscribe((items) => this.#syncItems(items, uniqueNameOf(bus) ?? ''));
      // Items may have registered already, in the same read as the name's reply.
      this.#syncItems(watcher.state, uniqueNameOf(bus) ?? '');
      return;
    }
    await this.#hostForeignWatcher(bus);
  }

  async #hostForeignWatcher(bus: MessageBus): Promise<void> {
    const owner = await nameOwner(bus, WATCHER_NAME);
    // Gone between our request and this question: its NameOwnerChanged brings us back.
    if (owner === null || bus !== this.#bus) return;
    this.#foreignWatcher = owner;
    await callMethod(bus, {
      destination: owner,
      path: WATCHER_PATH,
      interface: WATCHER_INTERFACE,
      member: 'RegisterStatusNotifierHost',
      signature: 's',
      body: [this.#hostName],
    });
    const items = await getProperty(
      bus,
      owner,
      WATCHER_PATH,
      WATCHER_INTERFACE,
      'RegisteredStatusNotifierItems',
    );
    log.info('tray', `a host of the ${WATCHER_NAME} of ${owner}`);
    this.set({ ...this.state, watcher: 'foreign', error: null });
    const registered = Array.isArray(items) ? items.filter((item) => typeof item === 'string') : [];
    this.#syncItems(registered, owner);
  }

  #handleSignal(signal: SignalMessage): void {
    const change = nameOwnerChange(signal);
    if (change !== null) {
      this.#handleOwnerChange(change.name, change.newOwner);
      return;
    }
    if (signal.interface === WATCHER_INTERFACE) {
      this.#handleWatcherSignal(signal);
      return;
    }
    for (const client of this.#clients.values()) {
      if (client.owner === signal.sender) client.handleSignal(signal);
    }
  }

  #handleOwnerChange(name: string, newOwner: string): void {
    if (
      name === WATCHER_NAME &&
      this.#watcher === null &&
      (this.#bus === null || newOwner !== uniqueNameOf(this.#bus))
    ) {
      // The foreign watcher went away, or one came: take the name, or host whoever has it.
      this.#foreignWatcher = null;
      this.#dropAll();
      this.set({ ...this.state, watcher: 'none' });
      this.#queueFindWatcher();
      return;
    }
    if (newOwner !== '') return;
    for (const [key, client] of this.#clients) {
      if (client.owner === name || client.address.busName === name) this.#removeItem(key);
    }
  }

  /** Items of the foreign watcher come and go by its signals. */
  #handleWatcherSignal(signal: SignalMessage): void {
    if (this.#foreignWatcher === null || signal.sender !== this.#foreignWatcher) return;
    const [registered] = signal.body;
    if (typeof registered !== 'string') return;
    if (signal.member === 'StatusNotifierItemRegistered') this.#addItem(registered, '');
    if (signal.member === 'StatusNotifierItemUnregistered') {
      const address = parseItemAddress(registered, '');
      if (address !== null) this.#removeItem(keyOf(address));
    }
  }

  /** Follows a watcher's list: new entries added, missing ones removed. */
  #syncItems(registered: readonly string[], sender: string): void {
    const keys = new Set<string>();
    for (const entry of registered) {
      const address = parseItemAddress(entry, sender);
      if (address === null) continue;
      keys.add(keyOf(address));
      this.#addItem(entry, sender);
    }
    for (const key of [...this.#clients.keys()]) if (!keys.has(key)) this.#removeItem(key);
  }

  #addItem(registered: string, sender: string): void {
    const bus = this.#bus;
    const address = parseItemAddress(registered, sender);
    if (bus === null || address === null) {
      log.debug('tray', `ignoring the registration ${JSON.stringify(registered)}`);
      return;
    }
    const key = keyOf(address);
    if (this.#clients.has(key)) return;
    void this.#connectItem(bus, address).catch((error: unknown) => {
      log.warn('tray', `the item ${key} did not answer (${describeError(error)})`);
      this.#removeItem(key);
    });
  }

  async #connectItem(bus: MessageBus, address: ItemAddress): Promise<void> {
    const key = keyOf(address);
    const owner = address.busName.startsWith(':')
      ? address.busName
      : await nameOwner(bus, address.busName);
    if (owner === null) throw new Error(`nobody owns ${address.busName}`);
    if (this.#clients.has(key) || bus !== this.#bus) return;
    const client = new TrayItemClient(bus, address, owner);
    this.#clients.set(key, client);
    client.subscribe(() => this.#publish());
    await client.refresh();
    log.debug('tray', `item ${key} (${client.state?.id ?? ''}) added`);
  }

  #removeItem(key: string): void {
    const client = this.#clients.get(key);
    if (client === undefined) return;
    client.close();
    this.#clients.delete(key);
    log.debug('tray', `item ${key} removed`);
    this.#publish();
  }

  #dropAll(): void {
    for (const key of [...this.#clients.keys()]) this.#removeItem(key);
  }

  #publish(): void {
    const items: TrayItemState[] = [];
    for (const client of this.#clients.values())
      if (client.state !== null) items.push(client.state);
    this.set({ ...this.state, items });
  }

  /** The item by its Id or its "NAME/PATH" key, or an error that lists what there is. */
  #find(item: string): TrayItemClient {
    for (const client of this.#clients.values()) {
      if (client.key === item || client.state?.id === item) return client;
    }
    const known = this.state.items.map((each) => each.id || each.key);
    const list = known.length === 0 ? 'the tray is empty' : `items: ${known.join(', ')}`;
    throw new Error(`no tray item ${JSON.stringify(item)} (${list})`);
  }

  activate(item: string, x = 0, y = 0): Promise<void> {
    return this.#find(item).activate(x, y);
  }

  secondaryActivate(item: string, x = 0, y = 0): Promise<void> {
    return this.#find(item).secondaryActivate(x, y);
  }

  contextMenu(item: string, x = 0, y = 0): Promise<void> {
    return this.#find(item).contextMenu(x, y);
  }

  scroll(item: string, delta: number, orientation: 'vertical' | 'horizontal'): Promise<void> {
    return this.#find(item).scroll(delta, orientation);
  }

  menuOf(item: string): DbusMenuClient | null {
    return this.#find(item).menu();
  }

  /** Runs the tray while a bar has one (the config lists the module), and leaves the bus else. */
  setEnabled(enabled: boolean): void {
    if (enabled === this.#enabled) return;
    this.#enabled = enabled;
    if (enabled) {
      this.#closed = false;
      this.start();
    } else {
      this.close();
      this.set({ watcher: 'none', error: null, items: [] });
    }
  }

  /** Leaves the bus; the daemon frees the watcher's name, so items see it go. */
  close(): void {
    this.#closed = true;
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
    this.#watcher = null;
    this.#foreignWatcher = null;
    this.#finding = Promise.resolve();
    this.#bus?.disconnect();
    this.#bus = null;
  }
}

/**
 * DBUS_SESSION_BUS_ADDRESS, or the bus at $XDG_RUNTIME_DIR/bus where a per-user bus lives
 * (dbus-user-session) when a service manager such as runit started us without the variable.
 */
export function sessionBusAddress(env: NodeJS.ProcessEnv): string | undefined {
  const address = env.DBUS_SESSION_BUS_ADDRESS;
  if (address !== undefined && address !== '') return address;
  const runtimeDir = env.XDG_RUNTIME_DIR;
  if (runtimeDir === undefined || runtimeDir === '') return undefined;
  const socket = join(runtimeDir, 'bus');
  return existsSync(socket) ? `unix:path=${socket}` : undefined;
}

export type TrayItemSnapshot = Omit<TrayItemState, 'iconPixmaps' | 'attentionPixmaps'> & {
  /** The sizes, "WIDTHxHEIGHT". */
  iconPixmaps: string[];
  attentionPixmaps: string[];
};

export type TraySnapshot = Omit<TrayState, 'items'> & { items: TrayItemSnapshot[] };

/** The tray as `cexbar msg state` prints it: pixmaps by their sizes, not their bytes. */
export function describeTray(state: TrayState): TraySnapshot {
  const sizes = (pixmaps: TrayPixmap[]): string[] =>
    pixmaps.map((pixmap) => `${pixmap.width}x${pixmap.height}`);
  return {
    ...state,
    items: state.items.map((item) => ({
      ...item,
      iconPixmaps: sizes(item.iconPixmaps),
      attentionPixmaps: sizes(item.attentionPixmaps),
    })),
  };
}
