import type { Config } from '../config/schema.js';
import { log } from '../util/log.js';
import { createClockModule } from './clock.js';
import { createContainersModule } from './containers.js';
import { createScratchpadModule } from './scratchpad.js';
import { createSwayModeModule } from './sway-mode.js';
import { Gtk, GtkLayerShell, addClasses, type GdkMonitor } from './gtk.js';
import type { BarModule, ModuleContext } from './module.js';
import { createTrayModule } from './tray.js';
import { createWindowTitleModule } from './window-title.js';
import { createWindowsModule } from './windows.js';
import { createWorkspacesModule } from './workspaces.js';

type ModuleName = Config['modules'][number];

const MODULE_FACTORIES: Record<ModuleName, (context: ModuleContext) => BarModule> = {
  workspaces: createWorkspacesModule,
  mode: createSwayModeModule,
  scratchpad: createScratchpadModule,
  windows: createWindowsModule,
  window: createWindowTitleModule,
  containers: createContainersModule,
  tray: createTrayModule,
  clock: createClockModule,
};

export interface Bar {
  readonly monitor: GdkMonitor;
  /** Whether the bar is a layer-shell surface (false: an ordinary window, as a fallback). */
  readonly layerShell: boolean;
  /** The bar's allocated size, for `cexbar msg state`. */
  size(): { width: number; height: number };
  /** The texts of the modules that show one (the clock), by module name. */
  texts(): Partial<Record<ModuleName, string>>;
  /** Shows that the config file is not valid (its message in the tooltip), or null: it is. */
  setConfigError(message: string | null): void;
  /** Shows that a stylesheet is not valid GTK CSS (the message in the tooltip), or null. */
  setStylesheetError(message: string | null): void;
  destroy(): void;
}

let fallbackLogged = false;

function placeOnLayer(window: InstanceType<typeof Gtk.Window>, monitor: GdkMonitor): boolean {
  if (!GtkLayerShell.isSupported()) {
    if (!fallbackLogged) {
      log.warn('bar', 'layer shell is not available, showing an ordinary window instead');
      fallbackLogged = true;
    }
    return false;
  }
  GtkLayerShell.initForWindow(window);
  GtkLayerShell.setNamespace(window, 'cexbar');
  GtkLayerShell.setLayer(window, GtkLayerShell.Layer.TOP);
  GtkLayerShell.setMonitor(window, monitor);
  GtkLayerShell.setAnchor(window, GtkLayerShell.Edge.TOP, true);
  GtkLayerShell.setAnchor(window, GtkLayerShell.Edge.LEFT, true);
  GtkLayerShell.setAnchor(window, GtkLayerShell.Edge.RIGHT, true);
  // Windows tile below the bar instead of under it.
  GtkLayerShell.autoExclusiveZoneEnable(window);
  return true;
}

/** A small red label at the bar's start that says the config file or a stylesheet is invalid. */
function createErrorLabel(text: string, className: string): InstanceType<typeof Gtk.Label> {
  const label = new Gtk.Label({ label: text });
  // The stylesheet error wears the config error's class: its rules are in the default stylesheet.
  addClasses(label, 'config-error', className);
  // Hidden until there is an error: showAll() on the window must not show it.
  label.setNoShowAll(true);
  return label;
}

/** One bar on one output: a layer-shell window anchored to the top, holding the modules. */
export function createBar(monitor: GdkMonitor, context: ModuleContext): Bar {
  const window = new Gtk.Window({ type: Gtk.WindowType.TOPLEVEL, title: 'cexbar' });
  window.setDecorated(false);
  window.setDefaultSize(-1, context.config.height);
  window.setSizeRequest(-1, context.config.height);
  addClasses(window, 'cexbar');
  const layerShell = placeOnLayer(window, monitor);

  const row = new Gtk.Box({ orientation: Gtk.Orientation.HORIZONTAL, spacing: 8 });
  addClasses(row, 'bar');
  const configError = createErrorLabel('✖ config', 'config-error');
  row.packStart(configError, false, false, 0);
  const stylesheetError = createErrorLabel('✖ style', 'stylesheet-error');
  row.packStart(stylesheetError, false, false, 0);
  const names = context.config.modules;
  const modules = names.map((name) => MODULE_FACTORIES[name](context));
  for (const module of modules) {
    const expand = module.root.getHexpand();
    row.packStart(module.root, expand, expand, 0);
  }
  window.add(row);
  window.showAll();

  return {
    monitor,
    layerShell,
    size: () => ({ width: window.getAllocatedWidth(), height: window.getAllocatedHeight() }),
    texts: () => {
      const texts: Partial<Record<ModuleName, string>> = {};
      modules.forEach((module, index) => {
        const name = names[index];
        if (module.text !== undefined && name !== undefined) texts[name] = module.text();
      });
      return texts;
    },
    setConfigError: (message) => {
      configError.setTooltipText(message);
      configError.setVisible(message !== null);
    },
    setStylesheetError: (message) => {
      stylesheetError.setTooltipText(message);
      stylesheetError.setVisible(message !== null);
    },
    destroy: () => {
      for (const module of modules) module.destroy();
      window.destroy();
    },
  };
}
