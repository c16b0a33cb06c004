import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import type { PanelSnapshot } from '../../src/panel/snapshot.js';
import {
  distinctColours,
  hex,
  readPpm,
  sameColour,
  type Image,
} from '../../scripts/harness/image.js';
import { createLxcSandbox, type LxcSandbox } from '../../scripts/harness/lxc.js';
import { startPanel, type PanelProcess } from '../../scripts/harness/panel.js';
import { startPointer, type Pointer } from '../../scripts/harness/pointer.js';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';

/*
 * Real pointer clicks on the containers module: the harness's virtual pointer (the wlroots
 * protocol, since the headless seat has no pointer) on the real panel in a headless Sway, with
 * a real busybox container. The button is found in a screenshot, as a user finds it.
 */

const OUTPUT = join(process.cwd(), 'test-output');
const BAR_HEIGHT = 28;
const BAR_BACKGROUND = hex('#1d2026');
const DESKTOP = hex('#335577');

let session: SwaySession;
let lxc: LxcSandbox;
let panel: PanelProcess;
let pointer: Pointer;
const cleanUps: (() => Promise<void>)[] = [];

function stateOf(state: PanelSnapshot, name: string): string | undefined {
  return state.containers.containers.find((container) => container.name === name)?.state;
}

/** The columns of the bar that hold something other than its background, as [from, to) runs. */
function drawnRuns(image: Image): { from: number; to: number }[] {
  const runs: { from: number; to: number }[] = [];
  for (let x = 0; x < image.width; x += 1) {
    let drawn = false;
    for (let y = 2; y < BAR_HEIGHT - 2 && !drawn; y += 1) {
      drawn = !sameColour(image.pixel(x, y), BAR_BACKGROUND, 24);
    }
    if (!drawn) continue;
    const last = runs.at(-1);
    // Letters of one label are a few pixels apart; buttons further.
    if (last !== undefined && x - last.to < 6) last.to = x + 1;
    else runs.push({ from: x, to: x + 1 });
  }
  return runs;
}

/** The pixels, then a PNG to look at; taken second, so it shows what the pixels passed. */
async function screenshot(name: string): Promise<Image> {
  const ppm = join(OUTPUT, `${name}.ppm`);
  await session.screenshot(ppm);
  const image = readPpm(ppm);
  await session.screenshot(join(OUTPUT, `${name}.png`));
  return image;
}

/** Waits until a screenshot satisfies `accept` (a menu maps a moment after the click). */
async function waitForPixels(name: string, accept: (image: Image) => boolean): Promise<Image> {
  for (let attempt = 0; ; attempt += 1) {
    const image = await screenshot(name);
    if (accept(image)) return image;
    if (attempt === 50) throw new Error(`the screenshot ${name} never showed what was expected`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

before(async () => {
  session = await startSwaySession();
  cleanUps.push(() => session.stop());
  lxc = createLxcSandbox();
  cleanUps.push(() => lxc.destroy());
  await lxc.create('p-one');
  const config = {
    modules: ['containers'],
    containers: { lxcPath: lxc.path, list: { 'p-one': {} } },
  };
  panel = await startPanel(session, { config: JSON.stringify(config) });
  cleanUps.push(() => panel.stop());
  await panel.waitForState('the first listing', (state) => state.containers.listed);
  pointer = await startPointer(session);
  cleanUps.push(() => pointer.stop());
});

after(async () => {
  for (const cleanUp of cleanUps.reverse()) await cleanUp();
});

/** The middle of the container's button: the one drawn run on a bar with only this module. */
async function buttonCentre(): Promise<{ x: number; y: number }> {
  const image = await waitForPixels('container-pointer-bar', (shot) => drawnRuns(shot).length > 0);
  const [button, ...others] = drawnRuns(image);
  assert.ok(button !== undefined && others.length === 0, 'expected one button on the bar');
  return { x: Math.round((button.from + button.to) / 2), y: BAR_HEIGHT / 2 };
}

// Below the cursor's tip too (grim draws the cursor), where the menu opens.
const BELOW_BAR = { x: 0, y: BAR_HEIGHT + 12, width: 300, height: 150 };

test('a real right click on a container opens its menu, a click elsewhere closes it', async () => {
  const centre = await buttonCentre();
  const empty = await screenshot('container-pointer-before');
  assert.ok(distinctColours(empty, BELOW_BAR) < 5, 'something was below the bar already');

  await pointer.click(centre.x, centre.y, 'right');
  await waitForPixels('container-pointer-menu', (image) => distinctColours(image, BELOW_BAR) > 20);
  assert.equal(stateOf(await panel.state(), 'p-one'), 'STOPPED', 'a right click started it');

  await pointer.click(900, 500, 'left');
  await waitForPixels('container-pointer-closed', (image) =>
    sameColour(image.pixel(60, BAR_HEIGHT + 20), DESKTOP),
  );
});

test('a real left click on a stopped container starts it', async () => {
  const centre = await buttonCentre();
  await pointer.click(centre.x, centre.y, 'left');
  await panel.waitForState('p-one running', (state) => stateOf(state, 'p-one') === 'RUNNING');
  assert.equal(await lxc.state('p-one'), 'RUNNING');
});
