import type { ContainersState } from '../containers/container-state.js';
import type { WindowOwnersState } from '../containers/window-owners.js';
import type { NotificationsState } from '../notifications/notification-store.js';
import type { SwayState } from '../sway/client.js';
import type { TraySnapshot } from '../tray/tray-service.js';
import type { Bar } from '../widgets/bar.js';
import type { RedrawCounts } from '../widgets/frame-scheduler.js';
import type { GdkMonitor } from '../widgets/gtk.js';

/** One bar as `cexbar msg state` shows it. */
export interface BarSnapshot {
  output: string | null;
  layerShell: boolean;
  width: number;
  height: number;
  /** What the modules that show one text show now: `{ "clock": "Fr. 4 Dez. 10:00" }`. */
  texts: Record<string, string>;
}

/** The panel's whole state, as `cexbar msg state` prints it. */
export interface PanelSnapshot {
  configFile: string | null;
  /** Why the config file is not valid now (the last good config runs), or null. */
  configError: string | null;
  /** Why a stylesheet is not valid GTK CSS now (its last good version stays), or null. */
  stylesheetError: string | null;
  sway: SwayState;
  containers: ContainersState;
  /** Every window with the container that owns it, grouped as the bar shows them. */
  windows: WindowOwnersState;
  /** The tray's items (pixmaps as their sizes). */
  tray: TraySnapshot;
  /** Who serves desktop notifications, and those cexbar shows now (in memory only). */
  notifications: NotificationsState;
  bars: BarSnapshot[];
  /** Widget updates and the frames they ran in: far fewer frames than events in a flood. */
  redraws: RedrawCounts;
}

export function describeBars(
  bars: Bar[],
  outputNameOf: (monitor: GdkMonitor) => string | null,
): BarSnapshot[] {
  return bars.map((bar) => ({
    output: outputNameOf(bar.monitor),
    layerShell: bar.layerShell,
    ...bar.size(),
    texts: bar.texts(),
  }));
}
