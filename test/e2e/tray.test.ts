import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PanelSnapshot } from '../../src/panel/snapshot.js';
import type { TrayItemSnapshot } from '../../src/tray/tray-service.js';
import { startDbusSession, type DbusSession } from '../../scripts/harness/dbus-session.js';
import {
  countColour,
  distinctColours,
  hex,
  readPpm,
  sameColour,
} from '../../scripts/harness/image.js';
import { appDir, startPanel, type PanelProcess } from '../../scripts/harness/panel.js';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';
import {
  followProgram,
  trayProgram,
  type LineProgram,
} from '../../scripts/harness/tray-programs.js';

/*
 * The tray on real parts: a real session bus, the real panel in a headless Sway, and a real
 * StatusNotifierItem exported by scripts/harness/tray-item.ts, whose icon is a square of one
 * colour so that the screenshot tells whether it is on the bar. The seat has no pointer:
 * clicks go through `cexbar msg`, and the open menu is worked with wtype's key presses.
 */

const OUTPUT = join(process.cwd(), 'test-output');
const BAR_HEIGHT = 28;
const ICON_SIZE = BAR_HEIGHT - 6;
const ITEM_ID = 'cexbar-test-item';
const ICON_COLOUR = hex('#00c040');
const ATTENTION_COLOUR = hex('#c00060');
const CONFIG = JSON.stringify({ modules: ['workspaces', 'window', 'tray', 'clock'] });
const BAR = { x: 0, y: 0, width: 1280, height: BAR_HEIGHT };
const BAR_BACKGROUND = hex('#1d2026');

let session: SwaySession;
let bus: DbusSession;
let panel: PanelProcess;
let item: LineProgram;
const cleanUps: (() => Promise<void>)[] = [];

function itemOf(state: PanelSnapshot, id = ITEM_ID): TrayItemSnapshot | undefined {
  return state.tray.items.find((each) => each.id === id);
}

/** `cexbar msg ...` run by the desktop user in the session, as a key binding would run it. */
async function msg(...words: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  const main = join(appDir(), 'dist', 'src', 'cli', 'main.js');
  const result = await session.run(['node', main, 'msg', ...words], { allowFailure: true });
  return { stdout: result.stdout, stderr: result.stderr, code: result.exitCode ?? -1 };
}

function startProgram(name: 'tray-item' | 'tray-watcher', args: string[] = []): LineProgram {
  const child = session.spawn(
    ['node', trayProgram(name, appDir()), ...args],
    { stdio: ['pipe', 'pipe', 'pipe'] },
    bus.env,
  );
  const program = followProgram(child, name);
  cleanUps.push(() => program.stop());
  return program;
}

async function startTrayPanel(): Promise<PanelProcess> {
  const started = await startPanel(session, { config: CONFIG, env: bus.env });
  cleanUps.push(() => started.stop());
  return started;
}

/** The bar's pixels in a fresh screenshot, a moment after the state changed (GTK draws then). */
async function screenshotBar(name: string): Promise<ReturnType<typeof readPpm>> {
  await new Promise((resolve) => setTimeout(resolve, 400));
  await session.screenshot(join(OUTPUT, `${name}.png`));
  const ppm = join(OUTPUT, `${name}.ppm`);
  await session.screenshot(ppm);
  return readPpm(ppm);
}

