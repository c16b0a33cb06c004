import { watch, type FSWatcher } from 'node:fs';
import { describeError, log } from '../util/log.js';

/*
 * Says when a container may have appeared or vanished under the LXC path (lxc-create,
 * lxc-destroy, a volume mounted there): lxc-monitor reports state changes only. One inotify
 * watch on the path's folder, no polling. The desktop user must be able to read the folder:
 * on LXCex /var/lib/lxc is mode 751, which inotify refuses (EACCES), and then the service
 * re-lists on lxc-monitor's lines alone.
 */

// lxc-create makes NAME/ first and writes NAME/config (what lxc-ls looks for) last, with no
// event the user can see in between: after an event, list again a few times, then stop.
const SETTLE_DELAYS_MS = [300, 1_000, 3_000, 8_000];

export class LxcPathWatcher {
  readonly #path: string;
  readonly #onChange: () => void;
  #watcher: FSWatcher | null = null;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(path: string, onChange: () => void) {
    this.#path = path;
    this.#onChange = onChange;
  }

  /** Starts watching; false (and one debug line) when the folder cannot be watched. */
  start(): boolean {
    try {
      this.#watcher = watch(this.#path, { persistent: false }, () => {
        this.#changed();
      });
    } catch (error) {
      log.debug(
        'containers',
        `cannot watch ${this.#path} (${describeError(error)}): containers created or ` +
          'destroyed there show at the next lxc-monitor event',
      );
      return false;
    }
    this.#watcher.on('error', (error) => {
      log.debug('containers', `stopped watching ${this.#path} (${describeError(error)})`);
      this.close();
    });
    return true;
  }

  close(): void {
    this.#watcher?.close();
    this.#watcher = null;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  /** A burst of events shares one series of re-listings: the last event restarts it. */
  #changed(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#onChange();
    for (const delay of SETTLE_DELAYS_MS) {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#onChange();
      }, delay);
      this.#timers.add(timer);
    }
  }
}
