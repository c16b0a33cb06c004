import { performance } from 'node:perf_hooks';
import { log } from '../util/log.js';
import { hashText } from '../util/text.js';
import { Gdk, GLib, Gtk, type GtkWindow } from './gtk.js';

/*
 * Every widget update of the bars goes through this one scheduler, so that a flood of state
 * changes (thousands of Sway title events a second) costs at most one round of updates per
 * frame. Updates wait for the next frame of a shown bar: GTK runs tick callbacks once per frame,
 * in the frame clock's update phase, right before it lays out and paints, and a frame only comes
 * when the compositor is ready for one. With no bar shown (start-up, a bar being rebuilt) they
 * run from a GLib idle at GDK's redraw priority instead, so nothing waits for a frame that
 * never comes.
 */

/** How many updates ran, in how many frames: `cexbar msg state` shows it, tests compare them. */
export interface RedrawCounts {
  /** Rounds of updates, each in one frame (or one idle while no bar is shown). */
  frames: number;
  /** Widget updates (one module's render) run in those rounds. */
  renders: number;
  /** Updates waiting for the next frame: 0 once the bars show the current state. */
  pending: number;
}

interface Anchor {
  window: GtkWindow;
  tickId: number;
  unmapHandler: number;
}

/** Set by the benchmark: a line per traced redraw, with a high-resolution wall-clock time. */
const TRACE_REDRAWS = process.env.CEXBAR_TRACE_REDRAWS === '1';

class FrameScheduler {
  readonly #pending = new Set<() => void>();
  readonly #counts = { frames: 0, renders: 0 };
  #anchor: Anchor | null = null;
  #idleScheduled = false;

  get counts(): RedrawCounts {
    return { ...this.#counts, pending: this.#pending.size };
  }

  /** Runs `render` in the next frame; asking again before then adds nothing. */
  request(render: () => void): void {
    this.#pending.add(render);
    if (this.#anchor === null && !this.#idleScheduled) this.#schedule();
  }

  /** Forgets a render that is no longer wanted (its widget is being destroyed). */
  cancel(render: () => void): void {
    this.#pending.delete(render);
  }

  #schedule(): void {
    const window = shownBarWindow();
    if (window === null) {
      this.#idleScheduled = true;
      GLib.idleAdd(Gdk.PRIORITY_REDRAW, () => {
        this.#idleScheduled = false;
        this.#flush();
        return false;
      });
      return;
    }
    const tickId = window.addTickCallback(() => {
      this.#release();
      this.#flush();
      return false;
    });
    // A bar hidden or destroyed before its next frame would never run the tick: move on.
    const unmapHandler = window.connect('unmap', () => {
      window.removeTickCallback(tickId);
      this.#release();
      if (this.#pending.size > 0) this.#schedule();
    });
    this.#anchor = { window, tickId, unmapHandler };
  }

  #release(): void {
    const anchor = this.#anchor;
    if (anchor === null) return;
    this.#anchor = null;
    anchor.window.disconnect(anchor.unmapHandler);
  }

  #flush(): void {
    if (this.#pending.size === 0) return;
    const renders = [...this.#pending];
    this.#pending.clear();
    this.#counts.frames += 1;
    for (const render of renders) {
      this.#counts.renders += 1;
      render();
    }
  }
}

/** A mapped toplevel (a bar) whose frame clock paces the updates; menus are popups, not these. */
function shownBarWindow(): GtkWindow | null {
  for (const widget of Gtk.Window.listToplevels()) {
    if (!(widget instanceof Gtk.Window)) continue;
    if (widget.getWindowType() === Gtk.WindowType.TOPLEVEL && widget.getMapped()) return widget;
  }
  return null;
}

const scheduler = new FrameScheduler();

/** Runs `render` once in the next frame, however often it is asked for before then. */
export function requestRender(render: () => void): void {
  scheduler.request(render);
}

export function cancelRender(render: () => void): void {
  scheduler.cancel(render);
}

/** The counts since the panel started. */
export function redrawCounts(): RedrawCounts {
  return scheduler.counts;
}

/**
 * For bench/sway-events.ts only (CEXBAR_TRACE_REDRAWS=1): one debug line when a module showed
 * new text, with a hash of it rather than the text itself (titles come from containers and
 * must not reach a log), and the wall-clock time in milliseconds with a fraction.
 */
export function traceRedraw(module: string, text: string): void {
  if (!TRACE_REDRAWS) return;
  const at = (performance.timeOrigin + performance.now()).toFixed(3);
  log.debug('redraw', `${module} shows #${hashText(text)} at ${at}`);
}
