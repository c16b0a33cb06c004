import type { SessionConfig } from '../config/schema.js';

/*
 * What the panel knows about containers: the state the container service keeps and every
 * widget, the control socket and `cexbar msg state` read. No I/O here.
 */

/**
 * An LXC state as lxc-ls prints it, MISSING for a configured container that does not exist, or
 * UNKNOWN for a configured container before the first listing succeeded.
 */
export type ContainerLifecycleState =
  | 'RUNNING'
  | 'STOPPED'
  | 'FROZEN'
  | 'STARTING'
  | 'STOPPING'
  | 'ABORTING'
  | 'FREEZING'
  | 'THAWED'
  | 'MISSING'
  | 'UNKNOWN'
  | (string & {});

export type ContainerTask =
  'starting' | 'launching' | 'stopping' | 'killing' | 'freezing' | 'unfreezing' | 'restarting';

/** What the container menu, `cexbar msg action` and the control socket can ask for. */
export const CONTAINER_ACTIONS = [
  'start',
  'stop',
  'kill',
  'freeze',
  'unfreeze',
  'restart',
  'launch',
  'terminal',
  'details',
] as const;

export type ContainerAction = (typeof CONTAINER_ACTIONS)[number];

export interface SessionState {
  type: SessionConfig['type'];
  /** The compositor's host PID: Sway reports it as the PID of the session's window. */
  pid: number;
  status: 'starting' | 'running' | 'exited';
  /** Sway's con_id of the session's window once it is mapped. */
  windowId: number | null;
  socketDir: string;
  /** Why the compositor ended, when it ended on its own. */
  exitReason: string | null;
}

export interface ContainerState {
  name: string;
  state: ContainerLifecycleState;
  /** Listed in the config (as opposed to shown because it exists). */
  configured: boolean;
  ipv4: string[];
  session: SessionConfig;
  /** The action under way, shown while it runs. */
  task: ContainerTask | null;
  /** The reason the last action failed, until the next one succeeds. */
  error: string | null;
  running: SessionState | null;
  /** Whether containers.list.NAME.terminal is set. */
  hasTerminal: boolean;
}

export interface ContainersState {
  lxcPath: string;
  /** Whether the last listing succeeded. */
  listed: boolean;
  /** A problem with LXC as a whole (no sudoers line, lxc-ls failing), shown once. */
  error: string | null;
  containers: ContainerState[];
}

const BY_STATE: Record<string, readonly ContainerAction[]> = {
  STOPPED: ['start', 'launch', 'details'],
  RUNNING: ['stop', 'kill', 'freeze', 'restart', 'launch', 'terminal', 'details'],
  FROZEN: ['unfreeze', 'kill', 'details'],
};

// While an action runs, or in a state on its way somewhere, only kill and details make sense.
const IN_BETWEEN: readonly ContainerAction[] = ['kill', 'details'];

/**
 * The actions the container has at all, whatever its state (its menu lists them): launch needs
 * a session, terminal a configured command.
 */
export function containerActions(container: ContainerState): ContainerAction[] {
  return CONTAINER_ACTIONS.filter((action) => {
    if (action === 'launch') return container.session.type !== 'none';
    if (action === 'terminal') return container.hasTerminal;
    return true;
  });
}

/** The actions that make sense for the container now, in the menu's order. */
export function availableActions(container: ContainerState): ContainerAction[] {
  if (container.state === 'MISSING' || container.state === 'UNKNOWN') return [];
  const busy = container.task !== null && container.task !== 'launching';
  const wanted = busy ? IN_BETWEEN : (BY_STATE[container.state] ?? IN_BETWEEN);
  return containerActions(container).filter((action) => {
    if (!wanted.includes(action)) return false;
    return !(action === 'kill' && container.state === 'STOPPED');
  });
}
