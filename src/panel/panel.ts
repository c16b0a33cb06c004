import type { Server } from 'node:net';
import { dirname, isAbsolute, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Config } from '../config/schema.js';
import { ContainerService } from '../containers/container-service.js';
import { labelColourOf, type LabelColour } from '../containers/label-colours.js';
import { SwayTitleMarker, usesPangoMarkup } from '../containers/window-marks.js';
import { WindowOwners } from '../containers/window-owners.js';
import {
  controlSocketPath,
  type ControlRequest,
  type MODULES_WITH_ITEMS,
} from '../control/protocol.js';
import { startControlServer } from '../control/server.js';
import { CLOSE_REASON } from '../notifications/notification.js';
import { NotificationService } from '../notifications/notification-service.js';
import { SwayClient, type SwayOutputState } from '../sway/client.js';
import { describeTray, TrayService } from '../tray/tray-service.js';
import { describeError, log } from '../util/log.js';
import { createBar, type Bar } from '../widgets/bar.js';
import { openContainerMenu } from '../widgets/containers.js';
import { openHiddenWindowsMenu } from '../widgets/windows.js';
import { redrawCounts } from '../widgets/frame-scheduler.js';
import { closePopupMenu } from '../widgets/popup-menu.js';
import { openTrayMenu } from '../widgets/tray.js';
import {
  createNotificationPopups,
  type NotificationPopups,
} from '../widgets/notification-popups.js';
import { Gdk, GLib, Gtk, type GdkMonitor } from '../widgets/gtk.js';
import type { ModuleContext, PanelActions } from '../widgets/module.js';
import { ConfigWatcher } from './config-watcher.js';
import { applyStylesheets, DEFAULT_STYLESHEET } from './stylesheet.js';
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
  /** The config file to follow for changes, also when it does not exist yet. */
  configPath?: string;
  swaySocket: string;
  runtimeDir: string;
  /** The host Sway's Wayland socket as a path; nested sessions connect to it. */
  waylandDisplay: string;
}

/**
 * The Sway output under a GDK monitor: the connector name GDK has from xdg-output (the name
 * Sway uses), else the active output at the monitor's logical position.
 */
