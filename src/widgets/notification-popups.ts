import type { Config } from '../config/schema.js';
import type { Notification } from '../notifications/notification.js';
import type { NotificationsState } from '../notifications/notification-store.js';
import {
  GLib,
  Gtk,
  GtkLayerShell,
  Pango,
  addClasses,
  clearBox,
  type GdkMonitor,
  type GtkBox,
  type GtkWindow,
} from './gtk.js';
import type { StateSource } from './module.js';

/*
 * The popups of desktop notifications: one layer-shell window on the overlay layer, in a corner
 * of the focused output, holding a card per notification, the newest first. Every text is set
 * as plain text (setText, never markup): what a program sends is shown exactly as sent.
 */

type NotificationsConfig = Config['notifications'];

export interface NotificationPopupsOptions {
  notifications: StateSource<NotificationsState>;
  config(): NotificationsConfig;
  /** The monitor of Sway's focused output, where new popups appear. */
  focusedMonitor(): GdkMonitor | null;
  close(id: number): void;
  invoke(id: number, key: string): void;
}

export interface NotificationPopups {
  /** Renders again with the current config (its corner, width, count). */
  refresh(): void;
  destroy(): void;
}

const MARGIN = 8;

function textLabel(text: string, className: string, wrap: boolean): InstanceType<typeof Gtk.Label> {
  const label = new Gtk.Label({ label: '' });
  label.setText(text);
  label.setXalign(0);
  addClasses(label, className);
  if (wrap) {
    label.setLineWrap(true);
    label.setLineWrapMode(Pango.WrapMode.WORD_CHAR);
  } else {
    label.setEllipsize(Pango.EllipsizeMode.END);
  }
  return label;
}

function createHeader(notification: Notification, options: NotificationPopupsOptions): GtkBox {
  const header = new Gtk.Box({ orientation: Gtk.Orientation.HORIZONTAL, spacing: 6 });
  const appName = textLabel(notification.appName, 'app-name', false);
  appName.setHexpand(true);
  header.packStart(appName, true, true, 0);
  const close = new Gtk.Button({ label: '✕' });
  addClasses(close, 'close');
  close.setTooltipText('Close');
  close.on('clicked', () => options.close(notification.id));
  header.packEnd(close, false, false, 0);
  return header;
}

function createActions(notification: Notification, options: NotificationPopupsOptions): GtkBox {
  const row = new Gtk.Box({ orientation: Gtk.Orientation.HORIZONTAL, spacing: 4 });
  addClasses(row, 'actions');
  for (const action of notification.actions) {
    // No label property: the button's own label would parse mnemonics; this child is plain text.
    const button = new Gtk.Button();
    button.add(textLabel(action.label, 'action', false));
    button.on('clicked', () => options.invoke(notification.id, action.key));
    row.packStart(button, true, true, 0);
  }
  return row;
}

/** One card: app name and close button, summary, body, action buttons. */
function createCard(notification: Notification, options: NotificationPopupsOptions): GtkBox {
  const card = new Gtk.Box({ orientation: Gtk.Orientation.VERTICAL, spacing: 4 });
  addClasses(card, 'notification', notification.urgency);
  card.packStart(createHeader(notification, options), false, false, 0);
  card.packStart(textLabel(notification.summary, 'summary', true), false, false, 0);
  if (notification.body !== '') {
    card.packStart(textLabel(notification.body, 'body', true), false, false, 0);
  }
  if (notification.actions.length > 0) {
    card.packStart(createActions(notification, options), false, false, 0);
  }
  return card;
}

function createWindow(monitor: GdkMonitor | null, config: NotificationsConfig): GtkWindow {
  const window = new Gtk.Window({ type: Gtk.WindowType.TOPLEVEL, title: 'cexbar notifications' });
  window.setDecorated(false);
  addClasses(window, 'cexbar-notifications');
  // Transparent around the cards' rounded corners, where the compositor allows it.
  const visual = window.getScreen().getRgbaVisual();
  if (visual !== null) window.setVisual(visual);
  if (GtkLayerShell.isSupported()) {
    GtkLayerShell.initForWindow(window);
    GtkLayerShell.setNamespace(window, 'cexbar-notifications');
    GtkLayerShell.setLayer(window, GtkLayerShell.Layer.OVERLAY);
    if (monitor !== null) GtkLayerShell.setMonitor(window, monitor);
    const [vertical, horizontal] = config.position.split('-');
    const edges = [
      vertical === 'top' ? GtkLayerShell.Edge.TOP : GtkLayerShell.Edge.BOTTOM,
      horizontal === 'right' ? GtkLayerShell.Edge.RIGHT : GtkLayerShell.Edge.LEFT,
    ];
    for (const edge of edges) {
      GtkLayerShell.setAnchor(window, edge, true);
      GtkLayerShell.setMargin(window, edge, MARGIN);
    }
  }
  return window;
}

/** Follows the notifications and keeps the popup window in step; GTK work runs in GTK's idle. */
export function createNotificationPopups(options: NotificationPopupsOptions): NotificationPopups {
  let window: GtkWindow | null = null;
  let column: GtkBox | null = null;
  let shownOn: { monitor: GdkMonitor | null; position: string } | null = null;
  let scheduled = false;
  let destroyed = false;

  const removeWindow = (): void => {
    window?.destroy();
    window = null;
    column = null;
    shownOn = null;
  };

  const render = (): void => {
    const config = options.config();
    const shown = options.notifications.state.notifications.slice(-config.maxShown).reverse();
    if (shown.length === 0) {
      removeWindow();
      return;
    }
    const monitor = options.focusedMonitor();
    // A window stays on its output; a popup on another output (or corner) needs a new one.
    if (shownOn?.monitor !== monitor || shownOn.position !== config.position) removeWindow();
    if (window === null || column === null) {
      window = createWindow(monitor, config);
      column = new Gtk.Box({ orientation: Gtk.Orientation.VERTICAL, spacing: 6 });
      window.add(column);
      shownOn = { monitor, position: config.position };
    }
    clearBox(column);
    column.setSizeRequest(config.width, -1);
    for (const notification of shown)
      column.packStart(createCard(notification, options), false, false, 0);
    window.showAll();
    // A window grows by itself, not back: ask for the smallest size that fits the cards.
    window.resize(1, 1);
  };

  // Showing a layer-shell window from a Node callback hangs under node-gtk: GTK's idle it is.
  const scheduleRender = (): void => {
    if (scheduled) return;
    scheduled = true;
    GLib.idleAdd(GLib.PRIORITY_DEFAULT, () => {
      scheduled = false;
      if (!destroyed) render();
      return false;
    });
  };
  const unsubscribe = options.notifications.subscribe(scheduleRender);

  return {
    refresh: scheduleRender,
    destroy: () => {
      destroyed = true;
      unsubscribe();
      removeWindow();
    },
  };
}
