import { watch, type FSWatcher } from 'node:fs';
import { describeError, log } from '../util/log.js';

/*
 * Says when a container may have appeared or vanished under the LXC path (lxc-create,
 * lxc-destroy, a volume mounted there): lxc-monitor reports state changes only. One inotify
 * watch on the path's folder, no polling. On LXCex /var/lib/lxc is mode 751, which inotify
 * refuses the desktop user (EACCES): then, when given one, the LXC helper's `watch` verb
 * watches as root and prints a line per change; without it the service re-lists on
 * lxc-monitor's lines alone.
 */

// lxc-create makes NAME/ first and writes NAME/config (what lxc-ls looks for) last, with no
// event the user can see in between: after an event, list again a few times, then stop.
const SETTLE_DELAYS_MS = [300, 1_000, 3_000, 8_000];
// After the helper's watch ends on its own, wait this long before the next, doubling to the cap.
const HELPER_RETRY_MS = 2_000;
const HELPER_RETRY_CAP_MS = 60_000;

/** Starts the helper's watch of the path: onLine per line it prints; returns what stops it. */
export type WatchThroughHelper = (
  onLine: (line: string) => void,
  onExit: (reason: Error | null) => void,
) => () => void;

export class LxcPathWatcher {
  readonly #path: string;
  readonly #onChange: () => void;
  readonly #watchThroughHelper: WatchThroughHelper | null;
  #watcher: FSWatcher | null = null;
  readonly #timers = new Set<NodeJS.Timeout>();
  #stopHelper: (() => void) | null = null;
  #helperRetry: NodeJS.Timeout | null = null;
  #helperDelayMs = HELPER_RETRY_MS;
  /** Whether the helper's watch runs now, as last logged: one line per change of it. */
  #helperWatching = false;
  #closed = false;

  constructor(path: string, onChange: () => void, watchThroughHelper?: WatchThroughHelper) {
    this.#path = path;
    this.#onChange = onChange;
    this.#watchThroughHelper = watchThroughHelper ?? null;
  }

  /**
   * Starts watching; false (and one debug line) when the folder cannot be watched, by us or,
   * for a folder we may not read, by the helper.
   */
  start(): boolean {
    this.#closed = false;
    try {
      this.#watcher = watch(this.#path, { persistent: false }, () => {
        this.#changed();
      });
    } catch (error) {
      if (this.#watchThroughHelper !== null && isPermissionError(error)) {
        log.debug(
          'containers',
          `cannot watch ${this.#path} (${describeError(error)}): watching it through the LXC ` +
            "helper's watch",
        );
        this.#startHelper();
        return true;
      }
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
    this.#closed = true;
    this.#watcher?.close();
    this.#watcher = null;
    this.#stopHelper?.();
    this.#stopHelper = null;
    if (this.#helperRetry !== null) clearTimeout(this.#helperRetry);
    this.#helperRetry = null;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #startHelper(): void {
    const watchThroughHelper = this.#watchThroughHelper;
    if (watchThroughHelper === null) return;
    this.#stopHelper = watchThroughHelper(
      (line) => {
        this.#helperLine(line);
      },
      (reason) => {
        this.#helperEnded(reason);
      },
    );
  }

  /** "watching" once it is set (then what changed meanwhile is listed), "changed" per burst. */
  #helperLine(line: string): void {
    if (line === 'watching') {
      this.#helperDelayMs = HELPER_RETRY_MS;
      if (!this.#helperWatching) {
        this.#helperWatching = true;
        log.info('containers', `watching ${this.#path} through the LXC helper`);
      }
      this.#changed();
    } else if (line === 'changed') {
      this.#changed();
    }
  }

  /** The helper's watch ended (the folder went away, or sudo refused): retry, backing off. */
  #helperEnded(reason: Error | null): void {
    this.#stopHelper = null;
    if (this.#closed) return;
    if (this.#helperWatching || this.#helperDelayMs === HELPER_RETRY_MS) {
      const why = reason === null ? 'without a reason' : `(${reason.message})`;
      log.warn(
        'containers',
        `the LXC helper's watch of ${this.#path} ended ${why}; containers created or ` +
          'destroyed there show when it restarts',
      );
    }
    this.#helperWatching = false;
    // What it saw last (a folder gone) shows at once.
    this.#onChange();
    this.#helperRetry = setTimeout(() => {
      this.#helperRetry = null;
      this.#startHelper();
    }, this.#helperDelayMs);
    this.#helperDelayMs = Math.min(this.#helperDelayMs * 2, HELPER_RETRY_CAP_MS);
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

function isPermissionError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'EACCES' || code === 'EPERM';
}
