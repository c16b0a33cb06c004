import { readFileSync } from 'node:fs';
import type { SwayViewState } from '../sway/state.js';
import { Observable, type Unsubscribe } from '../util/observable.js';
import type { ContainersState } from './container-state.js';
import type { LabelColour } from './label-colours.js';
import { isValidContainerName } from './names.js';

/*
 * Which container owns each Sway window. Sway reports every view's host PID: a process inside a
 * container sits in the container's cgroup, which LXC names `lxc.payload.NAME`; a nested
 * compositor cexbar launched runs on the host, and is known by the PID the container service
 * recorded for its session; any other window is the host's.
 */

/** How an owner was found: the process's cgroup, a session's PID, or neither (the host). */
export type OwnerEvidence = 'cgroup' | 'session' | 'host';

export interface OwnedWindow {
  /** Sway's con_id. */
  id: number;
  pid: number | null;
  title: string;
  workspace: string | null;
  output: string | null;
  focused: boolean;
  urgent: boolean;
  /** The container's name, or null for the host. */
  owner: string | null;
  ownedBy: OwnerEvidence;
}

export interface WindowGroup {
  /** The container's name, or null for the host's windows. */
  owner: string | null;
  /** The container's label colour; null for the host, which has a neutral tag. */
  colour: LabelColour | null;
  windows: OwnedWindow[];
}

export interface WindowOwnersState {
  /** Containers in the bar's order, then containers it does not list by name, the host last. */
  groups: WindowGroup[];
}

/** Reads a process's /proc/PID/cgroup, or null when it cannot (the process is gone). */
export type CgroupReader = (pid: number) => string | null;

/** The sources the owners are derived from: the Sway client and the container service. */
export interface OwnerSources {
  sway: StateOf<{ views: readonly SwayViewState[] }>;
  containers: StateOf<ContainersState>;
  /** The label colour of a container by name. */
  colourOf: (name: string) => LabelColour;
  readCgroup?: CgroupReader;
}

interface StateOf<T> {
  readonly state: T;
  subscribe(listener: (state: T) => void): Unsubscribe;
}

const PAYLOAD_PREFIX = 'lxc.payload.';

export function readProcCgroup(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return null;
  }
}

/**
 * The container a /proc/PID/cgroup text places its process in: the `lxc.payload.NAME` folder of
 * any hierarchy (cgroup v1 lines, and the v2 line `0::/lxc.payload.NAME/.lxc` of an attached
 * process). LXC's own monitor sits in `lxc.monitor.NAME`, on the host side: not a payload.
 */
export function containerOfCgroup(text: string): string | null {
  for (const line of text.split('\n')) {
    const path = line.split(':').slice(2).join(':');
    for (const folder of path.split('/')) {
      if (!folder.startsWith(PAYLOAD_PREFIX)) continue;
      const name = folder.slice(PAYLOAD_PREFIX.length);
      if (isValidContainerName(name)) return name;
    }
  }
  return null;
}

/** The running sessions' compositor PIDs, each with its container. */
export function sessionPids(containers: ContainersState): Map<number, string> {
  const pids = new Map<number, string>();
  for (const container of containers.containers) {
    const session = container.running;
    if (session !== null && session.status !== 'exited') pids.set(session.pid, container.name);
  }
  return pids;
}

/** One view's owner: its cgroup's container first, then the session it is the window of. */
export function ownerOf(
  view: SwayViewState,
  cgroupOwner: string | null,
  sessions: ReadonlyMap<number, string>,
): Pick<OwnedWindow, 'owner' | 'ownedBy'> {
  if (cgroupOwner !== null) return { owner: cgroupOwner, ownedBy: 'cgroup' };
  const session = view.pid === null ? undefined : sessions.get(view.pid);
  if (session !== undefined) return { owner: session, ownedBy: 'session' };
  return { owner: null, ownedBy: 'host' };
}

function toOwnedWindow(
  view: SwayViewState,
  owner: Pick<OwnedWindow, 'owner' | 'ownedBy'>,
): OwnedWindow {
  const { id, pid, title, workspace, output, focused, urgent } = view;
  return { id, pid, title, workspace, output, focused, urgent, ...owner };
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Groups windows by owner, in the bar's container order; windows keep Sway's tree order. */
export function groupWindows(
  windows: readonly OwnedWindow[],
  containerOrder: readonly string[],
  colourOf: (name: string) => LabelColour,
): WindowGroup[] {
  const byOwner = new Map<string | null, OwnedWindow[]>();
  for (const window of windows) {
    const list = byOwner.get(window.owner) ?? [];
    list.push(window);
    byOwner.set(window.owner, list);
  }
  const known = containerOrder.filter((name) => byOwner.has(name));
  const others = [...byOwner.keys()]
    .filter((name): name is string => name !== null && !containerOrder.includes(name))
    .sort(byCodePoint);
  const groups: WindowGroup[] = [...known, ...others].map((name) => ({
    owner: name,
    colour: colourOf(name),
    windows: byOwner.get(name) ?? [],
  }));
  const host = byOwner.get(null);
  if (host !== undefined) groups.push({ owner: null, colour: null, windows: host });
  return groups;
}

/**
 * The owners of Sway's windows, kept current from the Sway client's and the container
 * service's states. A view's cgroup is read once for each PID it shows: a title change or a
 * focus change costs no read of /proc.
 */
export class WindowOwners extends Observable<WindowOwnersState> {
  readonly #sources: OwnerSources;
  readonly #readCgroup: CgroupReader;
  /** Per con_id, the PID its cgroup was read for and the container it named. */
  readonly #cgroups = new Map<number, { pid: number | null; owner: string | null }>();
  readonly #unsubscribes: Unsubscribe[];

  constructor(sources: OwnerSources) {
    super({ groups: [] });
    this.#sources = sources;
    this.#readCgroup = sources.readCgroup ?? readProcCgroup;
    this.#unsubscribes = [
      sources.sway.subscribe(() => {
        this.#update();
      }),
      sources.containers.subscribe(() => {
        this.#update();
      }),
    ];
    this.#update();
  }

  /** Stops following both sources. */
  close(): void {
    for (const unsubscribe of this.#unsubscribes.splice(0)) unsubscribe();
  }

  #update(): void {
    const views = this.#sources.sway.state.views;
    const containers = this.#sources.containers.state;
    const sessions = sessionPids(containers);
    this.#forgetGone(views);
    const windows = views.map((view) =>
      toOwnedWindow(view, ownerOf(view, this.#cgroupOwner(view), sessions)),
    );
    const order = containers.containers.map((container) => container.name);
    this.set({ groups: groupWindows(windows, order, this.#sources.colourOf) });
  }

  #cgroupOwner(view: SwayViewState): string | null {
    const known = this.#cgroups.get(view.id);
    if (known?.pid === view.pid) return known.owner;
    const text = view.pid === null ? null : this.#readCgroup(view.pid);
    const owner = text === null ? null : containerOfCgroup(text);
    this.#cgroups.set(view.id, { pid: view.pid, owner });
    return owner;
  }

  #forgetGone(views: readonly SwayViewState[]): void {
    const present = new Set(views.map((view) => view.id));
    for (const id of this.#cgroups.keys()) if (!present.has(id)) this.#cgroups.delete(id);
  }
}

/** Every window of the state, in group order. */
export function allWindows(state: WindowOwnersState): OwnedWindow[] {
  return state.groups.flatMap((group) => group.windows);
}
