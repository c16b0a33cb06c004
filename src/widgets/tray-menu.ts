import type { DbusMenuClient } from '../tray/menu-client.js';
import type { MenuEntry } from '../tray/menu-state.js';
import { describeError, log } from '../util/log.js';
import { Gdk, GLib, Gtk, GtkLayerShell, addClasses, type GtkWidget } from './gtk.js';

/*
 * A tray item's dbusmenu as a GTK menu. It renders the menu client's layout, and follows it
 * while the menu is open; activating an entry sends the item its "clicked" event.
 */

type GtkMenu = InstanceType<typeof Gtk.Menu>;
type GtkMenuItem = InstanceType<typeof Gtk.MenuItem>;

function menuItemOf(entry: MenuEntry, client: DbusMenuClient): GtkMenuItem {
  if (entry.type === 'separator') return new Gtk.SeparatorMenuItem();
  let item: GtkMenuItem;
  if (entry.toggle === null) {
    item = new Gtk.MenuItem({ label: entry.label, useUnderline: true });
  } else {
    const check = new Gtk.CheckMenuItem({ label: entry.label, useUnderline: true });
    check.setDrawAsRadio(entry.toggle.type === 'radio');
    // Set before the handler exists: showing the state is not a click.
    check.setActive(entry.toggle.on);
    item = check;
  }
  item.setSensitive(entry.enabled);
  const visible = entry.children.filter((child) => child.visible);
  if (visible.length > 0) {
    const submenu = new Gtk.Menu();
    fillMenu(submenu, entry.children, client);
    item.setSubmenu(submenu);
  } else {
    item.on('activate', () => {
      client.event(entry.id).catch((error: unknown) => {
        log.warn('tray', `the menu entry ${entry.id} did not answer (${describeError(error)})`);
      });
    });
  }
  return item;
}

function fillMenu(menu: GtkMenu, entries: MenuEntry[], client: DbusMenuClient): void {
  for (const child of menu.getChildren()) {
    menu.remove(child);
    child.destroy();
  }
  for (const entry of entries) {
    if (!entry.visible) continue;
    menu.append(menuItemOf(entry, client));
  }
  menu.showAll();
}

/** How long the menu waits for the keyboard before it pops up without it. */
const KEYBOARD_WAIT_MS = 250;

/**
 * Gives the bar the keyboard while its menu is open, then calls `ready`; returns what takes
 * the keyboard back. In Sway 1.7 a popup's grab freezes the keyboard focus where it is, and a
 * bar has none: the bar must have it before the menu pops up, or no key reaches the menu
 * (GTK passes the bar's keys on to the open menu). Without focus within a moment (another
 * surface holds the keyboard exclusively), the menu pops up anyway.
 */
function holdKeyboard(anchor: GtkWidget, ready: () => void): () => void {
  const window = anchor.getToplevel();
  if (!(window instanceof Gtk.Window) || !GtkLayerShell.isLayerWindow(window)) {
    ready();
    return () => undefined;
  }
  let waiting = true;
  const proceed = (): boolean => {
    if (!waiting) return false;
    waiting = false;
    window.off('focus-in-event', proceed);
    ready();
    return false;
  };
  window.on('focus-in-event', proceed);
  // A GLib timer, not a Node one: the menu is a new popup, shown from GTK's own callbacks.
  GLib.timeoutAdd(GLib.PRIORITY_DEFAULT, KEYBOARD_WAIT_MS, proceed);
  GtkLayerShell.setKeyboardMode(window, GtkLayerShell.KeyboardMode.EXCLUSIVE);
  // The mode is surface state: it applies with the bar's next commit, which a redraw makes.
  window.queueDraw();
  return () => GtkLayerShell.setKeyboardMode(window, GtkLayerShell.KeyboardMode.NONE);
}

/**
 * Pops up the item's menu under `anchor`, its layout read fresh (AboutToShow, then GetLayout);
 * resolves once it is up. While it is open, a changed layout is shown at once.
 */
export async function popUpTrayMenu(anchor: GtkWidget, client: DbusMenuClient): Promise<void> {
  await client.aboutToShow();
  const root = client.state.root;
  if (root === null) {
    throw new Error(`the item's menu did not answer (${client.state.error ?? 'no layout'})`);
  }
  // From a callback of the event loop, not the microtask after the await (FIELD-NOTES).
  await new Promise<void>((resolve) => {
    setImmediate(() => {
      const menu = new Gtk.Menu();
      addClasses(menu, 'popup-tray');
      fillMenu(menu, root.children, client);
      const stop = client.subscribe((state) => {
        if (state.root !== null) fillMenu(menu, state.root.children, client);
      });
      const releaseKeyboard = holdKeyboard(anchor, () => {
        menu.popupAtWidget(anchor, Gdk.Gravity.SOUTH_WEST, Gdk.Gravity.NORTH_WEST, null);
        resolve();
      });
      menu.on('deactivate', () => {
        stop();
        releaseKeyboard();
        // Built anew each time: freed once GTK is done with it.
        setImmediate(() => menu.destroy());
      });
    });
  });
}
