import { Variant } from 'dbus-next';

/*
 * An item's com.canonical.dbusmenu as a tree, parsed from GetLayout's (ia{sv}av) answer.
 * Only what a GTK menu shows is kept; an unknown property or type is ignored.
 */

export interface MenuEntry {
  id: number;
  label: string;
  enabled: boolean;
  visible: boolean;
  type: 'standard' | 'separator';
  /** A check box or radio item and whether it is on; null for a plain one. */
  toggle: { type: 'checkmark' | 'radio'; on: boolean } | null;
  children: MenuEntry[];
}

function unwrap(value: unknown): unknown {
  return value instanceof Variant ? value.value : value;
}

function propertiesOf(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const properties: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(value as Record<string, unknown>)) {
    properties[name] = unwrap(property);
  }
  return properties;
}

function toggleOf(properties: Record<string, unknown>): MenuEntry['toggle'] {
  const type = properties['toggle-type'];
  if (type !== 'checkmark' && type !== 'radio') return null;
  return { type, on: properties['toggle-state'] === 1 };
}

/** One node of the layout and its children; null when it is not a (ia{sv}av). */
export function parseMenuNode(value: unknown): MenuEntry | null {
  const node = unwrap(value);
  if (!Array.isArray(node)) return null;
  const [id, rawProperties, rawChildren] = node as unknown[];
  if (typeof id !== 'number') return null;
  const properties = propertiesOf(rawProperties);
  const children = Array.isArray(rawChildren)
    ? rawChildren.map(parseMenuNode).filter((child) => child !== null)
    : [];
  return {
    id,
    label: typeof properties.label === 'string' ? properties.label : '',
    enabled: properties.enabled !== false,
    visible: properties.visible !== false,
    type: properties.type === 'separator' ? 'separator' : 'standard',
    toggle: toggleOf(properties),
    children,
  };
}

/** The entry with this id in the tree, or null. */
export function findEntry(root: MenuEntry, id: number): MenuEntry | null {
  if (root.id === id) return root;
  for (const child of root.children) {
    const found = findEntry(child, id);
    if (found !== null) return found;
  }
  return null;
}
