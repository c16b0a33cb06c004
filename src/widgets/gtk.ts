import * as gi from 'node-gtk';

/*
 * The GObject namespaces the widgets use, loaded once. Only the panel itself imports this file:
 * the CLI's other commands never pay node-gtk's start-up cost.
 */
export const Gtk = gi.require('Gtk', '3.0');
export const Gdk = gi.require('Gdk', '3.0');
export const GLib = gi.require('GLib', '2.0');
export const Pango = gi.require('Pango', '1.0');
export const GtkLayerShell = gi.require('GtkLayerShell', '0.1');

export type GtkWidget = InstanceType<typeof Gtk.Widget>;
export type GtkBox = InstanceType<typeof Gtk.Box>;
export type GtkWindow = InstanceType<typeof Gtk.Window>;
export type GtkLabel = InstanceType<typeof Gtk.Label>;
export type GtkButton = InstanceType<typeof Gtk.Button>;
export type GdkMonitor = InstanceType<typeof Gdk.Monitor>;

/** Sets the CSS classes a widget should have among `managed`, adding and removing as needed. */
export function setClasses(widget: GtkWidget, managed: readonly string[], wanted: string[]): void {
  const context = widget.getStyleContext();
  for (const name of managed) {
    if (wanted.includes(name)) context.addClass(name);
    else context.removeClass(name);
  }
}

/** Adds fixed CSS classes, such as `widget` and the module's name. */
export function addClasses(widget: GtkWidget, ...names: string[]): void {
  const context = widget.getStyleContext();
  for (const name of names) context.addClass(name);
}

/** Removes and destroys every child of a box. */
export function clearBox(box: GtkBox): void {
  for (const child of box.getChildren()) {
    box.remove(child);
    child.destroy();
  }
}