function outputNameOf(monitor: GdkMonitor, sway: SwayClient): string | null {
  const display = monitor.getDisplay();
  const index = monitorsOf(display).indexOf(monitor);
  const screen = display.getDefaultScreen();
  // Deprecated since GTK 3.22 for GdkMonitor, which has no connector name until GTK 4: this
  // is GTK 3's one way to the xdg-output name.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const plugName = index < 0 ? null : screen.getMonitorPlugName(index);
  if (plugName !== null && plugName !== '') return plugName;
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
  // Replaced when the config's containers change; the Sway client stays for the panel's life.
  #containers: ContainerService;
  #windows: WindowOwners;
  #config: Config;
  #configFile: string | null;
  /** Why the config file is not valid now; the last good config runs meanwhile. */
  #configError: string | null = null;
  /** Why a stylesheet is not valid GTK CSS now; its last good version stays applied. */
  #stylesheetError: string | null = null;
  #watcher: ConfigWatcher | null = null;
  #marker: SwayTitleMarker | null = null;
  #stopped = false;
  readonly #bars = new Map<GdkMonitor, Bar>();
  /** The Sway output each bar was made for, as it was named when the bar was made. */
  readonly #barOutputs = new Map<GdkMonitor, string | null>();
  /** Outputs Sway lists as disabled: no bar on them, whatever GDK says. */
  #disabledOutputs: string[] = [];
  readonly #tray = new TrayService();
  #control: Server | null = null;
  readonly #notifications: NotificationService;
  #popups: NotificationPopups | null = null;

  private constructor(options: PanelOptions, sway: SwayClient, containers: ContainerService) {
    this.#options = options;
    this.#config = options.config;
    this.#configFile = options.configFile;
    this.#sway = sway;
    this.#containers = containers;
    this.#windows = this.#createWindowOwners();
    this.#notifications = new NotificationService({
      config: options.config.notifications,
      busAddress: process.env.DBUS_SESSION_BUS_ADDRESS,
    });
  }

  #createWindowOwners(): WindowOwners {
    const owners = new WindowOwners({
      sway: this.#sway,
      containers: this.#containers,
      colourOf: (name) => colourFromConfig(this.#config, name),
    });
    // A click on a container focuses its windows, however they are owned.
    this.#containers.followWindowOwners(owners);
    return owners;
  }

  /** Connects every client and shows the bars; rejects when Sway or the display is out of reach. */
  static async start(options: PanelOptions): Promise<Panel> {
    const sway = await SwayClient.connect(options.swaySocket);
    const containers = createContainerService(options, options.config, sway);
    const panel = new Panel(options, sway, containers);
    panel.#applyStylesheets();
    panel.#tray.setEnabled(options.config.modules.includes('tray'));
    // The bars show at once; the containers fill in when LXC has answered.
    panel.#followMonitors();
    panel.#closeMenuOnWorkspaceSwitch();
    panel.#showNotifications();
    if (options.config.windows.markInSway) void panel.#startMarking();
    panel.#startContainers();
    panel.#watchConfig();
    panel.#control = await startControlServer(
      controlSocketPath(options.runtimeDir),
      async (request) => {
        if (request.command === 'state') return panel.snapshot();
        if (request.command === 'notification') return panel.#answerNotification(request);
        if (request.command !== 'activate') return panel.#answerContainer(request);
        await panel.#activate(request.module, request.item);
        return panel.snapshot();
      },
    );
    // Only once the control socket is ours: a second panel must not touch the bus.
    panel.#notifications.start();
    log.info(
      'panel',
      `running on ${panel.#bars.size} output(s) with ${options.configFile ?? 'the default config'}`,
    );
    return panel;
  }

  readonly actions: PanelActions = {
    focusWorkspace: (name) => this.#sway.focusWorkspace(name),
    activateContainer: (name) =>
      this.#reportFailure(`cexbar: ${name} did not start`, this.#containers.activate(name)),
    focusWindow: (conId) => this.#sway.focusView(conId),
    containerAction: (name, action) =>
      this.#reportFailure(
        `cexbar: ${action} of ${name} failed`,
        this.#containers.runAction(name, action),
      ),
    containerDetails: (name) => this.#containers.details(name),
  };

  /** `action` replies once the action finished (details: with them); `menu` once it is up. */
  async #answerContainer(
    request: Extract<ControlRequest, { command: 'action' | 'menu' }>,
  ): Promise<unknown> {
    if (request.command === 'menu' && request.module === 'tray') await openTrayMenu(request.item);
    else if (request.command === 'menu' && request.module === 'windows') {
      await openHiddenWindowsMenu(request.item);
    } else if (request.command === 'menu') await openContainerMenu(request.item);
    else if (request.action === 'details') return this.actions.containerDetails(request.item);
    else await this.actions.containerAction(request.item, request.action);
    return this.snapshot();
  }

  /** A failed container action also reaches the user as a notification (its owner logs it). */
  async #reportFailure(summary: string, action: Promise<void>): Promise<void> {
    try {
      await action;
    } catch (error) {
      this.#notifications.reportError(summary, describeError(error));
      throw error;
    }
  }

  #answerNotification(request: Extract<ControlRequest, { command: 'notification' }>): unknown {
    if (request.action === 'close') this.#notifications.dismiss(request.id);
    else this.#notifications.invoke(request.id, request.key);
    return this.snapshot();
  }

  /** The popups of the notifications cexbar serves, on the focused output. */
  #showNotifications(): void {
    const store = this.#notifications.store;
    this.#popups = createNotificationPopups({
      notifications: store,
      config: () => this.#config.notifications,
      focusedMonitor: () => this.#focusedMonitor(),
      close: (id) => store.close(id, CLOSE_REASON.dismissed),
      invoke: (id, key) => store.invoke(id, key),
    });
  }

  #focusedMonitor(): GdkMonitor | null {
    const focused = this.#sway.state.workspaces.find((workspace) => workspace.focused)?.output;
    const monitors = [...this.#bars.keys()];
    const onFocused = monitors.find((monitor) => this.#barOutputs.get(monitor) === focused);
    return onFocused ?? monitors[0] ?? null;
  }

  #activate(module: ModuleWithItems, item: string): Promise<void> {
    if (module === 'workspaces') return this.actions.focusWorkspace(item);
    if (module === 'containers') return this.actions.activateContainer(item);
    if (module === 'tray') return this.#tray.activate(item);
    return this.actions.focusWindow(parseConId(item));
  }

  #startContainers(): void {
    void this.#containers.start().catch((error: unknown) => {
      log.warn('containers', `first listing failed (${describeError(error)})`);
    });
  }

  /** The user's style.css, beside the config file. */
  #userStylesheet(): string | null {
    const configPath = this.#options.configPath ?? this.#options.configFile;
    return configPath === null ? null : join(dirname(configPath), 'style.css');
  }

  /** Follows the config file and the stylesheets: see config-watcher.ts. */
  #watchConfig(): void {
    const configFile = this.#options.configPath ?? this.#options.configFile;
    if (configFile === null) return;
    const userStylesheet = this.#userStylesheet();
    this.#watcher = new ConfigWatcher({
      configFile,
      stylesheets:
        userStylesheet === null ? [DEFAULT_STYLESHEET] : [DEFAULT_STYLESHEET, userStylesheet],
      onConfig: (config, file) => inGtkIdle(() => this.#applyConfig(config, file)),
      onConfigError: (message) => inGtkIdle(() => this.#setConfigError(message)),
      onStylesheets: () => inGtkIdle(() => this.#applyStylesheets()),
    });
  }

  /**
   * Applies a new valid config by rebuilding the bars. Sway's client stays connected; the
   * container service (with the window owners and marks that follow it) is replaced only when
   * the containers' settings changed, since it lists and monitors one LXC path for one list.
   */
  #applyConfig(config: Config, file: string | null): void {
    const previous = this.#config;
    const wasInvalid = this.#configError !== null;
    this.#config = config;
    this.#configFile = file;
    this.#setConfigError(null);
    this.#tray.setEnabled(config.modules.includes('tray'));
    this.#notifications.configure(config.notifications);
    this.#popups?.refresh();
    if (isDeepStrictEqual(previous, config)) {
      if (wasInvalid) log.info('config', `${file ?? 'the default config'} is valid again`);
      return;
    }
    if (!isDeepStrictEqual(previous.containers, config.containers)) this.#replaceContainers();
    else if (previous.windows.markInSway !== config.windows.markInSway) this.#restartMarking();
    // Every monitor, not only those with a bar: the outputs to use may have changed.
    for (const monitor of [...this.#bars.keys()]) this.#removeBar(monitor);
    const display = Gdk.Display.getDefault();
    if (display !== null) for (const monitor of monitorsOf(display)) this.#addBar(monitor);
    log.info('config', `applied ${file ?? 'the default config (the file is gone)'}`);
  }

  /** Shows the config's problem on every bar and logs it once; null clears it. */
  #setConfigError(message: string | null): void {
    if (message === this.#configError) return;
    this.#configError = message;
    for (const bar of this.#bars.values()) bar.setConfigError(message);
    if (message !== null) {
      log.warn('config', `${message.replace(/\n\s*/g, ' ')}; the last good config stays`);
      this.#notifications.reportError('cexbar: the config is not valid', message);
    }
  }

  /** Applies the stylesheets; a refused one shows on every bar and in one log line. */
  #applyStylesheets(): void {
    const problem = applyStylesheets(this.#userStylesheet());
    if (problem === this.#stylesheetError) return;
    if (problem !== null) {
      log.warn('style', `${problem}; its last good version stays`);
      this.#notifications.reportError('cexbar: the stylesheet is not valid', problem);
    } else if (this.#stylesheetError !== null) log.info('style', 'the stylesheets are valid again');
    this.#stylesheetError = problem;
    for (const bar of this.#bars.values()) bar.setStylesheetError(problem);
  }

  #replaceContainers(): void {
    this.#marker?.close();
    this.#marker = null;
    this.#windows.close();
    this.#containers.close();
    // Sessions outlive the old service; the new one finds them by their folders at once.
    this.#containers = createContainerService(this.#options, this.#config, this.#sway);
    this.#windows = this.#createWindowOwners();
    if (this.#config.windows.markInSway) void this.#startMarking();
    this.#startContainers();
  }

  #restartMarking(): void {
    this.#marker?.close();
    this.#marker = null;
    if (this.#config.windows.markInSway) void this.#startMarking();
  }

  /** Marks container windows in Sway's title bars, as markup when Sway's font allows it. */
  async #startMarking(): Promise<void> {
    const windows = this.#windows;
    const markup = await this.#sway.readConfig().then(usesPangoMarkup, (error: unknown) => {
      log.debug(
        'sway',
        `could not read its config, marking titles as text (${describeError(error)})`,
      );
      return false;
    });
    if (!markup) log.debug('sway', 'the font is not pango:, container marks are plain text');
    // Stopped, or the config changed meanwhile and another marking took over.
    if (this.#stopped || windows !== this.#windows || this.#marker !== null) return;
    if (!this.#config.windows.markInSway) return;
    this.#marker = new SwayTitleMarker(windows, this.#sway, markup);
  }

  #contextFor(outputName: string | null): ModuleContext {
    return {
      outputName,
      config: this.#config,
      sway: this.#sway,
      containers: this.#containers,
      windows: this.#windows,
      tray: this.#tray,
      actions: this.actions,
    };
  }

  #addBar(monitor: GdkMonitor): void {
    if (this.#bars.has(monitor)) return;
    const outputName = outputNameOf(monitor, this.#sway);
    // Another bar's output: this monitor's own name has not come yet.
    if (outputName !== null && [...this.#barOutputs.values()].includes(outputName)) return;
    if (!usesOutput(this.#config.outputs, outputName)) {
      log.debug('panel', `no bar on ${outputName ?? 'an unnamed output'} (config: outputs)`);
      return;
    }
    if (outputName !== null && this.#disabledOutputs.includes(outputName)) return;
    const bar = createBar(monitor, this.#contextFor(outputName));
    bar.setConfigError(this.#configError);
    bar.setStylesheetError(this.#stylesheetError);
    this.#bars.set(monitor, bar);
    this.#barOutputs.set(monitor, outputName);
  }

  #removeBar(monitor: GdkMonitor): void {
    this.#bars.get(monitor)?.destroy();
    this.#bars.delete(monitor);
    this.#barOutputs.delete(monitor);
  }

  #followMonitors(): void {
    const display = Gdk.Display.getDefault();
    if (display === null) throw new Error('GTK has no display');
    for (const monitor of monitorsOf(display)) this.#addBar(monitor);
    // A monitor comes before its name and position (xdg-output sends them after wl_output):
    // its bar waits for the screen's monitors-changed that follows them.
    display.on('monitor-added', (monitor: GdkMonitor) => this.#addBar(monitor));
    display.on('monitor-removed', (monitor: GdkMonitor) => this.#removeBar(monitor));
    display.getDefaultScreen().on('monitors-changed', () => {
      for (const monitor of monitorsOf(display)) this.#addBar(monitor);
    });
    this.#sway.subscribe((state) => {
      this.#followDisabledOutputs(display, state.outputs);
    });
  }

  /**
   * A disabled output may keep its monitor in GDK (Sway 1.7 leaves its wl_output global), so
   * its bar goes by Sway's word: removed while the output is disabled, back when enabled. Only
   * a change of that list reaches GTK, through its idle callback, as showing a window from a
   * socket's callback would hang.
   */
  #followDisabledOutputs(
    display: InstanceType<typeof Gdk.Display>,
    outputs: readonly SwayOutputState[],
  ): void {
    const disabled = outputs.filter((output) => !output.active).map((output) => output.name);
    if (isDeepStrictEqual(disabled, this.#disabledOutputs)) return;
    this.#disabledOutputs = disabled;
    inGtkIdle(() => {
      if (this.#stopped) return;
      for (const [monitor, name] of [...this.#barOutputs]) {
        if (name !== null && this.#disabledOutputs.includes(name)) this.#removeBar(monitor);
      }
      for (const monitor of monitorsOf(display)) this.#addBar(monitor);
    });
  }

  /**
   * A menu open on the bar (a container's, a tray item's) closes when the user goes to another
   * workspace: it was asked for on the one left, and a stale popup would stay over the new one.
   */
  #closeMenuOnWorkspaceSwitch(): void {
    const focusedOf = (state: SwayClient['state']): number | null =>
      state.workspaces.find((workspace) => workspace.focused)?.id ?? null;
    let focused = focusedOf(this.#sway.state);
    this.#sway.subscribe((state) => {
      const before = focused;
      focused = focusedOf(state);
      if (before === focused) return;
      inGtkIdle(() => {
        if (!this.#stopped) closePopupMenu();
      });
    });
  }

  /** Called once Sway is found gone for good; `cexbar run` then looks for the next one. */
  onSwayEnded(listener: () => void): void {
    this.#sway.onEnded(listener);
  }

  /** What `cexbar msg state` prints. */
  snapshot(): PanelSnapshot {
    return {
      configFile: this.#configFile,
      configError: this.#configError,
      stylesheetError: this.#stylesheetError,
      sway: this.#sway.state,
      containers: this.#containers.state,
      windows: this.#windows.state,
      tray: describeTray(this.#tray.state),
      notifications: this.#notifications.state,
      bars: describeBars(
        [...this.#bars.values()],
        (monitor) => this.#barOutputs.get(monitor) ?? null,
      ),
      redraws: redrawCounts(),
    };
  }

  /** Ends the clients and removes the control socket; sessions the panel launched stay. */
  stop(): void {
    this.#stopped = true;
    this.#watcher?.close();
    this.#control?.close();
    this.#popups?.destroy();
    this.#notifications.close();
    this.#marker?.close();
    this.#windows.close();
    this.#containers.close();
    this.#tray.close();
    this.#sway.close();
    for (const monitor of [...this.#bars.keys()]) this.#removeBar(monitor);
  }
}

function createContainerService(
  options: PanelOptions,
  config: Config,
  sway: SwayClient,
): ContainerService {
  return new ContainerService({
    lxcPath: config.containers.lxcPath,
    containers: config.containers,
    runtimeDir: options.runtimeDir,
    hostWaylandDisplay: options.waylandDisplay,
    windows: sway,
  });
}

/**
 * Whether the config wants a bar on this output: not skipped, and listed when a list is given.
 * An output GDK cannot name gets a bar only while no list is given.
 */
function usesOutput(outputs: Config['outputs'], name: string | null): boolean {
  if (name === null) return outputs.only.length === 0;
  if (outputs.skip.includes(name)) return false;
  return outputs.only.length === 0 || outputs.only.includes(name);
}

/**
 * Runs `work` from GTK's own idle callback. Called straight from a Node callback (a timer, a
 * file watch), showing a new layer-shell window never returns under node-gtk 4.1.1.
 */
function inGtkIdle(work: () => void): void {
  GLib.idleAdd(GLib.PRIORITY_DEFAULT, () => {
    work();
    return false;
  });
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
