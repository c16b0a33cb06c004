import { toDisplayText } from '../util/text.js';
import { traceRedraw } from './frame-scheduler.js';
import { Gtk, Pango, addClasses } from './gtk.js';
import { renderOnChange, type BarModule, type ModuleContext } from './module.js';

/** The focused window's title, shown literally and ellipsized. It takes the bar's free space. */
export function createWindowTitleModule(context: ModuleContext): BarModule {
  const label = new Gtk.Label({ label: '', hexpand: true, xalign: 0.5 });
  label.setEllipsize(Pango.EllipsizeMode.END);
  label.setSingleLineMode(true);
  addClasses(label, 'widget', 'window');
  const maxLength = context.config.window.maxLength;
  let shownTitle: string | null = null;

  const stop = renderOnChange(context.sway, (state) => {
    const title = state.focusedView?.title ?? '';
    // Any Sway change renders here; an unchanged title need not be laid out again.
    if (title === shownTitle) return;
    shownTitle = title;
    // setText, not setMarkup: a title such as "<b>pay</b> & go" must appear exactly so.
    const shown = toDisplayText(title, maxLength);
    label.setText(shown);
    traceRedraw('window', shown);
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
