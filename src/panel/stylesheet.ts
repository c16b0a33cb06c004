import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describeError } from '../util/log.js';
import { Gdk, Gtk } from '../widgets/gtk.js';

/** ui/ of the installed app: dist/src/panel/ is three levels below the package's root. */
export const UI_DIR = join(__dirname, '..', '..', '..', 'ui');

/** The default stylesheet, applied before the user's. */
export const DEFAULT_STYLESHEET = join(UI_DIR, 'style.css');

type CssProvider = InstanceType<typeof Gtk.CssProvider>;

// The providers on the screen now, by file: a reload replaces them, it never stacks them.
const applied = new Map<string, CssProvider>();

/** The stylesheet's provider, or GTK's reason for refusing the file. */
function loadProvider(path: string): CssProvider | { problem: string } {
  const provider = new Gtk.CssProvider();
  try {
    provider.loadFromPath(path);
  } catch (error) {
    // GTK's message starts with the file's name and the line: "style.css:3:7: ...".
    return { problem: `${path} is not valid GTK CSS: ${describeError(error)}` };
  }
  return provider;
}

/**
 * Applies the default stylesheet, then the user's `style.css` beside the config file when there
 * is one: the user's rules win because they come later at the same priority. Called again, it
 * reloads both; a file GTK refuses keeps its last good version, a removed file its rules gone.
 * Returns why a file was refused (the first one), or null when GTK took them all.
 */
export function applyStylesheets(userStylesheet: string | null): string | null {
  const screen = Gdk.Screen.getDefault();
  if (screen === null) return null;
  const paths = [DEFAULT_STYLESHEET];
  if (userStylesheet !== null) paths.push(userStylesheet);
  const next = new Map<string, CssProvider>();
  let firstProblem: string | null = null;
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const loaded = loadProvider(path);
    if ('problem' in loaded) firstProblem ??= loaded.problem;
    const provider = 'problem' in loaded ? applied.get(path) : loaded;
    if (provider !== undefined) next.set(path, provider);
  }
  for (const provider of applied.values()) {
    Gtk.StyleContext.removeProviderForScreen(screen, provider);
  }
  applied.clear();
  // Added in order, so that the user's rules still come after the default ones.
  for (const [path, provider] of next) {
    Gtk.StyleContext.addProviderForScreen(
      screen,
      provider,
      Gtk.STYLE_PROVIDER_PRIORITY_APPLICATION,
    );
    applied.set(path, provider);
  }
  return firstProblem;
}
