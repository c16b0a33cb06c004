import * as gi from 'node-gtk';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';

/*
 * A real window whose title the tests and the benchmark set, run as the desktop user in the
 * harness Sway: `node title-client.js [FIRST-TITLE]`. Terminals merge rapid title changes (foot
 * turned 10,000 into 16 events), so this is a GTK toplevel of its own that calls setTitle
 * directly: each call is one xdg_toplevel.set_title request, one Sway window event.
 *
 * It reads one JSON request a line on stdin and answers one JSON line on stdout when done:
 *   {"title": "text"}                              one title
 *   {"flood": {"count": N, "prefix": "p", "batch": B}}   titles p0 … p(N-1) as fast as Sway
 *                                                  takes them, B requests between round trips
 *   {"paced": {"count": N, "prefix": "p", "perSecond": R}}   the same, spread at R a second
 * The first line it prints is {"ready": true, "xid": …} once the window is up (xid: its X11
 * window under GDK_BACKEND=x11, else null). Under X11 each title is one property change.
 */

const Gtk = gi.require('Gtk', '3.0');
const Gdk = gi.require('Gdk', '3.0');
const GLib = gi.require('GLib', '2.0');
const X11 = process.env.GDK_BACKEND === 'x11';
if (X11) gi.require('GdkX11', '3.0');

type Request =
  | { title: string }
  | { flood: { count: number; prefix: string; batch?: number } }
  | { paced: { count: number; prefix: string; perSecond: number } };

/**
 * Requests written between two round trips. libwayland's buffer is 4 kB and the socket's a few
 * hundred: a client that writes faster than Sway reads gets EAGAIN and GDK exits ("Error
 * flushing display"), so the flood waits for Sway every so often.
 */
const DEFAULT_BATCH = 100;

GLib.setPrgname('cexbar-title-client');
if (!Gtk.initCheck(null)[0]) {
  process.stderr.write('title-client: cannot open the display\n');
  process.exit(1);
}
const display = Gdk.Display.getDefault();
const window = new Gtk.Window({ type: Gtk.WindowType.TOPLEVEL, title: process.argv[2] ?? '' });
window.setDefaultSize(320, 120);
window.add(new Gtk.Label({ label: 'cexbar title client' }));
window.on('destroy', () => process.exit(0));

function reply(message: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(message) + '\n');
}

/** Waits until the compositor has handled every request sent so far. */
function roundTrip(): void {
  display?.sync();
}

function xidOf(): number | null {
  if (!X11) return null;
  // GdkX11 has no generated types; loaded, it makes GDK's windows X11Windows with getXid().
  const gdkWindow = window.getWindow() as unknown as { getXid(): number | bigint } | null;
  return gdkWindow === null ? null : Number(gdkWindow.getXid());
}

function flood(count: number, prefix: string, batch: number): void {
  const started = performance.now();
  let next = 0;
  // From a GLib idle, so that GTK handles the compositor's replies between batches.
  GLib.idleAdd(GLib.PRIORITY_DEFAULT, () => {
    const end = Math.min(count, next + batch);
    for (; next < end; next += 1) window.setTitle(`${prefix}${next}`);
    roundTrip();
    if (next < count) return true;
    reply({ done: 'flood', count, ms: performance.now() - started });
    return false;
  });
}

function paced(count: number, prefix: string, perSecond: number): void {
  const started = performance.now();
  let next = 0;
  // A GLib timer: Node's were seen not to fire from here under node-gtk.
  GLib.timeoutAdd(GLib.PRIORITY_DEFAULT, 1, () => {
    // As many titles as the clock says are due: a late timer catches up, the rate holds.
    const due = Math.min(count, Math.floor(((performance.now() - started) * perSecond) / 1000));
    for (; next < due; next += 1) {
      window.setTitle(`${prefix}${next}`);
      display?.flush();
    }
    if (next < count) return true;
    roundTrip();
    reply({ done: 'paced', count, ms: performance.now() - started });
    return false;
  });
}

function handle(line: string): void {
  const request = JSON.parse(line) as Request;
  if ('title' in request) {
    window.setTitle(request.title);
    roundTrip();
    reply({ done: 'title' });
  } else if ('flood' in request) {
    flood(request.flood.count, request.flood.prefix, request.flood.batch ?? DEFAULT_BATCH);
  } else {
    paced(request.paced.count, request.paced.prefix, request.paced.perSecond);
  }
}

function start(): void {
  window.showAll();
  roundTrip();
  reply({ ready: true, xid: xidOf() });
  // Node's streams and timers made before Gtk.main() started never fire: made from here.
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() !== '') handle(line);
  });
  process.stdin.on('end', () => process.exit(0));
}

// Gtk.main() from a timer, never from a microtask; the rest from GTK's first idle.
setTimeout(() => {
  GLib.idleAdd(GLib.PRIORITY_DEFAULT, () => {
    start();
    return false;
  });
  Gtk.main();
}, 0);
