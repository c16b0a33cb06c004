import type { Server } from 'node:net';
import { dirname, isAbsolute, join } from 'node:path';
import type { Config } from '../config/schema.js';
import { ContainerService } from '../containers/container-service.js';
import { controlSocketPath } from '../control/protocol.js';
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
  readonly #bars = new Map<GdkMonitor, Bar>();
  #control: Server | null = null;

  private constructor(options: PanelOptions, sway: SwayClient, containers: ContainerService) {
    this.#options = options;
    this.#sway = sway;
    this.#containers = containers;
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
  };

  #activate(module: 'workspaces' | 'containers', item: string): Promise<void> {
    return module === 'workspaces'
      ? this.actions.focusWorkspace(item)
      : this.actions.activateContainer(item);
  }

  #contextFor(monitor: GdkMonitor): ModuleContext {
    return {
      outputName: outputNameOf(monitor, this.#sway),
      config: this.#options.config,
      sway: this.#sway,
      containers: this.#containers,
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
      bars: describeBars([...this.#bars.values()], (monitor) => outputNameOf(monitor, this.#sway)),
    };
  }

  /** Ends the clients and removes the control socket; sessions the panel launched stay. */
  stop(): void {
    this.#control?.close();
    this.#containers.close();
    this.#sway.close();
    for (const monitor of [...this.#bars.keys()]) this.#removeBar(monitor);
  }
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