before(async () => {
  session = await startSwaySession();
  cleanUps.push(() => session.stop());
  bus = await startDbusSession(session);
  cleanUps.push(() => bus.stop());
  // The headless seat has no keyboard: one virtual keyboard stays on it from the start, so that
  // the panel has its wl_keyboard before the test's key presses come (from a second wtype).
  const keyboard = session.spawn(['wtype', '-s', '600000'], { stdio: 'ignore' });
  cleanUps.push(async () => {
    keyboard.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
  item = startProgram('tray-item', [
    '--id',
    ITEM_ID,
    '--colour',
    '00c040',
    '--attention-colour',
    'c00060',
  ]);
  await item.waitForLine(/^ready /);
  panel = await startTrayPanel();
});

after(async () => {
  for (const cleanUp of cleanUps.reverse()) await cleanUp();
});

test('an item registered with the panel shows its pixmap icon on the bar', async () => {
  const state = await panel.waitForState('the item', (each) => itemOf(each) !== undefined);
  assert.equal(state.tray.watcher, 'own');
  assert.deepEqual(itemOf(state)?.iconPixmaps, ['16x16', '22x22', '32x32', '48x48']);
  assert.deepEqual(itemOf(state)?.toolTip, { title: ITEM_ID, text: 'A test item' });
  await item.waitForLine(/^registered with /);
  const image = await screenshotBar('tray-item');
  // The 22×22 pixmap is the one nearest the icon size: all of it on the bar, unscaled.
  assert.equal(countColour(image, ICON_COLOUR, BAR), ICON_SIZE * ICON_SIZE);
});

/** A folder with one unthemed icon: a square of one colour as XPM, which GdkPixbuf reads. */
function writeIconFolder(name: string, colour: string, size: number): string {
  const folder = mkdtempSync(join(tmpdir(), 'cexbar-icons-'));
  const rows = Array.from({ length: size }, () => `"${'x'.repeat(size)}"`);
  const xpm = `/* XPM */\nstatic char *icon[] = {\n"${size} ${size} 1 1",\n"x c ${colour}",\n`;
  writeFileSync(join(folder, `${name}.xpm`), `${xpm}${rows.join(',\n')}\n};\n`);
  chmodSync(folder, 0o755);
  return folder;
}

test('an item with an icon name shows the icon from its theme folder, not its pixmap', async () => {
  const folder = writeIconFolder('cexbar-test-icon', '#3060e0', 48);
  cleanUps.push(() => {
    rmSync(folder, { recursive: true, force: true });
    return Promise.resolve();
  });
  const themed = startProgram('tray-item', [
    '--id',
    'themed',
    '--icon-name',
    'cexbar-test-icon',
    '--icon-theme-path',
    folder,
    '--colour',
    'ffff00',
  ]);
  await panel.waitForState('the themed item', (state) => itemOf(state, 'themed') !== undefined);
  const image = await screenshotBar('tray-themed');
  // Scaled from 48 to the icon size: the inside of the square keeps the colour exactly.
  assert.ok(countColour(image, hex('#3060e0'), BAR) >= (ICON_SIZE - 2) ** 2);
  assert.equal(countColour(image, hex('#ffff00'), BAR), 0);
  assert.equal(countColour(image, ICON_COLOUR, BAR), ICON_SIZE * ICON_SIZE);
  await themed.stop();
  await panel.waitForState('the themed item gone', (state) => !itemOf(state, 'themed'));
});

test('the item signals change its tooltip and status, and a passive item is hidden', async () => {
  item.send('tooltip Two messages');
  await panel.waitForState('the new tooltip', (state) => {
    return itemOf(state)?.toolTip?.text === 'Two messages';
  });
  item.send('status NeedsAttention');
  await panel.waitForState('attention', (state) => itemOf(state)?.status === 'NeedsAttention');
  const attention = await screenshotBar('tray-attention');
  assert.equal(countColour(attention, ATTENTION_COLOUR, BAR), ICON_SIZE * ICON_SIZE);
  assert.equal(countColour(attention, ICON_COLOUR, BAR), 0);
  item.send('status Passive');
  await panel.waitForState('passive', (state) => itemOf(state)?.status === 'Passive');
  const passive = await screenshotBar('tray-passive');
  assert.equal(countColour(passive, ICON_COLOUR, BAR), 0);
  assert.equal(countColour(passive, ATTENTION_COLOUR, BAR), 0);
  item.send('status Active');
  await panel.waitForState('active again', (state) => itemOf(state)?.status === 'Active');
});

test('cexbar msg activate tray ITEM calls the item’s Activate', async () => {
  const seen = item.lines().length;
  const result = await msg('activate', 'tray', ITEM_ID);
  assert.equal(result.code, 0, result.stderr);
  // Quiet, as a key binding wants it: the state is 'cexbar msg state''s to print.
  assert.equal(result.stdout, '');
  await item.waitForLine(/^activate 0 0$/, { skip: seen });
});

test('an unknown tray item is refused with the items there are', async () => {
  const result = await msg('activate', 'tray', 'nm-applet');
  assert.equal(result.code, 1);
  assert.equal(result.stderr, `cexbar: no tray item "nm-applet" (items: ${ITEM_ID})\n`);
});

test('the item’s menu opens on the bar and an entry chosen by keys activates it', async () => {
  const before = await screenshotBar('tray-menu-before');
  const seen = item.lines().length;
  const result = await msg('menu', 'tray', ITEM_ID);
  assert.equal(result.code, 0, `${result.stderr}\n${panel.log()}`);
  await item.waitForLine(/^about-to-show 0$/, { skip: seen });
  const image = await screenshotBar('tray-menu');
  const below = { x: 0, y: BAR_HEIGHT, width: 1280, height: 160 };
  assert.ok(distinctColours(before, below) < 5, 'something was below the bar before the menu');
  assert.ok(distinctColours(image, below) > 20, 'no menu text below the bar');
  // Real key presses from a virtual keyboard: down to the first entry, then Return. wtype's
  // keymap holds only the keys it sends, and GTK misses the keymap's last key: the release of
  // space is there only so that Return is not last.
  await session.run(['wtype', '-k', 'Down', '-k', 'Return', '-p', 'space']);
  assert.equal(
    await item.waitForLine(/^menu clicked /, { skip: seen }),
    'menu clicked 1 Say _hello',
  );
  const closed = await screenshotBar('tray-menu-closed');
  assert.ok(distinctColours(closed, below) < 5, 'the menu stayed open after the click');
});

test('an entry of a submenu is reached with the arrow keys and activates it', async () => {
  const seen = item.lines().length;
  const result = await msg('menu', 'tray', ITEM_ID);
  assert.equal(result.code, 0, result.stderr);
  await item.waitForLine(/^about-to-show 0$/, { skip: seen });
  // The popup maps a moment after the reply; keys sent before that would reach the bar alone.
  await new Promise((resolve) => setTimeout(resolve, 300));
  // Up wraps round to the last entry, the submenu "More"; Right opens it on its first entry.
  await session.run(['wtype', '-k', 'Up', '-k', 'Right', '-k', 'Return', '-p', 'space']);
  assert.equal(await item.waitForLine(/^menu clicked /, { skip: seen }), 'menu clicked 8 Nested');
});

test('a restarted panel shows the item again without the item restarting', async () => {
  const seen = item.lines().length;
  await panel.stop();
  panel = await startTrayPanel();
  await item.waitForLine(/^registered with /, { skip: seen });
  await panel.waitForState('the item back', (state) => itemOf(state) !== undefined);
  const image = await screenshotBar('tray-restarted');
  assert.equal(countColour(image, ICON_COLOUR, BAR), ICON_SIZE * ICON_SIZE);
});

test('with another program owning the watcher, the panel is its host and shows its items', async () => {
  await panel.stop();
  const watcher = startProgram('tray-watcher');
  await watcher.waitForLine(/^watching$/);
  await watcher.waitForLine(new RegExp(`^items .*StatusNotifierItem`));
  panel = await startTrayPanel();
  const state = await panel.waitForState('the foreign watcher’s item', (each) => {
    return each.tray.watcher === 'foreign' && itemOf(each) !== undefined;
  });
  assert.equal(state.tray.error, null);
  const image = await screenshotBar('tray-foreign-watcher');
  assert.equal(countColour(image, ICON_COLOUR, BAR), ICON_SIZE * ICON_SIZE);
  // That watcher goes: the panel takes the name, and the item registers with it.
  await watcher.stop();
  await panel.waitForState('its own watcher with the item', (each) => {
    return each.tray.watcher === 'own' && itemOf(each) !== undefined;
  });
});

test('an item whose program leaves the bus leaves the bar', async () => {
  const withItem = await panel.state();
  await item.stop();
  await panel.waitForState('no items', (state) => state.tray.items.length === 0);
  const image = await screenshotBar('tray-empty');
  assert.equal(countColour(image, ICON_COLOUR, BAR), 0);
  assert.ok(itemOf(withItem) !== undefined);
});

/** The x of the first pixel in the bar that is not its background: where the modules start. */
function firstDrawnColumn(image: ReturnType<typeof readPpm>): number {
  for (let x = 0; x < image.width; x += 1) {
    for (let y = 4; y < BAR_HEIGHT - 4; y += 1) {
      if (!sameColour(image.pixel(x, y), BAR_BACKGROUND)) return x;
    }
  }
  return image.width;
}

test('an empty tray takes no space on the bar', async () => {
  panel.writeConfig(JSON.stringify({ modules: ['clock'] }));
  await panel.waitForState('the tray off', (state) => state.tray.watcher === 'none');
  const clockAlone = firstDrawnColumn(await screenshotBar('tray-off'));
  panel.writeConfig(JSON.stringify({ modules: ['tray', 'clock'] }));
  await panel.waitForState('the tray on', (state) => state.tray.watcher === 'own');
  const withTray = await screenshotBar('tray-empty-first');
  assert.ok(clockAlone < 40, `the clock starts at ${clockAlone}`);
  assert.equal(firstDrawnColumn(withTray), clockAlone);
});
