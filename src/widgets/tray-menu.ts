import type { DbusMenuClient } from '../tray/menu-client.js';
import type { MenuEntry } from '../tray/menu-state.js';
import { describeError, log } from '../util/log.js';
import { Gtk, addClasses, type GtkWidget } from './gtk.js';
import { popUpMenu, type MenuTrigger } from './popup-menu.js';

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

/**
 * Pops up the item's menu under `anchor`, its layout read fresh (AboutToShow, then GetLayout);
 * resolves once it is up. While it is open, a changed layout is shown at once. `trigger` is the
 * click that asked for it, if a click did.
 */
export async function popUpTrayMenu(
  anchor: GtkWidget,
  client: DbusMenuClient,
  trigger: MenuTrigger | null = null,
): Promise<void> {
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
      popUpMenu(menu, anchor, resolve, stop, trigger);
    });
  });
}
