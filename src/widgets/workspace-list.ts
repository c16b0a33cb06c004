import { sortWorkspaces, type SwayWorkspaceState } from '../sway/state.js';

/*
 * Which workspaces a bar's workspaces module shows, in which order, without GTK: Sway's own
 * workspaces on the bar's output (or on every output), and the config's persistent workspaces
 * that Sway does not have now. Numbered ones by number, named ones by name, as Sway sorts them.
 */

export interface WorkspaceButtonState {
  name: string;
  focused: boolean;
  visible: boolean;
  urgent: boolean;
  /** False for a persistent workspace of the config that Sway does not have now. */
  exists: boolean;
}

export interface WorkspaceListOptions {
  /** The bar's output; null when it is not known (every workspace is shown then). */
  outputName: string | null;
  /** Show the workspaces of every output, not only the bar's. */
  allOutputs: boolean;
  /** Names shown even when Sway has no such workspace. */
  persistent: readonly string[];
}

/** The number Sway gives a workspace of this name: its leading digits, or -1 without them. */
export function workspaceNumberOf(name: string): number {
  const digits = /^\d+/.exec(name);
  return digits === null ? -1 : Number(digits[0]);
}

function placeholder(name: string, output: string): SwayWorkspaceState {
  const common = { focused: false, visible: false, urgent: false };
  return { id: -1, name, num: workspaceNumberOf(name), output, ...common };
}

export function workspacesToShow(
  workspaces: readonly SwayWorkspaceState[],
  options: WorkspaceListOptions,
): WorkspaceButtonState[] {
  const onBar = (workspace: SwayWorkspaceState): boolean =>
    options.allOutputs || options.outputName === null || workspace.output === options.outputName;
  const existing = new Set(workspaces.map((workspace) => workspace.name));
  // A persistent workspace that exists shows on its own output only, like any other.
  const missing = options.persistent
    .filter((name, index) => !existing.has(name) && options.persistent.indexOf(name) === index)
    .map((name) => placeholder(name, options.outputName ?? ''));
  const shown = sortWorkspaces([...workspaces.filter(onBar), ...missing]);
  return shown.map(({ name, focused, visible, urgent, id }) => ({
    name,
    focused,
    visible,
    urgent,
    exists: id !== -1,
  }));
}

/**
 * The workspace a scroll switches to: the one after (or before) the focused one in the shown
 * list, or after the visible one when the focus is on another output. Null at either end: a
 * scroll does not wrap around.
 */
export function neighbourWorkspace(
  shown: readonly WorkspaceButtonState[],
  direction: 'next' | 'previous',
): string | null {
  let current = shown.findIndex((workspace) => workspace.focused);
  if (current < 0) current = shown.findIndex((workspace) => workspace.visible);
  if (current < 0) return null;
  const next = current + (direction === 'next' ? 1 : -1);
  return shown[next]?.name ?? null;
}
