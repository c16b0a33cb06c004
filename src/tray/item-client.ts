import type { MessageBus } from 'dbus-next';
import { Observable } from '../util/observable.js';
import { callMethod, getAllProperties, ITEM_INTERFACE, type SignalMessage } from './dbus.js';
import { DbusMenuClient } from './menu-client.js';
import { keyOf, parseItemProperties, type ItemAddress, type TrayItemState } from './item-state.js';

/*
 * One StatusNotifierItem: its properties as current state, read again whenever the item signals
 * a change (NewIcon, NewToolTip, NewStatus...), and the calls a click makes.
 */

/** The item's signals that say "read my properties again". */
const CHANGE_SIGNALS = new Set([
  'NewTitle',
  'NewIcon',
  'NewAttentionIcon',
  'NewOverlayIcon',
  'NewToolTip',
  'NewStatus',
  'NewMenu',
]);

export class TrayItemClient extends Observable<TrayItemState | null> {
  readonly address: ItemAddress;
  /** The unique name behind the address: signals carry it as their sender. */
  readonly owner: string;
  readonly #bus: MessageBus;
  #menu: DbusMenuClient | null = null;
  #reading: Promise<void> | null = null;
  #readAgain = false;
  #closed = false;

  constructor(bus: MessageBus, address: ItemAddress, owner: string) {
    super(null);
    this.#bus = bus;
    this.address = address;
    this.owner = owner;
  }

  get key(): string {
    return keyOf(this.address);
  }

  /** Reads the properties; when a read is under way, one more follows it. */
  refresh(): Promise<void> {
    if (this.#reading !== null) {
      this.#readAgain = true;
      return this.#reading;
    }
    this.#reading = this.#read().finally(() => {
      this.#reading = null;
      if (this.#readAgain && !this.#closed) {
        this.#readAgain = false;
        void this.refresh();
      }
    });
    return this.#reading;
  }

  async #read(): Promise<void> {
    const properties = await getAllProperties(
      this.#bus,
      this.owner,
      this.address.path,
      ITEM_INTERFACE,
    );
    if (this.#closed) return;
    this.set(parseItemProperties(this.key, properties));
  }

  /** Called by the tray for every signal this item's owner sends. */
  handleSignal(signal: SignalMessage): void {
    if (signal.interface === ITEM_INTERFACE && signal.path === this.address.path) {
      if (CHANGE_SIGNALS.has(signal.member)) void this.refresh().catch(() => undefined);
      return;
    }
    this.#menu?.handleSignal(signal);
  }

  #callItem(member: string, signature: string, body: unknown[]): Promise<unknown[]> {
    return callMethod(this.#bus, {
      destination: this.owner,
      path: this.address.path,
      interface: ITEM_INTERFACE,
      member,
      signature,
      body,
    });
  }

  /** A left click: x and y are where on the screen, as far as the panel knows. */
  async activate(x: number, y: number): Promise<void> {
    await this.#callItem('Activate', 'ii', [Math.round(x), Math.round(y)]);
  }

  /** A middle click. */
  async secondaryActivate(x: number, y: number): Promise<void> {
    await this.#callItem('SecondaryActivate', 'ii', [Math.round(x), Math.round(y)]);
  }

  /** A scroll over the icon: steps, and "vertical" or "horizontal". */
  async scroll(delta: number, orientation: 'vertical' | 'horizontal'): Promise<void> {
    await this.#callItem('Scroll', 'is', [Math.round(delta), orientation]);
  }

  /** Asks the item to show its own menu: for items without a dbusmenu. */
  async contextMenu(x: number, y: number): Promise<void> {
    await this.#callItem('ContextMenu', 'ii', [Math.round(x), Math.round(y)]);
  }

  /** The item's dbusmenu, made on first use and then kept up to date; null without one. */
  menu(): DbusMenuClient | null {
    const path = this.state?.menuPath ?? null;
    if (path === null) return null;
    if (this.#menu === null || this.#menu.path !== path) {
      this.#menu?.close();
      this.#menu = new DbusMenuClient(this.#bus, this.owner, path);
    }
    return this.#menu;
  }

  close(): void {
    this.#closed = true;
    this.#menu?.close();
  }
}
