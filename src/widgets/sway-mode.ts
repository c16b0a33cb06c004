import { DEFAULT_MODE } from '../sway/state.js';
import { Gtk, addClasses } from './gtk.js';
import { renderOnChange, type BarModule, type ModuleContext } from './module.js';

/** Sway's binding mode while it is not the default one (`mode "resize"` and the like). */
export function createSwayModeModule(context: ModuleContext): BarModule {
  // Text, not markup: a mode's name comes from the Sway config as written.
  const label = new Gtk.Label({ label: '' });
  addClasses(label, 'widget', 'mode');
  // Hidden in the default mode: the bar's showAll() must not show it.
  label.setNoShowAll(true);
  const stop = renderOnChange(context.sway, (state) => {
    const active = state.connected && state.mode !== DEFAULT_MODE;
    label.setText(active ? state.mode : '');
    label.setVisible(active);
  });
  return {
    root: label,
    destroy: () => {
      stop();
      label.destroy();
    },
  };
}
