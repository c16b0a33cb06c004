import type { OwnedWindow, WindowGroup } from '../containers/window-owners.js';
import { log } from '../util/log.js';
import { toDisplayText } from '../util/text.js';
import {
  Gtk,
  Pango,
  addClasses,
  clearBox,
  setClasses,
  type GtkButton,
  type GtkWidget,
  type GtkLabel,
} from './gtk.js';
import { cancelRender, requestRender } from './frame-scheduler.js';
import { renderOnChange, runAction, type BarModule, type ModuleContext } from './module.js';
import { MenuOpeners, popUpMenu } from './popup-menu.js';
import { chooseShownWindows, type MeasuredGroup } from './window-overflow.js';

const STATE_CLASSES = ['focused', 'urgent'] as const;

/**
 * The fewest characters a button keeps of its title when the bar is crowded: below that a row
 * of "…" tells nothing. The buttons that no longer fit are hidden behind a "+N" button.
 */
const MIN_TITLE_CHARS = 6;

/** The tag before a group's windows names its owner: a container in its colour, or the host. */
const HOST_TAG = 'host';

interface WindowButton {
  button: GtkButton;
  label: GtkLabel;
  /** The title last shown, so that an unchanged one is not laid out again. */
  title: string | null;
}

interface ShownGroup {
  group: WindowGroup;
  windows: OwnedWindow[];
}

interface BuiltGroup {
  box: GtkBox;
  tag: GtkLabel;
  windows: OwnedWindow[];
}

type GtkBox = InstanceType<typeof Gtk.Box>;

/** The fewest pixels a widget takes across (margins included), as GTK measures it. */
function minimumWidth(widget: GtkWidget): number {
  return widget.getPreferredWidth()[0];
}

/** The room a box gives its children: its allocation without its CSS padding and border. */
function innerWidth(box: GtkBox): number {
  const style = box.getStyleContext();
  const state = box.getStateFlags();
  const padding = style.getPadding(state);
  const border = style.getBorder(state);
  const sides = padding.left + padding.right + border.left + border.right;
  return box.getAllocatedWidth() - sides;
}

/**
 * The pixels the bar leaves `module` in `bar`: the bar's width less what its other modules
 * ask for (natural widths, which do not depend on this module), so that what the module
 * chooses to show cannot change its own budget.
 */
function budgetIn(bar: GtkBox, module: GtkWidget): number {
  const others = bar.getChildren().filter((child) => child !== module && child.getVisible());
  const asked = others.reduce((sum, child) => sum + child.getPreferredWidth()[1], 0);
  return innerWidth(bar) - asked - bar.getSpacing() * others.length;
}

// The windows modules on the bars now, each able to pop up the menu of the windows it leaves
// out (null: it leaves none out).
const HIDDEN_MENU_OPENERS = new MenuOpeners();

/** The item `cexbar msg menu windows ITEM` takes: the one menu the module has. */
const HIDDEN_MENU_ITEM = 'hidden';

/**
 * Pops up the "+N" menu of the first bar that leaves windows out, as a click on it does
 * (`cexbar msg menu windows hidden`); resolves once it is up.
 */
export function openHiddenWindowsMenu(item: string): Promise<void> {
  if (item !== HIDDEN_MENU_ITEM) {
    return Promise.reject(
      new Error(`no windows menu ${JSON.stringify(item)}: the one menu is "hidden"`),
    );
  }
  return HIDDEN_MENU_OPENERS.open(item, () => 'no windows module on the bars leaves windows out');
}

/** A hidden window's entry in the "+N" menu: its owner and title, as plain text. */
function menuEntry(group: WindowGroup, window: OwnedWindow): InstanceType<typeof Gtk.MenuItem> {
  const owner = group.owner === null ? HOST_TAG : toDisplayText(group.owner, 32);
  const label = new Gtk.Label({ label: '', xalign: 0 });
  // setText, never markup, as on the buttons.
  label.setText(`${owner}: ${toDisplayText(window.title, 80)}`);
  const item = new Gtk.MenuItem();
  item.add(label);
  return item;
}

/** The windows a bar shows: those on its output, and the scratchpad's on every bar. */
function windowsOn(group: WindowGroup, outputName: string | null): OwnedWindow[] {
  return group.windows.filter(
    (window) => outputName === null || window.output === null || window.output === outputName,
  );
}

function createTag(group: WindowGroup): GtkLabel {
  // setText, never markup: a container's name is shown as it is.
  const tag = new Gtk.Label({ label: '' });
  tag.setText(group.owner === null ? HOST_TAG : toDisplayText(group.owner, 32));
  addClasses(tag, 'owner-tag', group.colour === null ? 'host' : `label-${group.colour}`);
  return tag;
}

