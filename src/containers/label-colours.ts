/*
 * Each container has a label colour: its tag on the bar and its mark in Sway's title bars show
 * it, so that a glance tells which container a window belongs to. No I/O here.
 */

/** The palette, in the order the config's documentation lists it. */
export const LABEL_COLOURS = [
  'red',
  'orange',
  'yellow',
  'green',
  'grey',
  'blue',
  'purple',
  'black',
] as const;

export type LabelColour = (typeof LABEL_COLOURS)[number];

/**
 * Each colour as a tag background and the text colour readable on it. ui/style.css holds the
 * same values in its `.label-NAME` classes.
 */
export const LABEL_COLOUR_HEX: Record<LabelColour, { background: string; text: string }> = {
  red: { background: '#d64545', text: '#ffffff' },
  orange: { background: '#e8833a', text: '#000000' },
  yellow: { background: '#f2cc3d', text: '#000000' },
  green: { background: '#3f9e55', text: '#ffffff' },
  grey: { background: '#8a919c', text: '#000000' },
  blue: { background: '#3a7bd5', text: '#ffffff' },
  purple: { background: '#8e5cc9', text: '#ffffff' },
  black: { background: '#0b0c0e', text: '#ffffff' },
};

/**
 * The colours a container without one of its own gets: the six hues, so that a default never
 * looks like the neutral host tag (grey) or the bar itself (black).
 */
const DEFAULT_PICKS: readonly LabelColour[] = [
  'red',
  'orange',
  'yellow',
  'green',
  'blue',
  'purple',
];

/** FNV-1a over the name's UTF-16 code units: the same name gives the same colour everywhere. */
function hashName(name: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < name.length; index += 1) {
    hash ^= name.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The colour the config gives a container, or the stable pick by its name. */
export function labelColourOf(name: string, configured?: LabelColour): LabelColour {
  if (configured !== undefined) return configured;
  return DEFAULT_PICKS[hashName(name) % DEFAULT_PICKS.length] ?? 'grey';
}
