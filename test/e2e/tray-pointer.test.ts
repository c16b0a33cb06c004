import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startDbusSession, type DbusSession } from '../../scripts/harness/dbus-session.js';
import { distinctColours, hex, sameColour, type Image } from '../../scripts/harness/image.js';
import { appDir, startPanel, type PanelProcess } from '../../scripts/harness/panel.js';
import { retry, startPointer, type Pointer } from '../../scripts/harness/pointer.js';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';
import {
  followProgram,
  trayProgram,
  type LineProgram,
} from '../../scripts/harness/tray-programs.js';
import { screenshot, waitForScreen } from './helpers/screen.js';

/*
 * Real pointer clicks on the tray: the harness's virtual pointer (the headless seat has none)
 * on the real panel in a headless Sway, with the real test StatusNotifierItem on a real session
 * bus. The icon is found in a screenshot by its pixmap's colour, as a user finds it by sight.
 */

const BAR_HEIGHT = 28;
const ITEM_ID = 'cexbar-pointer-item';
const ICON_COLOUR = hex('#00c040');
const CONFIG = JSON.stringify({ modules: ['workspaces', 'tray', 'clock'] });
// Below the bar and the cursor's tip (grim draws the cursor), where the item's menu opens.
const BELOW_BAR = { x: 0, y: BAR_HEIGHT + 24, width: 1280, height: 140 };
// GtkMenuShell's MENU_SHELL_TIMEOUT, and a little more.
const GTK_MENU_RELEASE_MS = 600;
const MENU_BACKGROUND = hex('#1d2026');
// GTK's warning when a menu pops up without the click that asked for it.
const NO_TRIGGER_WARNING = 'no trigger event for menu popup';

let session: SwaySession;
let bus: DbusSession;
let panel: PanelProcess;
let item: LineProgram;
let pointer: Pointer;
let icon: { x: number; y: number; from: number; to: number };
const cleanUps: (() => Promise<void>)[] = [];

before(async () => {
  session = await startSwaySession();
  cleanUps.push(() => session.stop());
  bus = await startDbusSession(session);
  cleanUps.push(() => bus.stop());
  // Before the panel: GTK binds its wl_pointer when the seat announces one.
  pointer = await startPointer(session);
  cleanUps.push(() => pointer.stop());
  const child = session.spawn(
    ['node', trayProgram('tray-item', appDir()), '--id', ITEM_ID, '--colour', '00c040'],
    { stdio: ['pipe', 'pipe', 'pipe'] },
    bus.env,
  );
  item = followProgram(child, 'tray-item');
  cleanUps.push(() => item.stop());
  await item.waitForLine(/^ready /);
  panel = await startPanel(session, { config: CONFIG, env: bus.env });
  cleanUps.push(() => panel.stop());
  await item.waitForLine(/^registered with /);
  icon = await findIcon();
});

after(async () => {
  for (const cleanUp of cleanUps.reverse()) await cleanUp();
});

/** The columns of the bar that show the icon's colour, and the icon's middle. */
async function findIcon(): Promise<typeof icon> {
  const image = await waitForScreen(session, 'tray-pointer-bar', (shot) => iconColumns(shot) > 0);
  const columns: number[] = [];
  for (let x = 0; x < image.width; x += 1) {
    if (sameColour(image.pixel(x, BAR_HEIGHT / 2), ICON_COLOUR)) columns.push(x);
  }
  const from = Math.min(...columns);
  const to = Math.max(...columns) + 1;
  assert.ok(columns.length > 10, `the icon is not on the bar (columns ${columns.join(',')})`);
  return { x: Math.round((from + to) / 2), y: BAR_HEIGHT / 2, from, to };
}

function iconColumns(image: Image): number {
  let count = 0;
  for (let x = 0; x < image.width; x += 1) {
    if (sameColour(image.pixel(x, BAR_HEIGHT / 2), ICON_COLOUR)) count += 1;
  }
  return count;
}

/** Whether the screen below the bar shows something (a menu) rather than the bare desktop. */
function menuShown(image: Image): boolean {
  return distinctColours(image, BELOW_BAR) > 20;
}

/** Where the menu is: the part below the bar that has ui/style.css's menu background. */
function menuBox(image: Image): { x: number; y: number; width: number } {
  let [left, right, top] = [image.width, -1, image.height];
  for (let y = BAR_HEIGHT; y < BAR_HEIGHT + 200; y += 1) {
    for (let x = 0; x < image.width; x += 1) {
      if (!sameColour(image.pixel(x, y), MENU_BACKGROUND)) continue;
      [left, right, top] = [Math.min(left, x), Math.max(right, x), Math.min(top, y)];
    }
  }
  assert.ok(right > left, 'no menu background below the bar');
  return { x: left, y: top, width: right - left + 1 };
}

