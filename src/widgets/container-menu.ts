import {
  availableActions,
  containerActions,
  type ContainerAction,
  type ContainerState,
} from '../containers/container-state.js';
import { describeError, log } from '../util/log.js';
import { detailLines } from './container-details.js';
import { Gtk, addClasses, type GtkWidget } from './gtk.js';
import { runAction, type PanelActions } from './module.js';
import { popUpMenu, type MenuTrigger } from './popup-menu.js';

/*
 * A container's menu (a right click on its button, or `cexbar msg menu containers NAME`): every
 * action, only those that make sense in the container's state sensitive, and its details from
 * lxc-info. It renders and calls actions; the container service does the work.
 */

const LABELS: Record<Exclude<ContainerAction, 'details'>, string> = {
  start: 'Start',
  stop: 'Stop',
  kill: 'Kill',
  freeze: 'Freeze',
  unfreeze: 'Unfreeze',
  restart: 'Restart',
  launch: 'Launch session',
  terminal: 'Open a terminal',
};

const ACTION_ORDER = Object.keys(LABELS) as (keyof typeof LABELS)[];

type GtkMenu = InstanceType<typeof Gtk.Menu>;

function infoItem(text: string): InstanceType<typeof Gtk.MenuItem> {
  const item = new Gtk.MenuItem({ label: text });
  // Text to read, not to click: insensitive keeps activation off.
  item.setSensitive(false);
  addClasses(item, 'detail');
  return item;
}

/** The details lines, or why there are none; lxc-info answers in some 50 ms. */
async function fetchDetails(name: string, actions: PanelActions): Promise<string[]> {
  try {
    return detailLines(await actions.containerDetails(name));
  } catch (error) {
    return [`Details: ${describeError(error)}`];
  }
}

/** The menu for the container as it is now, with the details already fetched. */
function buildMenu(container: ContainerState, details: string[], actions: PanelActions): GtkMenu {
  const menu = new Gtk.Menu();
  addClasses(menu, 'popup-containers');
  const possible = availableActions(container);
  const title = infoItem(
    container.error === null ? container.name : `${container.name}: ${container.error}`,
  );
  addClasses(title, 'title');
  menu.append(title);
  menu.append(new Gtk.SeparatorMenuItem());
  const listed = containerActions(container);
  for (const action of ACTION_ORDER) {
    if (!listed.includes(action)) continue;
    const item = new Gtk.MenuItem({ label: LABELS[action] });
    item.setSensitive(possible.includes(action));
    item.on('activate', () => runAction(actions.containerAction(container.name, action)));
    menu.append(item);
  }
  if (details.length > 0) menu.append(new Gtk.SeparatorMenuItem());
  for (const line of details) menu.append(infoItem(line));
  menu.showAll();
  return menu;
}

/**
 * Pops up the container's menu under its button. The details are fetched first: a popup on
 * Wayland keeps the size it was mapped with. `current` gives the container's state then;
 * `trigger` is the click that asked for the menu, if a click did.
 */
export async function popUpContainerMenu(
  button: GtkWidget,
  current: () => ContainerState | undefined,
  actions: PanelActions,
  trigger: MenuTrigger | null = null,
): Promise<void> {
  const before = current();
  if (before === undefined) return;
  const details = availableActions(before).includes('details')
    ? await fetchDetails(before.name, actions)
    : [];
  // GTK work from a callback of the event loop, not from the microtask after the await: on
  // Node 20, GTK driven from a microtask leaves the panel's loop stuck (FIELD-NOTES, node-gtk).
  await new Promise<void>((resolve) => {
    setImmediate(() => {
      const container = current() ?? before;
      const menu = buildMenu(container, details, actions);
      const up = (): void => {
        log.debug('containers', `${container.name}: menu up`);
        resolve();
      };
      popUpMenu(menu, button, up, undefined, trigger);
    });
  });
}
