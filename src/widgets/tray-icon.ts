import * as gi from 'node-gtk';
import { isAbsolute } from 'node:path';
import { argbToRgba, choosePixmap, shownIcon, type TrayItemState } from '../tray/item-state.js';
import { GLib, Gtk } from './gtk.js';

/*
 * A tray item's icon as a pixbuf of the bar's icon size: by name from the icon theme (the item's
 * own theme folder first), or from the pixmap nearest that size, or null when it has neither.
 */

const GdkPixbuf = gi.require('GdkPixbuf', '2.0');

type Pixbuf = InstanceType<typeof GdkPixbuf.Pixbuf>;

// One theme per extra folder an item names: a theme rescans its folders when it is created.
const THEMES_BY_PATH = new Map<string, InstanceType<typeof Gtk.IconTheme>>();

function themeFor(iconThemePath: string): InstanceType<typeof Gtk.IconTheme> {
  if (iconThemePath === '') return Gtk.IconTheme.getDefault();
  let theme = THEMES_BY_PATH.get(iconThemePath);
  if (theme === undefined) {
    theme = Gtk.IconTheme.new();
    theme.appendSearchPath(iconThemePath);
    THEMES_BY_PATH.set(iconThemePath, theme);
  }
  return theme;
}

function fromName(name: string, iconThemePath: string, size: number): Pixbuf | null {
  try {
    if (isAbsolute(name)) return GdkPixbuf.Pixbuf.newFromFileAtSize(name, size, size);
    // No hasIcon() first: it ignores the unthemed icons an item's own folder often holds.
    return themeFor(iconThemePath).loadIcon(name, size, Gtk.IconLookupFlags.FORCE_SIZE);
  } catch {
    // No such icon, or a broken file: the pixmap or the fallback shows instead.
    return null;
  }
}

function fromPixmaps(item: TrayItemState, size: number): Pixbuf | null {
  const pixmap = choosePixmap(shownIcon(item).pixmaps, size);
  if (pixmap === null) return null;
  const rgba = argbToRgba(pixmap.argb.subarray(0, pixmap.width * pixmap.height * 4));
  // node-gtk passes a Buffer as the bytes it holds; the generated type says number[].
  const bytes = GLib.Bytes.new(rgba as unknown as number[]);
  const pixbuf = GdkPixbuf.Pixbuf.newFromBytes(
    bytes,
    GdkPixbuf.Colorspace.RGB,
    true,
    8,
    pixmap.width,
    pixmap.height,
    pixmap.width * 4,
  );
  if (pixmap.width === size && pixmap.height === size) return pixbuf;
  return pixbuf.scaleSimple(size, size, GdkPixbuf.InterpType.BILINEAR);
}

/** The pixbuf to show for the item now (its attention icon while it needs attention). */
export function iconPixbufOf(item: TrayItemState, size: number): Pixbuf | null {
  const { name } = shownIcon(item);
  const named = name === '' ? null : fromName(name, item.iconThemePath, size);
  return named ?? fromPixmaps(item, size);
}
