import { spawn, type ChildProcess } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { findLiveSway, isSwayProcess, type LiveSway } from '../sway/discovery.js';
import { log } from '../util/log.js';
import { EXIT_PANEL_REFUSED, EXIT_USAGE } from './exit-status.js';

/*
 * `cexbar run`: a small supervisor without GTK around the panel process. When Sway dies, GTK's
 * Wayland display dies with it, and a GTK process cannot survive losing its display; so the
 * panel runs as a child (`cexbar panel`), and this process finds the live Sway, starts the
 * panel on it, and when the panel ends because its Sway went away, waits for a new Sway and
 * starts the panel there. It waits on the runtime folder's changes (a new Sway creates its
 * sockets there), with a slow timer behind them, never in a busy loop.
 */

/** A panel that ran this long ended for a new reason: its next start waits the least again. */
const STABLE_RUN_MS = 30_000;
const FIRST_DELAY_MS = 500;
const LONGEST_DELAY_MS = 30_000;
/** How long a panel has to end after SIGTERM before it is killed. */
const STOP_GRACE_MS = 5_000;
/** Changes in the runtime folder come in bursts (sockets, locks): one look after the burst. */
const SETTLE_MS = 200;

export interface SuperviseOptions {
  /** The command line that starts one panel process on the Sway in its environment. */
  panelCommand: string[];
  runtimeDir: string;
  uid: number;
  env: NodeJS.ProcessEnv;
}

/** Thrown at start when no Sway runs: outside a session there is nothing to wait for. */
export class NoSwayError extends Error {
  override readonly name = 'NoSwayError';
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal === null ? `exit status ${code ?? 'unknown'}` : `signal ${signal}`;
}

/** A doubling delay with a ceiling, back to the start after a panel that ran long enough. */
class BackOff {
  #next = FIRST_DELAY_MS;

  take(): number {
    const delay = this.#next;
    this.#next = Math.min(this.#next * 2, LONGEST_DELAY_MS);
    return delay;
  }

  reset(): void {
    this.#next = FIRST_DELAY_MS;
  }
}

export class PanelSupervisor {
  readonly #options: SuperviseOptions;
  readonly #restartDelay = new BackOff();
  readonly #lookDelay = new BackOff();
  #child: ChildProcess | null = null;
  #sway: LiveSway | null = null;
  #watcher: FSWatcher | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stopping = false;
  #looking = false;
  /** Whether the Sway the panel ran on has ended, and a new one is awaited. */
  #waitingForNew = false;
  readonly #done: Promise<number>;
  #finish: (code: number) => void = () => undefined;

  constructor(options: SuperviseOptions) {
    this.#options = options;
    this.#done = new Promise((resolve) => (this.#finish = resolve));
  }

  /** Resolves with the run's exit status once it has stopped. */
  get done(): Promise<number> {
    return this.#done;
  }

  /** Starts the first panel; rejects with a NoSwayError when no Sway runs at all. */
  async start(): Promise<void> {
    const sway = await this.#find();
    if (sway === null) {
      const { uid, runtimeDir } = this.#options;
      const given = this.#options.env.SWAYSOCK;
      const swaysock = given === undefined || given === '' ? 'is not set' : 'does not answer';
      throw new NoSwayError(
        `no Sway runs here: SWAYSOCK ${swaysock} and ${runtimeDir} holds no ` +
          `sway-ipc.${uid}.PID.sock of a running Sway; run cexbar from inside a Sway session`,
      );
    }
    // Stopped while it looked: no panel to start.
    if (this.#mayStartPanel()) this.#startPanel(sway);
  }

  /** Stops the panel (SIGTERM) and resolves the run with status 0 once it has ended. */
  stop(signal: string): void {
    if (this.#stopping) return;
    this.#stopping = true;
    log.info('run', `stopping (${signal})`);
    this.#stopWaiting();
    const child = this.#child;
    if (child === null) {
      this.#finish(0);
      return;
    }
    child.kill('SIGTERM');
    // A panel hung in GTK ignores SIGTERM; runit's stop must not wait on it forever.
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => clearTimeout(timer));
  }

  #find(): Promise<LiveSway | null> {
    const { env, runtimeDir, uid } = this.#options;
    return findLiveSway({
      runtimeDir,
      uid,
      swaySocket: env.SWAYSOCK,
      waylandDisplay: env.WAYLAND_DISPLAY,
    });
  }