/**
 * Every window, grouped under the container that owns it: a tag in the container's label colour,
 * then a button per window; the host's windows under a neutral "host" tag. A click focuses.
 * The windows that do not fit are summarised by a "+N" button whose menu lists them.
 */
export function createWindowsModule(context: ModuleContext): BarModule {
  // Many windows must not push the bar past the output's edge: the row sits in a scrolled
  // window that asks for its natural width when there is room, and for almost none otherwise.
  const root = new Gtk.ScrolledWindow({
    hscrollbarPolicy: Gtk.PolicyType.EXTERNAL,
    vscrollbarPolicy: Gtk.PolicyType.NEVER,
    propagateNaturalWidth: true,
    propagateNaturalHeight: true,
  });
  addClasses(root, 'widget', 'windows');
  const viewport = new Gtk.Viewport({ shadowType: Gtk.ShadowType.NONE });
  const row = new Gtk.Box({ orientation: Gtk.Orientation.HORIZONTAL, spacing: 2 });
  viewport.add(row);
  root.add(viewport);
  const maxLength = context.config.windows.maxLength;
  const buttons = new Map<number, WindowButton>();
  let built: BuiltGroup[] = [];
  let shownLayout = '';
  // The room the bar leaves this module, once GTK allocated the bar; null shows every window.
  let budget: number | null = null;
  let hiddenIds: number[] = [];
  let shownText = '';

  const overflowLabel = new Gtk.Label({ label: '' });
  const overflow = new Gtk.Button({ relief: Gtk.ReliefStyle.NONE });
  overflow.add(overflowLabel);
  addClasses(overflow, 'window-button', 'window-overflow');
  // Shown only when windows are left out: showAll() must not show it.
  overflow.setNoShowAll(true);
  overflowLabel.show();

  const openOverflowMenu = (up: () => void = () => undefined): void => {
    const menu = new Gtk.Menu();
    addClasses(menu, 'popup-windows');
    for (const { group, windows } of currentGroups()) {
      for (const window of windows) {
        if (!hiddenIds.includes(window.id)) continue;
        const entry = menuEntry(group, window);
        entry.on('activate', () => runAction(context.actions.focusWindow(window.id)));
        menu.append(entry);
      }
    }
    menu.showAll();
    popUpMenu(menu, overflow, up);
  };
  overflow.on('clicked', () => openOverflowMenu());
  const openFromControl = (): Promise<void> | null => {
    if (hiddenIds.length === 0) return null;
    // GTK work from a callback of the event loop, as the other menus do (FIELD-NOTES).
    return new Promise<void>((resolve) => setImmediate(() => openOverflowMenu(resolve)));
  };
  HIDDEN_MENU_OPENERS.add(openFromControl);

  const createButton = (window: OwnedWindow): WindowButton => {
    const label = new Gtk.Label({ label: '' });
    label.setEllipsize(Pango.EllipsizeMode.END);
    label.setSingleLineMode(true);
    label.setMaxWidthChars(maxLength);
    const button = new Gtk.Button({ relief: Gtk.ReliefStyle.NONE });
    button.add(label);
    addClasses(button, 'window-button');
    button.on('clicked', () => runAction(context.actions.focusWindow(window.id)));
    return { button, label, title: null };
  };

  const build = (groups: ShownGroup[]): void => {
    // Kept across rebuilds: clearBox destroys what the row holds.
    if (overflow.getParent() === row) row.remove(overflow);
    clearBox(row);
    buttons.clear();
    built = [];
    for (const { group, windows } of groups) {
      const box = new Gtk.Box({ orientation: Gtk.Orientation.HORIZONTAL, spacing: 0 });
      addClasses(box, 'window-group');
      const tag = createTag(group);
      box.packStart(tag, false, false, 0);
      for (const window of windows) {
        const shown = createButton(window);
        box.packStart(shown.button, false, false, 0);
        buttons.set(window.id, shown);
      }
      row.packStart(box, false, false, 0);
      built.push({ box, tag, windows });
    }
    row.packStart(overflow, false, false, 0);
    row.showAll();
  };

  /** Each group's tag (with the group box's own margins) and buttons, as GTK measures them. */
  const measure = (): MeasuredGroup[] =>
    built.map(({ box, tag, windows }) => {
      const children = box.getChildren().filter((child) => child.getVisible());
      const extra = minimumWidth(box) - children.reduce((sum, c) => sum + minimumWidth(c), 0);
      return {
        tagWidth: minimumWidth(tag) + extra,
        windows: windows.map((window) => {
          const shown = buttons.get(window.id);
          return {
            id: window.id,
            width: shown === undefined ? 0 : minimumWidth(shown.button),
            focused: window.focused,
            urgent: window.urgent,
          };
        }),
      };
    });

  /** Shows the buttons that fit and the "+N" for the others; the budget is the bar's. */
  const fitToBudget = (): void => {
    const windowCount = built.reduce((sum, group) => sum + group.windows.length, 0);
    // Measured with the widest count it could show, so that N does not change the choice.
    overflowLabel.setText(`+${windowCount}`);
    // GTK measures a hidden widget as 0 px wide: every button is shown while it is measured.
    // Nothing is drawn in between, since this runs before the frame's layout.
    overflow.setVisible(true);
    for (const { box } of built) {
      box.setVisible(true);
      for (const child of box.getChildren()) child.setVisible(true);
    }
    const choice = chooseShownWindows({
      groups: measure(),
      budget,
      indicatorWidth: minimumWidth(overflow),
      spacing: row.getSpacing(),
    });
    hiddenIds = choice.hidden;
    for (const { box, windows } of built) {
      for (const window of windows)
        buttons.get(window.id)?.button.setVisible(choice.shown.has(window.id));
      box.setVisible(windows.some((window) => choice.shown.has(window.id)));
    }
    overflowLabel.setText(`+${hiddenIds.length}`);
    overflow.setTooltipText(
      hiddenIds.length === 1 ? '1 more window' : `${hiddenIds.length} more windows`,
    );
    overflow.setVisible(hiddenIds.length > 0);
    const shownIds = built.flatMap(({ windows }) => windows.map((w) => w.id));
    shownText = [
      ...shownIds.filter((id) => choice.shown.has(id)).map((id) => `#${id}`),
      ...(hiddenIds.length > 0 ? [`+${hiddenIds.length}`] : []),
    ].join(' ');
  };

  const currentGroups = (): ShownGroup[] =>
    context.windows.state.groups
      .map((group) => ({ group, windows: windowsOn(group, context.outputName) }))
      .filter(({ windows }) => windows.length > 0);

  const render = (): void => {
    const groups = currentGroups();
    const layout = JSON.stringify(
      groups.map(({ group, windows }) => [group.owner, group.colour, windows.map((w) => w.id)]),
    );
    if (layout !== shownLayout) {
      shownLayout = layout;
      build(groups);
    }
    // Same windows in the same order as built: keep their current focus and urgency.
    built.forEach((shown, index) => {
      shown.windows = groups[index]?.windows ?? shown.windows;
    });
    for (const window of groups.flatMap(({ windows }) => windows)) {
      const shown = buttons.get(window.id);
      if (shown === undefined) continue;
      if (shown.title !== window.title) {
        shown.title = window.title;
        // setText, not setMarkup: a title such as "<b>pay</b> & go" must appear exactly so.
        const text = toDisplayText(window.title, maxLength);
        shown.label.setText(text);
        // A short title keeps its own width (code units: at least its characters); a long one
        // gives way down to a few characters.
        shown.label.setWidthChars(Math.min(MIN_TITLE_CHARS, maxLength, text.length));
        shown.button.setTooltipText(window.title === '' ? null : toDisplayText(window.title, 1000));
      }
      setClasses(
        shown.button,
        STATE_CLASSES,
        STATE_CLASSES.filter((name) => window[name]),
      );
    }
    fitToBudget();
  };

  // The budget is read after each allocation of the bar and, when it changed, the buttons are
  // fitted again in the next frame, through the scheduler like every other redraw.
  const onBarAllocated = (): void => {
    const bar = root.getParent();
    if (!(bar instanceof Gtk.Box)) return;
    const next = Math.max(0, budgetIn(bar, root));
    if (next === budget) return;
    log.debug('windows', `the bar leaves the windows ${next} px`);
    budget = next;
    requestRender(render);
  };
  let watchedBar: GtkWidget | null = null;
  root.on('parent-set', () => {
    watchedBar?.off('size-allocate', onBarAllocated);
    watchedBar = root.getParent();
    watchedBar?.on('size-allocate', onBarAllocated);
  });

  const stop = renderOnChange(context.windows, render);
  return {
    root,
    text: () => shownText,
    destroy: () => {
      HIDDEN_MENU_OPENERS.delete(openFromControl);
      stop();
      cancelRender(render);
      watchedBar?.off('size-allocate', onBarAllocated);
      watchedBar = null;
      root.destroy();
    },
  };
}
