import { Variant, type MessageBus } from 'dbus-next';
import { describeError, log } from '../util/log.js';
import { Observable } from '../util/observable.js';
import { callMethod, MENU_INTERFACE, type SignalMessage } from './dbus.js';
import { parseMenuNode, type MenuEntry } from './menu-state.js';

/*
 * One item's com.canonical.dbusmenu: its layout as current state, fetched again when the item
 * says it changed (LayoutUpdated, ItemsPropertiesUpdated), and the events a menu sends back.
 */

export interface MenuState {
  /** The root entry; its children are the menu. Null until the first GetLayout answered. */
  root: MenuEntry | null;
  error: string | null;
}

export class DbusMenuClient extends Observable<MenuState> {
  readonly #bus: MessageBus;
  readonly #owner: string;
  readonly path: string;
  #closed = false;

  /** `owner` is the unique bus name the item's signals come from. */
  constructor(bus: MessageBus, owner: string, path: string) {
    super({ root: null, error: null });
    this.#bus = bus;
    this.#owner = owner;
    this.path = path;
  }

  #call(member: string, signature: string, body: unknown[]): Promise<unknown[]> {
    return callMethod(this.#bus, {
      destination: this.#owner,
      path: this.path,
      interface: MENU_INTERFACE,
      member,
      signature,
      body,
    });
  }

  /** Reads the whole tree again; a failure keeps the last layout and says why. */
  async refresh(): Promise<void> {
    try {
      const [, layout] = await this.#call('GetLayout', 'iias', [0, -1, []]);
      if (this.#closed) return;
      const root = parseMenuNode(layout);
      if (root === null) throw new Error('GetLayout answered something that is not a layout');
      this.set({ root, error: null });
    } catch (error) {
      if (this.#closed) return;
      log.debug('tray', `${this.#owner}${this.path}: menu layout failed (${describeError(error)})`);
      this.set({ root: this.state.root, error: describeError(error) });
    }
  }

  /** Tells the item its menu is about to show, then reads the layout it may have changed. */
  async aboutToShow(): Promise<void> {
    try {
      await this.#call('AboutToShow', 'i', [0]);
    } catch {
      // Optional for items: many answer it with an error and work without.
    }
    await this.refresh();
  }

  /** Sends "clicked" (or another event) for one entry, as a menu does when it is activated. */
  async event(id: number, eventId = 'clicked'): Promise<void> {
    const timestamp = Math.floor(Date.now() / 1000) >>> 0;
    await this.#call('Event', 'isvu', [id, eventId, new Variant('i', 0), timestamp]);
  }

  /** Called by the tray for every signal from this menu's owner. */
  handleSignal(signal: SignalMessage): void {
    if (signal.interface !== MENU_INTERFACE || signal.path !== this.path) return;
    if (signal.member === 'LayoutUpdated' || signal.member === 'ItemsPropertiesUpdated') {
      void this.refresh();
    }
  }

  close(): void {
    this.#closed = true;
  }
}
