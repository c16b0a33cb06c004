import type { SwayState } from '../sway/client.js';
import { Gdk, Gtk, addClasses, clearBox, setClasses, type GtkButton } from './gtk.js';
import { renderOnChange, runAction, type BarModule, type ModuleContext } from './module.js';
import {
  neighbourWorkspace,
  workspacesToShow,
  type WorkspaceButtonState,
} from './workspace-list.js';

const STATE_CLASSES = ['focused', 'visible', 'urgent', 'persistent'] as const;

/** Smooth scrolling (touchpads) adds up deltas; one workspace per this much of them. */
const SMOOTH_SCROLL_STEP = 1;

function classesOf(workspace: WorkspaceButtonState): (typeof STATE_CLASSES)[number][] {
  const wanted = STATE_CLASSES.filter((name) => name !== 'persistent' && workspace[name]);
  return workspace.exists ? wanted : [...wanted, 'persistent'];
}

/**
 * Sway's workspaces on this bar's output (or on all of them, by config), with the config's
 * persistent ones; a click switches to one, a scroll over the module to the next or previous.
 */
export function createWorkspacesModule(context: ModuleContext): BarModule {
  // An event box: a Gtk.Box has no window of its own to receive scroll events.
  const events = new Gtk.EventBox();
  events.addEvents(Gdk.EventMask.SCROLL_MASK | Gdk.EventMask.SMOOTH_SCROLL_MASK);
  const box = new Gtk.Box({ orientation: Gtk.Orientation.HORIZONTAL, spacing: 0 });
  addClasses(box, 'widget', 'workspaces');
  events.add(box);
  const buttons = new Map<string, GtkButton>();
  let shown: WorkspaceButtonState[] = [];
  let shownNames = '';
  let smoothDelta = 0;

  const { allOutputs, persistent } = context.config.workspaces;
  const listOf = (state: SwayState): WorkspaceButtonState[] =>
    workspacesToShow(state.workspaces, { outputName: context.outputName, allOutputs, persistent });

  const rebuild = (): void => {
    clearBox(box);
    buttons.clear();
    for (const workspace of shown) {
      // A plain label: workspace names are shown as text, never parsed as markup.
      const button = new Gtk.Button({ label: workspace.name, relief: Gtk.ReliefStyle.NONE });
      button.on('clicked', () => runAction(context.actions.focusWorkspace(workspace.name)));
      box.packStart(button, false, false, 0);
      buttons.set(workspace.name, button);
    }
    box.showAll();
  };

  const render = (state: SwayState): void => {
    shown = listOf(state);
    const names = JSON.stringify(shown.map((workspace) => workspace.name));
    if (names !== shownNames) {
      shownNames = names;
      rebuild();
    }
    for (const workspace of shown) {
      const button = buttons.get(workspace.name);
      if (button !== undefined) setClasses(button, STATE_CLASSES, classesOf(workspace));
    }
  };

  // From Sway's state now, not the last one drawn: a redraw waits for the next frame, and a
  // second notch before it would go from the old workspace again.
  const switchTo = (direction: 'next' | 'previous'): void => {
    const target = neighbourWorkspace(listOf(context.sway.state), direction);
    if (target !== null) runAction(context.actions.focusWorkspace(target));
  };

  events.on('scroll-event', (event) => {
    if (event.direction === Gdk.ScrollDirection.SMOOTH) {
      smoothDelta += event.deltaY;
      if (Math.abs(smoothDelta) < SMOOTH_SCROLL_STEP) return true;
      switchTo(smoothDelta > 0 ? 'next' : 'previous');
      smoothDelta = 0;
    } else if (event.direction === Gdk.ScrollDirection.DOWN) {
      switchTo('next');
    } else if (event.direction === Gdk.ScrollDirection.UP) {
      switchTo('previous');
    }
    return true;
  });

  const stop = renderOnChange(context.sway, render);
  return {
    root: events,
    destroy: () => {
      stop();
      events.destroy();
    },
  };
}
