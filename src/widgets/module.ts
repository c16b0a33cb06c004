import type { Config } from '../config/schema.js';
import type { ContainerAction, ContainersState } from '../containers/container-state.js';
import type { ContainerDetails } from '../containers/lxc-backend.js';
import type { WindowOwnersState } from '../containers/window-owners.js';
import type { SwayState } from '../sway/client.js';
import type { TraySource } from '../tray/tray-service.js';
import type { Unsubscribe } from '../util/observable.js';
import { cancelRender, requestRender } from './frame-scheduler.js';
import type { GtkWidget } from './gtk.js';

/** A readable, subscribable state, as every client keeps one. */
export interface StateSource<T> {
  readonly state: T;
  subscribe(listener: (state: T) => void): Unsubscribe;
}

/**
 * What a user can do from the bar. Clicks and `cexbar msg activate` call the same functions,
 * so a key binding does exactly what a click does. Widgets never run processes themselves.
 */
export interface PanelActions {
  focusWorkspace(name: string): Promise<void>;
  activateContainer(name: string): Promise<void>;
  /** Focuses a window by its Sway con_id, switching to its workspace. */
  focusWindow(conId: number): Promise<void>;
  /** One action of a container's menu; resolves once it finished. */
  containerAction(name: string, action: ContainerAction): Promise<void>;
  /** What the menu's details show (lxc-info through the helper). */
  containerDetails(name: string): Promise<ContainerDetails>;
}

export interface ModuleContext {
  /** The Sway output this bar sits on, when known. */
  outputName: string | null;
  config: Config;
  sway: StateSource<SwayState>;
  containers: StateSource<ContainersState>;
  /** Sway's windows grouped by the container that owns them. */
  windows: StateSource<WindowOwnersState>;
  /** The StatusNotifierItems and what a click on one does. */
  tray: TraySource;
  actions: PanelActions;
}

export interface BarModule {
  readonly root: GtkWidget;
  /**
   * The text the module shows, for `cexbar msg state`, when it is one text (the clock), or a
   * summary of what it shows (the windows module: `#CON_ID` per button shown, then `+N`).
   */
  text?(): string;
  destroy(): void;
}

/**
 * Runs `render` with the source's state now and after each change, at most once per frame
 * however many changes arrive (see frame-scheduler.ts), and returns what stops it.
 */
export function renderOnChange<T>(source: StateSource<T>, render: (state: T) => void): Unsubscribe {
  const renderLatest = (): void => {
    render(source.state);
  };
  render(source.state);
  const unsubscribe = source.subscribe(() => {
    requestRender(renderLatest);
  });
  return () => {
    unsubscribe();
    cancelRender(renderLatest);
  };
}

/** Reports an action's failure: the action's owner already logged it and set a visible state. */
export function runAction(action: Promise<void>): void {
  action.catch(() => undefined);
}
