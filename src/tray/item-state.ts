import { ITEM_DEFAULT_PATH } from './dbus.js';

/*
 * A StatusNotifierItem as the tray shows it, read from the item's D-Bus properties. Types and
 * pure functions only: the item client fills them in, the widget renders them, tests read them.
 */

export const ITEM_STATUSES = ['Passive', 'Active', 'NeedsAttention'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

/** One size of an icon: ARGB32 pixels in network byte order, as the item sends them. */
export interface TrayPixmap {
  width: number;
  height: number;
  argb: Buffer;
}

export interface TrayToolTip {
  title: string;
  text: string;
}

export interface TrayItemState {
  /** How the item registered: its bus name and object path, "NAME/PATH". */
  key: string;
  /** The item's own Id, what `cexbar msg activate tray ID` names it by. */
  id: string;
  title: string;
  status: ItemStatus;
  iconName: string;
  /** A folder the item's own icon theme lives in, searched before the user's theme. */
  iconThemePath: string;
  iconPixmaps: TrayPixmap[];
  attentionIconName: string;
  attentionPixmaps: TrayPixmap[];
  toolTip: TrayToolTip | null;
  /** The item only has a menu: a left click opens it instead of Activate. */
  itemIsMenu: boolean;
  /** The object path of its com.canonical.dbusmenu, or null when it has none. */
  menuPath: string | null;
}

/** Where an item lives on the bus: the bus name to call and the object path. */
export interface ItemAddress {
  busName: string;
  path: string;
}

/**
 * The address in a registration. Items register with their bus name (the path is then the
 * default one), an object path (the caller's own name then), or "NAME/PATH" as watchers list.
 */
export function parseItemAddress(registered: string, sender: string): ItemAddress | null {
  if (registered.startsWith('/')) return { busName: sender, path: registered };
  const slash = registered.indexOf('/');
  const busName = slash < 0 ? registered : registered.slice(0, slash);
  const path = slash < 0 ? ITEM_DEFAULT_PATH : registered.slice(slash);
  if (!/^(:[\w.-]+|[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)+)$/.test(busName)) return null;
  if (!/^(\/[\w]+)+$|^\/$/.test(path)) return null;
  return { busName, path };
}

export function keyOf(address: ItemAddress): string {
  return `${address.busName}${address.path}`;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function asBuffer(value: unknown): Buffer | null {
  if (Buffer.isBuffer(value)) return value;
  if (Array.isArray(value) && value.every((byte) => typeof byte === 'number')) {
    return Buffer.from(value);
  }
  return null;
}

/** An a(iiay) value; sizes whose data does not hold width × height pixels are dropped. */
export function parsePixmaps(value: unknown): TrayPixmap[] {
  if (!Array.isArray(value)) return [];
  const pixmaps: TrayPixmap[] = [];
  for (const entry of value) {
    if (!Array.isArray(entry)) continue;
    const [width, height, data] = entry as unknown[];
    const argb = asBuffer(data);
    if (typeof width !== 'number' || typeof height !== 'number' || argb === null) continue;
    if (width <= 0 || height <= 0 || width > 1024 || height > 1024) continue;
    if (argb.length < width * height * 4) continue;
    pixmaps.push({ width, height, argb });
  }
  return pixmaps;
}

/** A (sa(iiay)ss) tooltip: only its title and text are shown. */
function parseToolTip(value: unknown): TrayToolTip | null {
  if (!Array.isArray(value)) return null;
  const [, , title, body] = value as unknown[];
  const tip = { title: text(title), text: text(body) };
  return tip.title === '' && tip.text === '' ? null : tip;
}

function parseStatus(value: unknown): ItemStatus {
  return ITEM_STATUSES.find((status) => status === value) ?? 'Active';
}

/** The item's state from its properties (GetAll); what is missing or malformed reads empty. */
export function parseItemProperties(
  key: string,
  properties: Record<string, unknown>,
): TrayItemState {
  const menu = text(properties.Menu);
  return {
    key,
    id: text(properties.Id),
    title: text(properties.Title),
    status: parseStatus(properties.Status),
    iconName: text(properties.IconName),
    iconThemePath: text(properties.IconThemePath),
    iconPixmaps: parsePixmaps(properties.IconPixmap),
    attentionIconName: text(properties.AttentionIconName),
    attentionPixmaps: parsePixmaps(properties.AttentionIconPixmap),
    toolTip: parseToolTip(properties.ToolTip),
    itemIsMenu: properties.ItemIsMenu === true,
    // "/NO_DBUSMENU" is how libappindicator and Qt say "no menu".
    menuPath: menu === '' || menu === '/' || menu === '/NO_DBUSMENU' ? null : menu,
  };
}

/** The pixmap nearest `size` (a larger one first, since scaling down blurs less). */
export function choosePixmap(pixmaps: readonly TrayPixmap[], size: number): TrayPixmap | null {
  let best: TrayPixmap | null = null;
  const distance = (pixmap: TrayPixmap): number => {
    const side = Math.max(pixmap.width, pixmap.height);
    return side >= size ? side - size : (size - side) * 2;
  };
  for (const pixmap of pixmaps) {
    if (best === null || distance(pixmap) < distance(best)) best = pixmap;
  }
  return best;
}

/** ARGB32 in network byte order to the RGBA bytes GdkPixbuf takes. */
export function argbToRgba(argb: Buffer): Buffer {
  const rgba = Buffer.alloc(argb.length);
  for (let offset = 0; offset + 3 < argb.length; offset += 4) {
    rgba[offset] = argb[offset + 1] ?? 0;
    rgba[offset + 1] = argb[offset + 2] ?? 0;
    rgba[offset + 2] = argb[offset + 3] ?? 0;
    rgba[offset + 3] = argb[offset] ?? 0;
  }
  return rgba;
}

/** The icon the item wants shown now: the attention one while it needs attention, if it has one. */
export function shownIcon(item: TrayItemState): { name: string; pixmaps: TrayPixmap[] } {
  const attention = item.attentionIconName !== '' || item.attentionPixmaps.length > 0;
  if (item.status === 'NeedsAttention' && attention) {
    return { name: item.attentionIconName, pixmaps: item.attentionPixmaps };
  }
  return { name: item.iconName, pixmaps: item.iconPixmaps };
}
