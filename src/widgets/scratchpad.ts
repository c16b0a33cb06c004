import { Gtk, addClasses } from './gtk.js';
import { renderOnChange, type BarModule, type ModuleContext } from './module.js';

/** How many windows Sway's scratchpad holds, shown only while it holds any. */
export function createScratchpadModule(context: ModuleContext): BarModule {
  const label = new Gtk.Label({ label: '' });
  addClasses(label, 'widget', 'scratchpad');
  label.setNoShowAll(true);
  const stop = renderOnChange(context.sway, (state) => {
    const count = state.scratchpadCount;
    label.setText(count > 0 ? `▭ ${count}` : '');
    label.setTooltipText(
      count > 0 ? `${count} window${count === 1 ? '' : 's'} in the scratchpad` : null,
    );
    label.setVisible(count > 0);
  });
  return {
    root: label,
    destroy: () => {
      stop();
      label.destroy();
    },
  };
}
