import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { log } from '../util/log.js';
import { Gdk, Gtk } from '../widgets/gtk.js';

/** ui/ of the installed app: dist/src/panel/ is three levels below the package's root. */
export const UI_DIR = join(__dirname, '..', '..', '..', 'ui');

/**
 * Applies the default stylesheet, then the user's `style.css` beside the config file when there
 * is one: the user's rules win because they come later at the same priority.
 */
export function applyStylesheets(userStylesheet: string | null): void {
  const screen = Gdk.Screen.getDefault();
  if (screen === null) return;
  const paths = [join(UI_DIR, 'style.css')];
  if (userStylesheet !== null && existsSync(userStylesheet)) paths.push(userStylesheet);
  for (const path of paths) {
    const provider = new Gtk.CssProvider();
    try {
      provider.loadFromPath(path);
    } catch (error) {
      log.warn('style', `${path} is not valid GTK CSS, skipped (${String(error)})`);
      continue;
    }
    Gtk.StyleContext.addProviderForScreen(
      screen,
      provider,
      Gtk.STYLE_PROVIDER_PRIORITY_APPLICATION,
    );
  }
}
