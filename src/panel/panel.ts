import type { Server } from 'node:net';
import { dirname, isAbsolute, join } from 'node:path';
import type { Config } from '../config/schema.js';
import { ContainerService } from '../containers/container-service.js';
import { labelColourOf, type LabelColour } from '../containers/label-colours.js';
import { SwayTitleMarker, usesPangoMarkup } from '../containers/window-marks.js';
import { WindowOwners } from '../containers/window-owners.js';
import { controlSocketPath, type MODULES_WITH_ITEMS } from '../control/protocol.js';
import { startControlServer } from '../control/server.js';
import { SwayClient } from '../sway/client.js';
import { describeError, log } from '../util/log.js';
import { createBar, type Bar } from '../widgets/bar.js';
import { Gdk, Gtk, type GdkMonitor } from '../widgets/gtk.js';
import type { ModuleContext, PanelActions } from '../widgets/module.js';
import { applyStylesheets } from './stylesheet.js';
import { describeBars, type PanelSnapshot } from './snapshot.js';

/*
 * The running panel: it connects the clients (Sway, LXC), puts one bar on every output and
 * serves the control socket. Data flows one way: clients → their state → the bars' widgets;
 * clicks and `cexbar msg activate` call the same actions, which go to the clients.
 */

type ModuleWithItems = (typeof MODULES_WITH_ITEMS)[number];

export interface PanelOptions {
  config: Config;
  configFile: string | null;
  swaySocket: string;
  runtimeDir: string;
  /** The host Sway's Wayland socket as a path; nested sessions connect to it. */
  waylandDisplay: string;
}

/** The Sway output under a GDK monitor: both report the same logical position. */
function outputNameOf(monitor: GdkMonitor, sway: SwayClient): string | null {
  const geometry = monitor.getGeometry();
  const output = sway.state.outputs.find(
    (candidate) =>
      candidate.active && candidate.rect.x === geometry.x && candidate.rect.y === geometry.y,
  );
  return output?.name ?? null;
}

function monitorsOf(display: InstanceType<typeof Gdk.Display>): GdkMonitor[] {
  const monitors: GdkMonitor[] = [];
  for (let index = 0; index < display.getNMonitors(); index += 1) {
    const monitor = display.getMonitor(index);
    if (monitor !== null) monitors.push(monitor);
  }
  return monitors;
}

export class Panel {
  readonly #options: PanelOptions;
  readonly #sway: SwayClient;
  readonly #containers: ContainerService;
  readonly #windows: WindowOwners;
  #marker: SwayTitleMarker | null = null;
  #stopped = false;
  readonly #bars = new Map<GdkMonitor, Bar>();
  #control: Server | null = null;

