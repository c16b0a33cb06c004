import type { SwayWorkspaceState } from '../sway/client.js';
import { Gtk, addClasses, clearBox, setClasses, type GtkButton } from './gtk.js';
import { renderOnChange, runAction, type BarModule, type ModuleContext } from './module.js';

const STATE_CLASSES = ['focused', 'visible', 'urgent'] as const;

/** Sway's workspaces on this bar's output: the focused one marked, urgent ones shown. */
export function createWorkspacesModule(context: ModuleContext): BarModule {
  const box = new Gtk.Box({ orientation: Gtk.Orientation.HORIZONTAL, spacing: 0 });
  addClasses(box, 'widget', 'workspaces');
  const buttons = new Map<string, GtkButton>();
  let shownNames = '';

  const render = (workspaces: SwayWorkspaceState[]): void => {
    const mine = workspaces.filter(
      (workspace) => context.outputName === null || workspace.output === context.outputName,
    );
    const names = JSON.stringify(mine.map((workspace) => workspace.name));
    if (names !== shownNames) {
      shownNames = names;
      clearBox(box);
      buttons.clear();
      for (const workspace of mine) {
        // A plain label: workspace names are shown as text, never parsed as markup.
        const button = new Gtk.Button({ label: workspace.name, relief: Gtk.ReliefStyle.NONE });
        button.on('clicked', () => runAction(context.actions.focusWorkspace(workspace.name)));
        box.packStart(button, false, false, 0);
        buttons.set(workspace.name, button);
      }
      box.showAll();
    }
    for (const workspace of mine) {
      const button = buttons.get(workspace.name);
      if (button === undefined) continue;
      const wanted = STATE_CLASSES.filter((name) => workspace[name]);
      setClasses(button, STATE_CLASSES, wanted);
    }
  };

  const stop = renderOnChange(context.sway, (state) => {
    render(state.workspaces);
  });
  return {
    root: box,
    destroy: () => {
      stop();
      box.destroy();
    },
  };
}
