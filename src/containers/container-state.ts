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

export type ContainerTask = 'starting' | 'launching';

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
}

export interface ContainersState {
  lxcPath: string;
  /** Whether the last listing succeeded. */
  listed: boolean;
  /** A problem with LXC as a whole (no sudoers line, lxc-ls failing), shown once. */
  error: string | null;
  containers: ContainerState[];
}
