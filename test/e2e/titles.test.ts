import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test, type TestContext } from 'node:test';
import type { PanelSnapshot } from '../../src/panel/snapshot.js';
import { hex, readPpm, sameColour, type Image } from '../../scripts/harness/image.js';
import { startPanel, type PanelProcess } from '../../scripts/harness/panel.js';
import { panelProcessPid } from '../../scripts/harness/panel-process.js';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';
import {
  openTitleWindow,
  x11DisplayOf,
  type TitleWindow,
} from '../../scripts/harness/title-window.js';

/*
 * Window titles are untrusted: a container sets them. Real windows in the headless Sway set
 * hostile titles (a GTK window of the harness's own on Wayland, and the same through Xwayland for
 * raw bytes, which only X11 titles can carry to Sway); the real panel shows the focused one. The
 * bar holds the title module alone, so that the text's ink on the screenshot is the title's.
 */

const OUTPUT = join(process.cwd(), 'test-output');
const BAR_BACKGROUND = hex('#1d2026');
const BAR_HEIGHT = 28;
const FLOOD = 10_000;

let session: SwaySession;
let panel: PanelProcess;
let wayland: TitleWindow;
const cleanUps: (() => Promise<void>)[] = [];

before(async () => {
  session = await startSwaySession({ extraConfig: ['xwayland enable'] });
  cleanUps.push(() => session.stop());
  panel = await startPanel(session, { config: JSON.stringify({ modules: ['window'] }) });
  cleanUps.push(() => panel.stop());
  wayland = await openTitleWindow(session, { title: 'first' });
  cleanUps.push(() => wayland.close());
});

after(async () => {
  for (const cleanUp of cleanUps.reverse()) await cleanUp();
});

/** Waits until the panel has the focused title `title` and its bar has been updated with it. */
async function showTitle(title: string): Promise<PanelSnapshot> {
  const state = await panel.waitForState(
    `the focused title ${JSON.stringify(title.slice(0, 60))} on the bar`,
    (s) => s.sway.focusedView?.title === title && s.redraws.pending === 0,
  );
  // The widgets were updated in a frame; the compositor shows it a frame later.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return state;
}

/** Focuses a client's window, as a click on it would. */
async function focus(window: TitleWindow): Promise<void> {
  await session.swaymsg(`[pid=${window.pid}] focus`);
}

async function screenshot(name: string): Promise<Image> {
  await session.screenshot(join(OUTPUT, `${name}.png`));
  const ppm = join(OUTPUT, `${name}.ppm`);
  await session.screenshot(ppm);
  return readPpm(ppm);
}

/** The columns of the bar where anything but its background is drawn: the text's extent. */
function inkOf(image: Image): { left: number; right: number; width: number } {
  let left = image.width;
  let right = -1;
  for (let x = 0; x < image.width; x += 1) {
    for (let y = 0; y < BAR_HEIGHT; y += 1) {
      if (sameColour(image.pixel(x, y), BAR_BACKGROUND, 12)) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      break;
    }
  }
  return { left, right, width: right < left ? 0 : right - left + 1 };
}

function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
}

test('markup in a title is shown as the text it is, never parsed', async () => {
  await focus(wayland);
  await wayland.setTitle('x & y');
  await showTitle('x & y');
  const plain = inkOf(await screenshot('titles-plain'));
  await wayland.setTitle('<b>x</b> & y');
  await showTitle('<b>x</b> & y');
  const literal = inkOf(await screenshot('titles-markup'));
  // Parsed as markup it would draw "x & y" in bold: about as wide as the plain title.
  assert.ok(plain.width > 10, `no text on the bar for "x & y": ${JSON.stringify(plain)}`);
  assert.ok(
    literal.width > plain.width * 1.8,
    `"<b>x</b> & y" drawn ${literal.width} px wide, "x & y" ${plain.width} px`,
  );
});

test('right-to-left and combining characters reach the bar and render', async () => {
  // Hebrew, Arabic, then a decomposed é and ñ and a flag: letters, marks and pairs.
  const title = 'שלום עולם · مرحبا بالعالم · cafe\u0301 man\u0303ana 🇫🇷';
  await focus(wayland);
  await wayland.setTitle(title);
  const state = await showTitle(title);
  assert.equal(state.sway.focusedView?.pid, wayland.pid);
  const ink = inkOf(await screenshot('titles-rtl'));
  assert.ok(ink.width > 150, `the title is not drawn: ${JSON.stringify(ink)}`);
});

test('control characters and invalid UTF-8 in a title are replaced', async () => {
  const x11 = await openTitleWindow(session, { x11Display: await x11DisplayOf(session) });
  cleanUps.push(() => x11.close());
  // Latin-1 é and a stray 0xff, invalid as UTF-8, then a bell and a tab: Sway keeps the bytes,
  // its JSON escapes the control characters, and the panel's reader decodes the rest.
  await x11.setRawTitle(Buffer.from('caf\xe9 \xff\x07bell\tend', 'latin1'));
  const state = await showTitle('caf\uFFFD \uFFFD\u0007bell\tend');
  assert.equal(state.sway.focusedView?.pid, x11.pid);
  const ink = inkOf(await screenshot('titles-invalid-utf8'));
  assert.ok(ink.width > 50, `the title is not drawn: ${JSON.stringify(ink)}`);
  await x11.close();
});

