import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import type { ContainerState } from '../../src/containers/container-state.js';
import type { PanelSnapshot } from '../../src/panel/snapshot.js';
import {
  countColour,
  distinctColours,
  hex,
  readPpm,
  sameColour,
  type Image,
} from '../../scripts/harness/image.js';
import { createLxcSandbox, IGNORES_HALT, type LxcSandbox } from '../../scripts/harness/lxc.js';
import { appDir, startPanel, type PanelProcess } from '../../scripts/harness/panel.js';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';

/*
 * The container menu's actions on real parts: the real panel as the desktop user in a headless
 * Sway, real busybox containers, `cexbar msg` as the user types it: the menu is popped up
 * through the control socket, as a key binding would (container-pointer.test.ts clicks).
 */

const OUTPUT = join(process.cwd(), 'test-output');
const BAR_HEIGHT = 28;
const BAR_BACKGROUND = hex('#1d2026');

let session: SwaySession;
let lxc: LxcSandbox;
let panel: PanelProcess;
let config: Record<string, unknown>;
const cleanUps: (() => Promise<void>)[] = [];

interface Bounds {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** The rectangle around every pixel below the bar that differs from `empty`, or null. */
function changedBelowBar(image: Image, empty: Image, barHeight = BAR_HEIGHT): Bounds | null {
  let left = Infinity;
  let top = Infinity;
  let right = -1;
  let bottom = -1;
  for (let y = barHeight; y < image.height; y += 1) {
    for (let x = 0; x < image.width; x += 1) {
      if (sameColour(image.pixel(x, y), empty.pixel(x, y))) continue;
      left = Math.min(left, x);
      top = Math.min(top, y);
      right = Math.max(right, x);
      bottom = Math.max(bottom, y);
    }
  }
  return right < 0 ? null : { left, top, right, bottom };
}

/** A screenshot once the menu opened or closed a moment ago has drawn (details fill in). */
async function screenshotAfterMenu(name: string): Promise<Image> {
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await session.screenshot(join(OUTPUT, `${name}.png`));
  const ppm = join(OUTPUT, `${name}.ppm`);
  await session.screenshot(ppm);
  return readPpm(ppm);
}

function containerOf(state: PanelSnapshot, name: string): ContainerState | undefined {
  return state.containers.containers.find((container) => container.name === name);
}

/** `cexbar msg ...` run by the desktop user in the session, as a key binding would run it. */
async function msg(
  ...words: string[]
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const main = join(appDir(), 'dist', 'src', 'cli', 'main.js');
  const result = await session.run(['node', main, 'msg', ...words], {
    timeoutMs: 60_000,
    allowFailure: true,
  });
  return { stdout: result.stdout, stderr: result.stderr, code: result.exitCode };
}

before(async () => {
  session = await startSwaySession();
  cleanUps.push(() => session.stop());
  lxc = createLxcSandbox();
  cleanUps.push(() => lxc.destroy());
  await lxc.create('m-plain');
  await lxc.create('m-stubborn');
  lxc.appendConfig('m-stubborn', IGNORES_HALT);
  await lxc.start('m-plain');
  // The headless seat has no keyboard: one virtual keyboard stays on it from the start, so that
  // the panel has its wl_keyboard before the test's key presses come (from a second wtype).
  const keyboard = session.spawn(['wtype', '-s', '600000'], { stdio: 'ignore' });
  cleanUps.push(async () => {
    keyboard.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
  config = {
    containers: {
      lxcPath: lxc.path,
      stopTimeoutSeconds: 2,
      list: { 'm-plain': { terminal: ['/bin/true'] }, 'm-stubborn': {} },
    },
  };
  panel = await startPanel(session, { config: JSON.stringify(config) });
  cleanUps.push(() => panel.stop());
  await panel.waitForState('the first listing', (state) => state.containers.listed);
});

after(async () => {
  for (const cleanUp of cleanUps.reverse()) await cleanUp();
});

test('freeze and unfreeze through cexbar msg action, as lxc-info agrees', async () => {
  const frozen = await msg('action', 'containers', 'm-plain', 'freeze');
  assert.equal(frozen.code, 0, frozen.stderr);
  assert.equal(await lxc.state('m-plain'), 'FROZEN');
  const state = JSON.parse(frozen.stdout) as PanelSnapshot;
  assert.equal(containerOf(state, 'm-plain')?.state, 'FROZEN');
  assert.equal((await msg('action', 'containers', 'm-plain', 'unfreeze')).code, 0);
  assert.equal(await lxc.state('m-plain'), 'RUNNING');
});

test('details come from lxc-info through the helper', async () => {
  const result = await msg('action', 'containers', 'm-plain', 'details');
  assert.equal(result.code, 0, result.stderr);
  const details = JSON.parse(result.stdout) as { state: string; pid: number; memoryBytes: number };
  assert.equal(details.state, 'RUNNING');
  assert.ok(details.pid > 1 && details.memoryBytes > 0, result.stdout);
});

test('an action the state does not allow is refused with what is possible', async () => {
  const result = await msg('action', 'containers', 'm-stubborn', 'freeze');
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    'cexbar: m-stubborn is STOPPED: freeze is not possible now (possible: start, details)\n',
  );
});

test('launch is refused for a container without a session, which stays stopped', async () => {
  const result = await msg('action', 'containers', 'm-stubborn', 'launch');
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    'cexbar: m-stubborn is STOPPED: launch is not possible now (possible: start, details)\n',
  );
  assert.equal(await lxc.state('m-stubborn'), 'STOPPED');
});

test('restart gives the container a new init', async () => {
  const before = (
    JSON.parse((await msg('action', 'containers', 'm-plain', 'details')).stdout) as {
      pid: number;
    }
  ).pid;
  const result = await msg('action', 'containers', 'm-plain', 'restart');
  assert.equal(result.code, 0, result.stderr);
  assert.equal(await lxc.state('m-plain'), 'RUNNING');
  const after = JSON.parse((await msg('action', 'containers', 'm-plain', 'details')).stdout) as {
    pid: number;
  };
  assert.notEqual(after.pid, before);
});

test('a stop that times out shows on the container and kill then stops it', async () => {
  assert.equal((await msg('action', 'containers', 'm-stubborn', 'start')).code, 0);
  const stopped = await msg('action', 'containers', 'm-stubborn', 'stop');
  assert.equal(stopped.code, 1);
  assert.equal(
    stopped.stderr,
    'cexbar: m-stubborn did not stop within 2 s (its init ignored the halt signal)\n',
  );
  const state = await panel.state();
  assert.equal(containerOf(state, 'm-stubborn')?.state, 'RUNNING');
  assert.match(containerOf(state, 'm-stubborn')?.error ?? '', /; Kill stops it$/);
  const lines = panel
    .log()
    .split('\n')
    .filter((line) => line.includes('m-stubborn: m-stubborn did not stop'));
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.equal((await msg('action', 'containers', 'm-stubborn', 'kill')).code, 0);
  assert.equal(await lxc.state('m-stubborn'), 'STOPPED');
  assert.equal(containerOf(await panel.state(), 'm-stubborn')?.error, null);
});

test('containers created and destroyed while the panel runs follow without a msg', async () => {
  await lxc.create('m-fresh');
  await panel.waitForState(
    'm-fresh on the bar',
    (state) => containerOf(state, 'm-fresh') !== undefined,
  );
  await lxc.lxc('lxc-destroy', '-n', 'm-fresh');
  await panel.waitForState('m-fresh gone', (state) => containerOf(state, 'm-fresh') === undefined);
});

// The menu tests come last: the first leaves its menu open for the next ones to replace.
test('cexbar msg menu pops up the container menu under its button', async () => {
  await new Promise((resolve) => setTimeout(resolve, 300));
  const ppmBefore = join(OUTPUT, 'container-menu-before.ppm');
  await session.screenshot(ppmBefore);
  const result = await msg('menu', 'containers', 'm-plain');
  assert.equal(result.code, 0, `${result.stderr}\n${panel.log()}`);
  // The menu maps and draws a moment after the reply; its details fill in after lxc-info.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await session.screenshot(join(OUTPUT, 'container-menu.png'));
  const ppm = join(OUTPUT, 'container-menu.ppm');
  await session.screenshot(ppm);
  const image = readPpm(ppm);
  const empty = readPpm(ppmBefore);
  // Below the bar, at the right where the containers module is: before, Sway's empty
  // background; now a menu, with text in it (many shades) and rows of its own colour.
  const area = { x: image.width - 400, y: BAR_HEIGHT, width: 400, height: 200 };
  assert.ok(distinctColours(empty, area) < 5, 'something was below the bar before the menu');
  assert.ok(distinctColours(image, area) > 20, 'no menu text below the bar');
  // The bar keeps its height under the menu, which has the bar's colours (ui/style.css).
  assert.deepEqual(
    (await panel.state()).bars.map((bar) => bar.height),
    [BAR_HEIGHT],
  );
  assert.ok(countColour(image, BAR_BACKGROUND, area) > 10_000, 'the menu is not styled');
});

test('a second menu closes the first: only the last one opened is on screen', async () => {
  // m-plain's menu is still open from the test before.
  const empty = readPpm(join(OUTPUT, 'container-menu-before.ppm'));
  const plainMenu = changedBelowBar(await screenshotAfterMenu('container-menu-plain'), empty);
  assert.notEqual(plainMenu, null, 'the first menu is not on screen');
  const result = await msg('menu', 'containers', 'm-stubborn');
  assert.equal(result.code, 0, `${result.stderr}\n${panel.log()}`);
  const both = changedBelowBar(await screenshotAfterMenu('container-menu-second'), empty);

  // Escape closes it: nothing is left below the bar.
  await session.run(['wtype', '-k', 'Escape', '-p', 'space']);
  const closed = changedBelowBar(await screenshotAfterMenu('container-menu-escaped'), empty);
  assert.equal(closed, null, `a menu is still open after Escape\n${panel.log()}`);

  // m-stubborn's menu alone covers what the screen showed after the second menu opened.
  assert.equal((await msg('menu', 'containers', 'm-stubborn')).code, 0);
  const alone = changedBelowBar(await screenshotAfterMenu('container-menu-alone'), empty);
  assert.notEqual(alone, null, 'the menu opened alone is not on screen');
  assert.notDeepEqual(alone, plainMenu, 'the two menus cannot be told apart on screen');
  assert.deepEqual(both, alone, 'the first menu stayed open beside the second');
  await session.run(['wtype', '-k', 'Escape', '-p', 'space']);
  assert.equal(changedBelowBar(await screenshotAfterMenu('container-menu-closed'), empty), null);
});

test('a bar rebuilt after a config change takes its open menu with it', async () => {
  const empty = readPpm(join(OUTPUT, 'container-menu-before.ppm'));
  assert.equal((await msg('menu', 'containers', 'm-plain')).code, 0);
  assert.notEqual(
    changedBelowBar(await screenshotAfterMenu('container-menu-rebuild'), empty),
    null,
  );
  panel.writeConfig(JSON.stringify({ ...config, height: 32 }));
  await panel.waitForState('the rebuilt bar', (state) => state.bars[0]?.height === 32);
  const rebuilt = await screenshotAfterMenu('container-menu-rebuilt');
  assert.equal(changedBelowBar(rebuilt, empty, 32), null, 'the menu outlived its bar');
});
