import { toDisplayText } from '../util/text.js';
import { Gtk, Pango, addClasses } from './gtk.js';
import { renderOnChange, type BarModule, type ModuleContext } from './module.js';

/** The focused window's title, shown literally and ellipsized. It takes the bar's free space. */
export function createWindowTitleModule(context: ModuleContext): BarModule {
  const label = new Gtk.Label({ label: '', hexpand: true, xalign: 0.5 });
  label.setEllipsize(Pango.EllipsizeMode.END);
  label.setSingleLineMode(true);
  addClasses(label, 'widget', 'window');
  const maxLength = context.config.window.maxLength;

  const stop = renderOnChange(context.sway, (state) => {
    const title = state.focusedView?.title ?? '';
    // setText, not setMarkup: a title such as "<b>pay</b> & go" must appear exactly so.
    label.setText(toDisplayText(title, maxLength));
    label.setTooltipText(title === '' ? null : toDisplayText(title, 1000));
  });
  return {
    root: label,
    destroy: () => {
      stop();
      label.destroy();
    },
  };
}
