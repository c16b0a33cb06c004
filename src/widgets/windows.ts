import type { OwnedWindow, WindowGroup } from '../containers/window-owners.js';
import { toDisplayText } from '../util/text.js';
import {
  Gtk,
  Pango,
  addClasses,
  clearBox,
  setClasses,
  type GtkButton,
  type GtkLabel,
} from './gtk.js';
import { renderOnChange, runAction, type BarModule, type ModuleContext } from './module.js';

const STATE_CLASSES = ['focused', 'urgent'] as const;

/**
 * The fewest characters a button keeps of its title when the bar is crowded: below that a row
 * of "…" tells nothing. The buttons that no longer fit are scrolled out of the row's end.
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
  let shownLayout = '';

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

  const build = (groups: { group: WindowGroup; windows: OwnedWindow[] }[]): void => {
    clearBox(row);
    buttons.clear();
    for (const { group, windows } of groups) {
      const box = new Gtk.Box({ orientation: Gtk.Orientation.HORIZONTAL, spacing: 0 });
      addClasses(box, 'window-group');
      box.packStart(createTag(group), false, false, 0);
      for (const window of windows) {
        const shown = createButton(window);
        box.packStart(shown.button, false, false, 0);
        buttons.set(window.id, shown);
      }
      row.packStart(box, false, false, 0);
    }
    row.showAll();
  };

  const stop = renderOnChange(context.windows, (state) => {
    const groups = state.groups
      .map((group) => ({ group, windows: windowsOn(group, context.outputName) }))
      .filter(({ windows }) => windows.length > 0);
    const layout = JSON.stringify(
      groups.map(({ group, windows }) => [group.owner, group.colour, windows.map((w) => w.id)]),
    );
    if (layout !== shownLayout) {
      shownLayout = layout;
      build(groups);
    }
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
  });
  return {
    root,
    destroy: () => {
      stop();
      root.destroy();
    },
  };
}
