/*
 * Which window buttons fit in the room the bar leaves the windows module, without GTK: the
 * widget measures its tags and buttons, this decides, and the windows left out are summarised
 * by a "+N" button. Kept apart so that the rule can be tested with plain numbers.
 */

/** A window's button as measured: the fewest pixels it can take (its title cut short). */
export interface MeasuredWindow {
  id: number;
  width: number;
  /** Always shown, whatever else has to give way. */
  focused: boolean;
  /** Shown before the windows that merely come first, when there is room. */
  urgent: boolean;
}

/** A group as measured: its owner tag's width, then its windows in the bar's order. */
export interface MeasuredGroup {
  tagWidth: number;
  windows: MeasuredWindow[];
}

export interface OverflowInput {
  groups: MeasuredGroup[];
  /** The pixels the windows module may take; null before GTK allocated the bar once. */
  budget: number | null;
  /** The "+N" button's width, measured with the largest N it can show. */
  indicatorWidth: number;
  /** The pixels between two groups (the row's spacing). */
  spacing: number;
}

export interface OverflowChoice {
  /** The windows shown, by con_id. */
  shown: Set<number>;
  /** The windows left out, in the bar's order: the "+N" button's menu lists them. */
  hidden: number[];
}

/** The pixels the given windows take, each group's tag counted once and spacing between groups. */
function widthOf(groups: MeasuredGroup[], included: Set<number>, spacing: number): number {
  let width = 0;
  let groupsShown = 0;
  for (const group of groups) {
    const windows = group.windows.filter((window) => included.has(window.id));
    if (windows.length === 0) continue;
    groupsShown += 1;
    width += group.tagWidth + windows.reduce((sum, window) => sum + window.width, 0);
  }
  return width + groupsShown * spacing;
}

/**
 * Shows every window when all fit; otherwise the focused one whatever its width, the urgent
 * ones that fit, then the others from the start of the bar while they fit beside a "+N"
 * button. The budget comes from the bar, not from what this module shows, so that a choice
 * cannot change its own input (no layout loop).
 */
export function chooseShownWindows(input: OverflowInput): OverflowChoice {
  const all = input.groups.flatMap((group) => group.windows);
  const everyId = new Set(all.map((window) => window.id));
  const { budget, spacing } = input;
  // The spacing counted per group covers the gap before the "+N" button as well.
  if (budget === null || widthOf(input.groups, everyId, spacing) <= budget + spacing) {
    return { shown: everyId, hidden: [] };
  }
  const room = budget - input.indicatorWidth;
  const shown = new Set<number>();
  for (const window of all.filter((w) => w.focused)) shown.add(window.id);
  for (const window of all.filter((w) => w.urgent && !w.focused)) {
    if (fitsWith(input.groups, shown, window.id, room, spacing)) shown.add(window.id);
  }
  for (const window of all) {
    if (shown.has(window.id)) continue;
    if (!fitsWith(input.groups, shown, window.id, room, spacing)) break;
    shown.add(window.id);
  }
  return { shown, hidden: all.filter((window) => !shown.has(window.id)).map((w) => w.id) };
}

function fitsWith(
  groups: MeasuredGroup[],
  shown: Set<number>,
  id: number,
  room: number,
  spacing: number,
): boolean {
  return widthOf(groups, new Set([...shown, id]), spacing) <= room;
}