  #startPanel(sway: LiveSway): void {
    this.#sway = sway;
    const [command, ...args] = this.#options.panelCommand;
    if (command === undefined) throw new Error('run: no panel command');
    const startedAt = Date.now();
    log.debug('run', `starting the panel on ${sway.socket} (${sway.waylandDisplay})`);
    // The panel's own lines go straight to the same stderr; stdin and stdout it does not use.
    const child = spawn(command, args, {
      cwd: '/',
      env: { ...this.#options.env, SWAYSOCK: sway.socket, WAYLAND_DISPLAY: sway.waylandDisplay },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.#child = child;
    child.once('exit', (code, signal) => {
      this.#child = null;
      if (Date.now() - startedAt >= STABLE_RUN_MS) this.#restartDelay.reset();
      this.#onPanelExit(code, signal);
    });
  }

  #onPanelExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#stopping) {
      this.#finish(0);
      return;
    }
    if (code === EXIT_USAGE || code === EXIT_PANEL_REFUSED) {
      // The panel said why on stderr; another start would say it again.
      this.#finish(code === EXIT_USAGE ? EXIT_USAGE : 1);
      return;
    }
    const sway = this.#sway;
    if (sway !== null && (sway.pid === null || isSwayProcess(sway.pid))) {
      const delay = this.#restartDelay.take();
      log.warn(
        'run',
        `the panel ended (${describeExit(code, signal)}) while Sway runs; ` +
          `starting it again in ${delay / 1000} s`,
      );
      this.#timer = setTimeout(() => {
        this.#timer = null;
        void this.#lookForSway();
      }, delay);
      return;
    }
    log.warn('run', `Sway at ${sway?.socket ?? '?'} has ended; waiting for a new Sway`);
    this.#waitForNewSway();
  }

  /** Looks again on every change in the runtime folder, and on a slow timer behind that. */
  #waitForNewSway(): void {
    this.#waitingForNew = true;
    this.#lookDelay.reset();
    try {
      this.#watcher = watch(this.#options.runtimeDir, () => this.#lookSoon(SETTLE_MS));
      this.#watcher.on('error', () => undefined);
    } catch {
      // A folder we cannot watch: the timer alone finds the new Sway, later.
    }
    this.#lookSoon(this.#lookDelay.take());
  }

  #lookSoon(delay: number): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#lookForSway();
    }, delay);
  }

  async #lookForSway(): Promise<void> {
    if (this.#looking || !this.#mayStartPanel()) return;
    this.#looking = true;
    const sway = await this.#find().finally(() => (this.#looking = false));
    // Checked again: a stop or another start may have come while it looked.
    if (!this.#mayStartPanel()) return;
    if (sway === null && !this.#waitingForNew) {
      // Sway ended while the panel waited to start again.
      log.warn('run', 'no Sway runs now; waiting for a new Sway');
      this.#waitForNewSway();
      return;
    }
    if (sway === null) {
      // The watcher wakes us on the next change; the timer only guards against a missed one.
      this.#lookSoon(this.#lookDelay.take());
      return;
    }
    const isNew = sway.socket !== this.#sway?.socket;
    this.#stopWaiting();
    if (isNew) log.info('run', `found Sway at ${sway.socket}`);
    this.#startPanel(sway);
  }

  #mayStartPanel(): boolean {
    return !this.#stopping && this.#child === null;
  }

  #stopWaiting(): void {
    this.#waitingForNew = false;
    this.#watcher?.close();
    this.#watcher = null;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