  private constructor(options: PanelOptions, sway: SwayClient, containers: ContainerService) {
    this.#options = options;
    this.#sway = sway;
    this.#containers = containers;
    this.#windows = new WindowOwners({
      sway,
      containers,
      colourOf: (name) => colourFromConfig(options.config, name),
    });
  }

  /** Connects every client and shows the bars; rejects when Sway or the display is out of reach. */
  static async start(options: PanelOptions): Promise<Panel> {
    const sway = await SwayClient.connect(options.swaySocket);
    const containers = new ContainerService({
      lxcPath: options.config.containers.lxcPath,
      containers: options.config.containers,
      runtimeDir: options.runtimeDir,
      hostWaylandDisplay: options.waylandDisplay,
      windows: sway,
    });
    const panel = new Panel(options, sway, containers);
    applyStylesheets(
      options.configFile === null ? null : join(dirname(options.configFile), 'style.css'),
    );
    // The bars show at once; the containers fill in when LXC has answered.
    panel.#followMonitors();
    if (options.config.windows.markInSway) void panel.#startMarking();
    void containers.start().catch((error: unknown) => {
      log.warn('containers', `first listing failed (${describeError(error)})`);
    });
    panel.#control = await startControlServer(
      controlSocketPath(options.runtimeDir),
      async (request) => {
        if (request.command === 'state') return panel.snapshot();
        await panel.#activate(request.module, request.item);
        return panel.snapshot();
      },
    );
    log.info(
      'panel',
      `running on ${panel.#bars.size} output(s) with ${options.configFile ?? 'the default config'}`,
    );
    return panel;
  }

  readonly actions: PanelActions = {
    focusWorkspace: (name) => this.#sway.focusWorkspace(name),
    activateContainer: (name) => this.#containers.activate(name),
    focusWindow: (conId) => this.#sway.focusView(conId),
  };

  #activate(module: ModuleWithItems, item: string): Promise<void> {
    if (module === 'workspaces') return this.actions.focusWorkspace(item);
    if (module === 'containers') return this.actions.activateContainer(item);
    return this.actions.focusWindow(parseConId(item));
  }

  /** Marks container windows in Sway's title bars, as markup when Sway's font allows it. */
  async #startMarking(): Promise<void> {
    const markup = await this.#sway.readConfig().then(usesPangoMarkup, (error: unknown) => {
      log.debug(
        'sway',
        `could not read its config, marking titles as text (${describeError(error)})`,
      );
      return false;
    });
    if (!markup) log.debug('sway', 'the font is not pango:, container marks are plain text');
    if (this.#stopped) return;
    this.#marker = new SwayTitleMarker(this.#windows, this.#sway, markup);
  }

  #contextFor(monitor: GdkMonitor): ModuleContext {
    return {
      outputName: outputNameOf(monitor, this.#sway),
      config: this.#options.config,
      sway: this.#sway,
      containers: this.#containers,
      windows: this.#windows,
      actions: this.actions,
    };
  }

  #addBar(monitor: GdkMonitor): void {
    if (this.#bars.has(monitor)) return;
    this.#bars.set(monitor, createBar(monitor, this.#contextFor(monitor)));
  }

  #removeBar(monitor: GdkMonitor): void {
    this.#bars.get(monitor)?.destroy();
    this.#bars.delete(monitor);
  }

  #followMonitors(): void {
    const display = Gdk.Display.getDefault();
    if (display === null) throw new Error('GTK has no display');
    for (const monitor of monitorsOf(display)) this.#addBar(monitor);
    display.on('monitor-added', (monitor: GdkMonitor) => this.#addBar(monitor));
    display.on('monitor-removed', (monitor: GdkMonitor) => this.#removeBar(monitor));
  }

  /** What `cexbar msg state` prints. */
  snapshot(): PanelSnapshot {
    return {
      configFile: this.#options.configFile,
      sway: this.#sway.state,
      containers: this.#containers.state,
      windows: this.#windows.state,
      bars: describeBars([...this.#bars.values()], (monitor) => outputNameOf(monitor, this.#sway)),
    };
  }

  /** Ends the clients and removes the control socket; sessions the panel launched stay. */
  stop(): void {
    this.#stopped = true;
    this.#control?.close();
    this.#marker?.close();
    this.#windows.close();
    this.#containers.close();
    this.#sway.close();
    for (const monitor of [...this.#bars.keys()]) this.#removeBar(monitor);
  }
}

/** A container's label colour: the config's, or the stable pick by its name. */
function colourFromConfig(config: Config, name: string): LabelColour {
  const list = config.containers.list;
  return labelColourOf(name, Object.hasOwn(list, name) ? list[name]?.colour : undefined);
}

/** A window's con_id as `cexbar msg activate windows ID` gives it. */
function parseConId(item: string): number {
  if (!/^\d{1,15}$/.test(item)) {
    throw new Error(`no window ${JSON.stringify(item)}: a window is its Sway con_id, a number`);
  }
  return Number(item);
}

/** The Wayland socket as a path, from WAYLAND_DISPLAY (a name in the runtime folder, or a path). */
export function waylandSocketPath(runtimeDir: string, display: string): string {
  return isAbsolute(display) ? display : join(runtimeDir, display);
}

/** Opens GTK's display; false when none can be opened (GTK's own message is on stderr). */
export function openDisplay(): boolean {
  const [opened] = Gtk.initCheck(null);
  return opened;
}

/**
 * Runs GTK's main loop, which also drives Node's. It must start from a timer callback: on Node 20
 * a Gtk.main() entered from a microtask (after an await) leaves Node's timers dead for good.
 */
export function runMainLoop(): void {
  setTimeout(() => {
    Gtk.main();
  }, 0);
}

export function quitMainLoop(): void {
  Gtk.mainQuit();
}