test('a real left click on the tray icon activates the item where the pointer is', async () => {
  await retry(
    'the first click to reach the icon',
    async () => {
      const seen = item.lines().length;
      // Out of the bar and back: each try enters the icon afresh.
      await pointer.move(640, 400);
      await pointer.click(icon.x, icon.y, 'left');
      await item.waitForLine(/^activate /, { skip: seen, timeoutMs: 1000 });
    },
    () => panel.log(),
  );
  const line = item.lines().findLast((each) => each.startsWith('activate '));
  const [x, y] = (line ?? '').split(' ').slice(1).map(Number);
  // The bar is at the top left of the only output: its coordinates are the screen's.
  assert.ok(x !== undefined && x >= icon.from && x < icon.to, `${line} is not on the icon`);
  assert.ok(y !== undefined && y >= 0 && y < BAR_HEIGHT, `${line} is not on the bar`);
});

test('a real middle click on the tray icon calls the item’s SecondaryActivate', async () => {
  const seen = item.lines().length;
  await pointer.click(icon.x, icon.y, 'middle');
  const line = await item.waitForLine(/^secondary-activate /, { skip: seen });
  const [x] = line.split(' ').slice(1).map(Number);
  assert.ok(x !== undefined && x >= icon.from && x < icon.to, `${line} is not on the icon`);
});

test('the real wheel over the tray icon scrolls the item one step each way', async () => {
  const seen = item.lines().length;
  await pointer.scroll(icon.x, icon.y, 'down');
  assert.equal(await item.waitForLine(/^scroll /, { skip: seen }), 'scroll 1 vertical');
  const more = item.lines().length;
  await pointer.scroll(icon.x, icon.y, 'up');
  assert.equal(await item.waitForLine(/^scroll /, { skip: more }), 'scroll -1 vertical');
});

test('a real right click opens the item’s menu, a real click on an entry sends its event', async () => {
  const bare = await screenshot(session, 'tray-pointer-before-menu');
  assert.ok(!menuShown(bare), 'something was below the bar before the menu');
  const seen = item.lines().length;
  await pointer.click(icon.x, icon.y, 'right');
  const clicked = performance.now();
  await item.waitForLine(/^about-to-show 0$/, { skip: seen });
  const menu = await waitForScreen(session, 'tray-pointer-menu', menuShown);
  assert.ok(menuShown(menu), 'no menu below the bar after the right click');
  // GTK takes a release within half a second of the click that opened a menu for the end of
  // that click (press, drag to an entry, release), not for a click of its own: a user's second
  // click comes later than that.
  const waited = performance.now() - clicked;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, GTK_MENU_RELEASE_MS - waited)));
  // Its first entry, "Say hello", is the top row of the menu, found by its background.
  const box = menuBox(menu);
  // It hangs from the icon: its left edge (the border is a pixel or two) under the icon's.
  assert.ok(
    Math.abs(box.x - icon.from) <= 2,
    `the menu is at x ${box.x}, the icon at ${icon.from}`,
  );
  const entry = { x: box.x + Math.round(box.width / 2), y: box.y + 16 };
  await pointer.click(entry.x, entry.y, 'left');
  assert.equal(
    await item.waitForLine(/^menu clicked /, { skip: seen }),
    'menu clicked 1 Say _hello',
  );
  // Away from where the menu was, so that the cursor drawn in the screenshot is not taken for it.
  await pointer.move(1200, 700);
  const closed = await waitForScreen(session, 'tray-pointer-menu-closed', (s) => !menuShown(s));
  assert.ok(!menuShown(closed), 'the menu stayed open after the click');
  // The click that opened it reached GTK with the popup.
  assert.ok(!panel.log().includes(NO_TRIGGER_WARNING), panel.log());
});

test('an open menu closes when the user switches to another workspace', async () => {
  const seen = item.lines().length;
  await pointer.click(icon.x, icon.y, 'right');
  await item.waitForLine(/^about-to-show 0$/, { skip: seen });
  const open = await waitForScreen(session, 'tray-pointer-menu-again', menuShown);
  assert.ok(menuShown(open), 'no menu below the bar after the right click');
  // Away from the menu, so that the cursor drawn in the screenshot is not taken for it.
  await pointer.move(1200, 700);
  await session.swaymsg('workspace', '2');
  const after = await waitForScreen(session, 'tray-pointer-workspace-2', (s) => !menuShown(s));
  assert.ok(!menuShown(after), 'the menu stayed open on workspace 2');
  const state = await panel.state();
  const focused = state.sway.workspaces.find((workspace) => workspace.focused);
  assert.equal(focused?.name, '2');
});
