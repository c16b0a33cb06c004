import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { describeError, log } from '../util/log.js';

/*
 * Follows the config file and the stylesheets while the panel runs. Editors save by writing a
 * new file and renaming it over the old one, so each folder is watched rather than the files:
 * a watch on the old inode would hear nothing after the first save. Bursts of events (a save is
 * often a create, a write and a rename) are folded into one reload after a short quiet time.
 */

// Long enough to fold one save's events, short enough to feel immediate.
const DEBOUNCE_MS = 150;

export interface ConfigWatcherOptions {
  /** The config file, watched even when it does not exist yet. */
  configFile: string;
  /** Stylesheets whose change reloads the styles: ui/style.css and the user's style.css. */
  stylesheets: string[];
  /** A new valid config, with the file it came from (null: the file is gone, defaults apply). */
  onConfig(config: Config, file: string | null): void;
  /** The config file is not valid now; the message is the user's to read, as it stands. */
  onConfigError(message: string): void;
  onStylesheets(): void;
}

/** Calls `run` once the calls to the function it returns have paused for `delayMs`. */
function debounce(run: () => void, delayMs: number): { call(): void; cancel(): void } {
  let timer: NodeJS.Timeout | null = null;
  return {
    call: () => {
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        run();
      }, delayMs);
    },
    cancel: () => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}

/** Watches the folders of the config and the stylesheets; close() stops every watch. */
export class ConfigWatcher {
  readonly #options: ConfigWatcherOptions;
  readonly #watchers: FSWatcher[] = [];
  readonly #config = debounce(() => void this.#reloadConfig(), DEBOUNCE_MS);
  readonly #styles = debounce(() => this.#options.onStylesheets(), DEBOUNCE_MS);
  #closed = false;
  #generation = 0;

  constructor(options: ConfigWatcherOptions) {
    this.#options = options;
    const byFolder = new Map<string, Set<string>>();
    for (const file of [options.configFile, ...options.stylesheets]) {
      const names = byFolder.get(dirname(file)) ?? new Set<string>();
      names.add(basename(file));
      byFolder.set(dirname(file), names);
    }
    for (const [folder, names] of byFolder) this.#watchFolder(folder, names);
  }

  close(): void {
    this.#closed = true;
    this.#config.cancel();
    this.#styles.cancel();
    for (const watcher of this.#watchers.splice(0)) watcher.close();
  }

  #watchFolder(folder: string, names: Set<string>): void {
    const configName = basename(this.#options.configFile);
    try {
      const watcher = watch(folder, { persistent: false }, (_event, filename) => {
        // Without a name (some file systems) any change may be ours.
        const name = filename;
        if (name !== null && !names.has(name)) return;
        if (name === null || name === configName) this.#config.call();
        if (name === null || name !== configName) this.#styles.call();
      });
      watcher.on('error', (error) => {
        log.warn('config', `stopped watching ${folder} (${describeError(error)})`);
      });
      this.#watchers.push(watcher);
    } catch (error) {
      // A folder that does not exist yet (no config written): changes need a restart.
      log.debug('config', `cannot watch ${folder} (${describeError(error)})`);
    }
  }

  async #reloadConfig(): Promise<void> {
    // A read that a later save overtook must not apply after the later one.
    const generation = ++this.#generation;
    const current = (): boolean => !this.#closed && generation === this.#generation;
    let loaded;
    try {
      loaded = await loadConfig(this.#options.configFile);
    } catch (error) {
      if (current()) this.#options.onConfigError(describeError(error));
      return;
    }
    if (current()) this.#options.onConfig(loaded.config, loaded.file);
  }
}