test('a title of 100 kB is cut to the configured length and the bar keeps its size', async () => {
  const x11 = await openTitleWindow(session, { x11Display: await x11DisplayOf(session) });
  cleanUps.push(() => x11.close());
  await x11.setRawTitle(Buffer.from('long '.repeat(20_000), 'latin1'));
  // wlroots reads at most 8 kB of an X11 title: that much is what Sway reports and the panel gets.
  const state = await panel.waitForState(
    'the long title',
    (s) => s.sway.focusedView?.pid === x11.pid && s.sway.focusedView.title.startsWith('long '),
  );
  const sway = JSON.parse(await session.swaymsg('-t', 'get_tree', '-r')) as unknown;
  const swayTitle = findTitleOf(sway, x11.pid);
  assert.equal(state.sway.focusedView?.title, swayTitle);
  assert.ok((swayTitle?.length ?? 0) >= 4096, `Sway kept only ${swayTitle?.length} characters`);
  await showTitle(swayTitle ?? '');
  const image = await screenshot('titles-long');
  const ink = inkOf(image);
  // 80 characters of "long " and an ellipsis: far narrower than the output, and centred.
  assert.ok(ink.width > 200 && ink.right < image.width - 100, `ink: ${JSON.stringify(ink)}`);
  assert.deepEqual(
    (await panel.state()).bars.map((bar) => [bar.width, bar.height]),
    [[1280, BAR_HEIGHT]],
  );
  await x11.close();
});

test('10,000 title changes in a burst: the last title shown, redraws coalesced', async (t) => {
  await focus(wayland);
  await wayland.setTitle('before the flood');
  const before = await showTitle('before the flood');
  const pid = panelProcessPid(panel.process.pid ?? -1);
  const rssBefore = rssKiB(pid);
  const sway = await countTitleEvents('flood ');
  const { ms } = await wayland.flood(FLOOD, 'flood ');
  const last = `flood ${FLOOD - 1}`;
  const state = await waitThroughFlood(t, last);
  const frames = state.redraws.frames - before.redraws.frames;
  const renders = state.redraws.renders - before.redraws.renders;
  t.diagnostic(`${FLOOD} titles sent in ${ms.toFixed(0)} ms; ${frames} frames, ${renders} renders`);
  t.diagnostic(`panel RSS ${rssBefore} kB before, ${rssKiB(pid)} kB after`);
  assert.equal(state.sway.focusedView?.title, last);
  // A real flood: Sway sent one event per title, as its own swaymsg saw them.
  assert.equal(await sway.stop(), FLOOD);
  assert.ok(frames < FLOOD / 10, `${frames} rounds of redraws for ${FLOOD} title events`);
});

/**
 * Counts Sway's window title events that start with `prefix`, as `swaymsg -t subscribe` sees
 * them; stop() resolves with the count once the client's last title has come through.
 */
async function countTitleEvents(prefix: string): Promise<{ stop: () => Promise<number> }> {
  const child = session.spawn(['swaymsg', '-r', '-m', '-t', 'subscribe', '["window"]'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let count = 0;
  const title = new RegExp(`"change": ?"title".*"name": ?"${prefix}\\d+"`);
  const stdout = child.stdout;
  if (stdout === null) throw new Error('swaymsg has no stdout');
  const seen = { primed: false };
  createInterface({ input: stdout }).on('line', (line) => {
    if (title.test(line)) count += 1;
    else if (line.includes('"primed"')) seen.primed = true;
  });
  // swaymsg prints no reply to its subscription: a title it reports says it is subscribed.
  while (!seen.primed) {
    await wayland.setTitle('primed');
    await wayland.setTitle('priming');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    stop: async () => {
      // swaymsg reads behind Sway: one more title after the flood marks the end of it.
      await wayland.setTitle('after the flood');
      await new Promise((resolve) => setTimeout(resolve, 500));
      child.kill('SIGTERM');
      return count;
    },
  };
}

/**
 * The final state. Sway drops an event reader that falls about 4 MiB behind; the client then
 * reconnects and reads the state again, so the last title still comes, and the drop is
 * reported beside the test's result.
 */
async function waitThroughFlood(t: TestContext, last: string): Promise<PanelSnapshot> {
  try {
    return await panel.waitForState(
      'the last title of the flood',
      (s) => s.sway.focusedView?.title === last,
      60_000,
    );
  } finally {
    const dropped = panel
      .log()
      .split('\n')
      .filter((line) => /lost the connection|reconnected/.test(line));
    if (dropped.length > 0) t.diagnostic(`during the flood: ${dropped.join(' / ')}`);
  }
}

interface TreeNode {
  pid?: number;
  name?: string | null;
  nodes?: TreeNode[];
  floating_nodes?: TreeNode[];
}

function findTitleOf(node: unknown, pid: number): string | null {
  const tree = node as TreeNode;
  if (tree.pid === pid) return tree.name ?? null;
  for (const child of [...(tree.nodes ?? []), ...(tree.floating_nodes ?? [])]) {
    const found = findTitleOf(child, pid);
    if (found !== null) return found;
  }
  return null;
}
