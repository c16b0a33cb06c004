import type { SwayNode, SwayOutput, SwayWorkspace } from './schemas.js';

/*
 * The state the rest of cexbar reads, built from Sway's replies without any I/O: plain values
 * in a stable order, so that two reads of an unchanged Sway give equal states and the client's
 * Observable stays quiet.
 */

export interface SwayWorkspaceState {
  id: number;
  name: string;
  num: number;
  output: string;
  focused: boolean;
  visible: boolean;
  urgent: boolean;
}

export interface SwayViewState {
  /** The con_id commands address it by. */
  id: number;
  pid: number | null;
  title: string;
  appId: string | null;
  /** Null for a view in the scratchpad. */
  workspace: string | null;
  /** Null for a view in the scratchpad. */
  output: string | null;
  focused: boolean;
  urgent: boolean;
}

export interface SwayOutputState {
  name: string;
  active: boolean;
  rect: { x: number; y: number; width: number; height: number };
  focused: boolean;
}

export interface SwayState {
  connected: boolean;
  socketPath: string | null;
  outputs: SwayOutputState[];
  /** Numbered workspaces by number, then named ones by name. */
  workspaces: SwayWorkspaceState[];
  /** Every view, in tree order (tiled children before floating ones at each level). */
  views: SwayViewState[];
  focusedView: SwayViewState | null;
  /** The binding mode now active: "default" unless a `mode` command entered another. */
  mode: string;
  /** How many windows the scratchpad holds. */
  scratchpadCount: number;
}

export interface SwayReplies {
  workspaces: SwayWorkspace[];
  outputs: SwayOutput[];
  tree: SwayNode;
  /** GET_BINDING_STATE's name; "default" when not asked. */
  mode?: string;
}

/** The binding mode Sway starts in and returns to. */
export const DEFAULT_MODE = 'default';

/** The hidden output and workspace that hold the scratchpad. */
const SCRATCHPAD_OUTPUT = '__i3';
const SCRATCHPAD_WORKSPACE = '__i3_scratch';

const VIEW_NODE_TYPES = new Set(['con', 'floating_con']);

export function disconnectedState(socketPath: string | null): SwayState {
  return {
    connected: false,
    socketPath,
    outputs: [],
    workspaces: [],
    views: [],
    focusedView: null,
    mode: DEFAULT_MODE,
    scratchpadCount: 0,
  };
}

export function buildSwayState(socketPath: string, replies: SwayReplies): SwayState {
  const views = collectViews(replies.tree);
  return {
    connected: true,
    socketPath,
    outputs: replies.outputs.map(toOutputState),
    workspaces: sortWorkspaces(replies.workspaces.map(toWorkspaceState)),
    views,
    focusedView: views.find((view) => view.focused) ?? null,
    mode: replies.mode ?? DEFAULT_MODE,
    // A view in the scratchpad is on no workspace; every other view is on one.
    scratchpadCount: views.filter((view) => view.workspace === null).length,
  };
}

function toOutputState(output: SwayOutput): SwayOutputState {
  const { x, y, width, height } = output.rect;
  return {
    name: output.name,
    active: output.active,
    rect: { x, y, width, height },
    focused: output.focused,
  };
}

function toWorkspaceState(workspace: SwayWorkspace): SwayWorkspaceState {
  const { id, name, num, output, focused, visible, urgent } = workspace;
  return { id, name, num, output, focused, visible, urgent };
}

/** Sway numbers a workspace whose name does not start with digits as -1. */
function isNumbered(workspace: SwayWorkspaceState): boolean {
  return workspace.num >= 0;
}

/** By code point, so that the order is the same in every locale. */
function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

export function sortWorkspaces(workspaces: SwayWorkspaceState[]): SwayWorkspaceState[] {
  return [...workspaces].sort((a, b) => {
    if (isNumbered(a) !== isNumbered(b)) return isNumbered(a) ? -1 : 1;
    // "1" and "1: mail" share a number; their names keep the order stable.
    if (a.num !== b.num) return a.num - b.num;
    return compareText(a.name, b.name);
  });
}

/** A view is a con with a client behind it; splits and tabs have neither pid nor app_id. */
function isView(node: SwayNode): boolean {
  if (!VIEW_NODE_TYPES.has(node.type)) return false;
  return node.pid !== null || node.app_id !== null || node.window !== null;
}

interface Place {
  workspace: string | null;
  output: string | null;
}

function placeInside(node: SwayNode, parent: Place): Place {
  if (node.type === 'output') {
    return { workspace: null, output: node.name === SCRATCHPAD_OUTPUT ? null : node.name };
  }
  if (node.type === 'workspace') {
    return { ...parent, workspace: node.name === SCRATCHPAD_WORKSPACE ? null : node.name };
  }
  return parent;
}

function toViewState(node: SwayNode, place: Place): SwayViewState {
  return {
    id: node.id,
    pid: node.pid,
    title: node.name ?? '',
    appId: node.app_id,
    workspace: place.workspace,
    output: place.output,
    focused: node.focused,
    urgent: node.urgent,
  };
}

export function collectViews(tree: SwayNode): SwayViewState[] {
  const views: SwayViewState[] = [];
  const visit = (node: SwayNode, parent: Place): void => {
    const place = placeInside(node, parent);
    if (isView(node)) views.push(toViewState(node, place));
    for (const child of node.nodes) visit(child, place);
    for (const child of node.floating_nodes) visit(child, place);
  };
  visit(tree, { workspace: null, output: null });
  return views;
}
