import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PanelSnapshot } from '../../src/panel/snapshot.js';
import { countColour, distinctColours, hex, sameColour } from '../../scripts/harness/image.js';
import { createLxcSandbox, type LxcSandbox } from '../../scripts/harness/lxc.js';
import { startPanel, type PanelProcess } from '../../scripts/harness/panel.js';
import { startPointer, type Pointer } from '../../scripts/harness/pointer.js';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';
import {
  BAR_HEIGHT,
  buttonCentres,
  screenshot,
  waitForPixels,
} from './helpers/container-buttons.js';

/*
 * Real pointer clicks on the containers module: the harness's virtual pointer (the wlroots
 * protocol, since the headless seat has no pointer) on the real panel in a headless Sway, with
 * a real busybox container. The button is found in a screenshot, as a user finds it.
 */

const DESKTOP = hex('#335577');
const BAR_BACKGROUND = hex('#1d2026');

let session: SwaySession;
let lxc: LxcSandbox;
let panel: PanelProcess;
let pointer: Pointer;
const cleanUps: (() => Promise<void>)[] = [];

function stateOf(state: PanelSnapshot, name: string): string | undefined {
  return state.containers.containers.find((container) => container.name === name)?.state;
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
  const [centre] = await buttonCentres(session, 1);
  assert.ok(centre !== undefined);
  return centre;
}

// Below the cursor's tip too (grim draws the cursor), where the menu opens.
const BELOW_BAR = { x: 0, y: BAR_HEIGHT + 12, width: 300, height: 150 };

test('a real right click on a container opens its menu, a click elsewhere closes it', async () => {
  const centre = await buttonCentre();
  const empty = await screenshot(session, 'container-pointer-before');
  assert.ok(distinctColours(empty, BELOW_BAR) < 5, 'something was below the bar already');

  await pointer.click(centre.x, centre.y, 'right');
  const menu = await waitForPixels(
    session,
    'container-pointer-menu',
    (image) => distinctColours(image, BELOW_BAR) > 20,
  );
  // ui/style.css gives the menu the bar's background (most of its area is background).
  assert.ok(countColour(menu, BAR_BACKGROUND, BELOW_BAR) > 10_000, 'the menu is not styled');
  assert.equal(stateOf(await panel.state(), 'p-one'), 'STOPPED', 'a right click started it');
  // The click reached GTK with the popup: no warning that it had no trigger event.
  assert.ok(!panel.log().includes('no trigger event for menu popup'), panel.log());

  await pointer.click(900, 500, 'left');
  await waitForPixels(session, 'container-pointer-closed', (image) =>
    sameColour(image.pixel(60, BAR_HEIGHT + 20), DESKTOP),
  );
});

test('a real left click on a stopped container starts it', async () => {
  const centre = await buttonCentre();
  await pointer.click(centre.x, centre.y, 'left');
  await panel.waitForState('p-one running', (state) => stateOf(state, 'p-one') === 'RUNNING');
  assert.equal(await lxc.state('p-one'), 'RUNNING');
});
