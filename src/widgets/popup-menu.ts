import { log } from '../util/log.js';
import { Gdk, GLib, Gtk, GtkLayerShell, type GtkWidget } from './gtk.js';

/*
 * The one way a bar pops up a menu (a container's, a tray item's): one menu open at a time, the
 * keyboard given to the bar while it is open so that Escape and the arrows reach it, and the
 * menu closed with the widget it hangs from (a bar rebuilt after a config change).
 */

type GtkMenu = InstanceType<typeof Gtk.Menu>;
/** The click that opens a menu, copied while it was current (GTK frees its own after it). */
export type MenuTrigger = InstanceType<typeof Gdk.Event>;

/**
 * The event being handled now, as a copy the caller owns: what a click handler keeps for the
 * menu it pops up later (after a D-Bus round trip). Null outside an event's handler.
 */
export function currentMenuTrigger(): MenuTrigger | null {
  return Gtk.getCurrentEvent();
}

/**
 * The menus of one kind that `cexbar msg menu` opens by item: each module on a bar adds its
 * opener, which returns null when its bar does not show the item; the first bar that shows it
 * pops the menu up.
 */
export class MenuOpeners {
  readonly #openers = new Set<(item: string) => Promise<void> | null>();

  add(open: (item: string) => Promise<void> | null): void {
    this.#openers.add(open);
  }

  delete(open: (item: string) => Promise<void> | null): void {
    this.#openers.delete(open);
  }

  /** Resolves once the menu is up; rejects with `notShown` when no bar shows the item. */
  open(item: string, notShown: () => string): Promise<void> {
    for (const open of this.#openers) {
      const opening = open(item);
      if (opening !== null) return opening;
    }
    return Promise.reject(new Error(notShown()));
  }
}

/**
 * Whether the bar has the keyboard now. The generated types call `hasToplevelFocus` a property,
 * but node-gtk resolves the name to the method gtk_window_has_toplevel_focus().
 */
function hasKeyboard(window: InstanceType<typeof Gtk.Window>): boolean {
  return (window as unknown as { hasToplevelFocus(): boolean }).hasToplevelFocus();
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
    log.debug('menu', `popping up; the bar has the keyboard: ${String(hasKeyboard(window))}`);
    ready();
    return false;
  };
  GtkLayerShell.setKeyboardMode(window, GtkLayerShell.KeyboardMode.EXCLUSIVE);
  // The bar still has the keyboard from the menu just closed: no new focus-in will come.
  if (hasKeyboard(window)) {
    proceed();
  } else {
    window.on('focus-in-event', proceed);
    // A GLib timer, not a Node one: the menu is a new popup, shown from GTK's own callbacks.
    GLib.timeoutAdd(GLib.PRIORITY_DEFAULT, KEYBOARD_WAIT_MS, proceed);
    // The mode is surface state: it applies with the bar's next commit, which a redraw makes.
    window.queueDraw();
  }
  return () => {
    waiting = false;
    window.off('focus-in-event', proceed);
    GtkLayerShell.setKeyboardMode(window, GtkLayerShell.KeyboardMode.NONE);
  };
}

// What closes the menu open now (or still waiting for the keyboard), if there is one.
let closeOpenMenu: (() => void) | null = null;

/** Closes the bar's open menu, if one is open. */
export function closePopupMenu(): void {
  closeOpenMenu?.();
}

/**
 * Pops up `menu` under `anchor` once the bar has the keyboard, after closing any other open
 * menu; `up` is called once it is up (or at once, when it closed before). The menu is destroyed
 * when it closes, `closed` called then. `trigger` is the click that asked for it, which GTK
 * wants for the popup's grab (null from `cexbar msg menu`: GTK then warns that it has none).
 * Call it from a callback of the event loop (FIELD-NOTES).
 */
export function popUpMenu(
  menu: GtkMenu,
  anchor: GtkWidget,
  up: () => void,
  closed: () => void = () => undefined,
  trigger: MenuTrigger | null = null,
): void {
  closePopupMenu();
  let open = true;
  let waitedFor = false;
  const announce = (): void => {
    if (waitedFor) return;
    waitedFor = true;
    up();
  };
  let releaseKeyboard = (): void => undefined;
  const close = (): void => {
    if (!open) return;
    open = false;
    log.debug('menu', 'closed');
    if (closeOpenMenu === close) closeOpenMenu = null;
    anchor.off('destroy', close);
    releaseKeyboard();
    closed();
    // Closed before it popped up: the caller is waiting for it all the same.
    announce();
    menu.popdown();
    // Freed once GTK is done with it.
    setImmediate(() => menu.destroy());
  };
  closeOpenMenu = close;
  // Escape, a click outside or a chosen entry end the menu's grab with this signal.
  menu.on('deactivate', close);
  // A bar rebuilt (or an item gone) takes its menus with it.
  anchor.on('destroy', close);
  releaseKeyboard = holdKeyboard(anchor, () => {
    if (!open) return;
    menu.popupAtWidget(anchor, Gdk.Gravity.SOUTH_WEST, Gdk.Gravity.NORTH_WEST, trigger);
    announce();
  });
}
