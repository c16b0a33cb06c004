import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { PanelSnapshot } from '../../src/panel/snapshot.js';
import { countColour, distinctColours, hex, readPpm } from '../../scripts/harness/image.js';
import { createLxcSandbox, type LxcSandbox } from '../../scripts/harness/lxc.js';
import { startPanel, type PanelProcess } from '../../scripts/harness/panel.js';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';

/*
 * One bar per output, on real parts: outputs added to a headless Sway with create_output, the
 * config's outputs to use and to skip, a scale and a resolution that change, and an output that
 * goes away. Headless Sway 1.7 cannot disable an output, so that last one runs a second Sway
 * nested in the first (its outputs are windows of the outer Sway) and closes one window.
 */

const OUTPUT = join(process.cwd(), 'test-output');
const BAR_BACKGROUND = hex('#1d2026');
const FOCUSED_WORKSPACE = hex('#3d6fb6');
const VISIBLE_WORKSPACE = hex('#343a45');

let session: SwaySession;
let lxc: LxcSandbox;
let panel: PanelProcess;
const cleanUps: (() => Promise<void>)[] = [];

function configText(outputs: object = {}): string {
  return JSON.stringify({
    modules: ['workspaces', 'window', 'clock'],
    containers: { lxcPath: lxc.path },
    outputs,
  });
}

before(async () => {
  // A new headless output is 1920x1080 unless the config says otherwise.
  session = await startSwaySession({ extraConfig: ['output HEADLESS-2 resolution 1280x720'] });
  cleanUps.push(() => session.stop());
  lxc = createLxcSandbox();
  cleanUps.push(() => lxc.destroy());
  panel = await startPanel(session, { config: configText() });
  cleanUps.push(() => panel.stop());
});

after(async () => {
  for (const cleanUp of cleanUps.reverse()) await cleanUp();
});

function barsOf(state: PanelSnapshot): [string | null, number][] {
  return state.bars
    .map((bar): [string | null, number] => [bar.output, bar.width])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
}

/** Waits for bars on these outputs with these widths (or these outputs alone, given names). */
async function waitForBars(
  target: PanelProcess,
  wanted: [string | null, number][] | string[],
): Promise<PanelSnapshot> {
  let last: unknown = null;
  const namesOnly = wanted.every((entry) => typeof entry === 'string');
  return target
    .waitForState(`the bars ${JSON.stringify(wanted)}`, (state) => {
      last = namesOnly ? barsOf(state).map(([name]) => name) : barsOf(state);
      return JSON.stringify(last) === JSON.stringify(wanted);
    })
    .catch((error: unknown) => {
      throw new Error(`${String(error)}\nthe bars: ${JSON.stringify(last)}\n${target.log()}`);
    });
}

test('an output added with create_output gets its own bar', async () => {
  await waitForBars(panel, [['HEADLESS-1', 1280]]);
  await session.swaymsg('create_output');
  await waitForBars(panel, [
    ['HEADLESS-1', 1280],
    ['HEADLESS-2', 1280],
  ]);
});

test('the screenshot of two outputs shows a bar on each, with its own workspace', async () => {
  await new Promise((resolve) => setTimeout(resolve, 500));
  await session.screenshot(join(OUTPUT, 'outputs-two.png'));
  const ppm = join(OUTPUT, 'outputs-two.ppm');
  await session.screenshot(ppm);
  const image = readPpm(ppm);
  assert.deepEqual([image.width, image.height], [2560, 720]);
  const left = { x: 0, y: 0, width: 1280, height: 28 };
  const right = { ...left, x: 1280 };
  for (const bar of [left, right]) {
    assert.ok(countColour(image, BAR_BACKGROUND, bar) > bar.width * bar.height * 0.4, 'no bar');
    assert.ok(distinctColours(image, bar) > 20, 'a bar holds no text');
    // Below the bar, the output's background.
    assert.equal(countColour(image, BAR_BACKGROUND, { ...bar, y: 28, height: 1 }), 0);
  }
  // Workspace 1 is focused on HEADLESS-1; HEADLESS-2 shows its own workspace 2, visible only.
  assert.ok(countColour(image, FOCUSED_WORKSPACE, left) > 50, 'no focused workspace on the left');
  assert.equal(countColour(image, FOCUSED_WORKSPACE, right), 0);
  assert.ok(countColour(image, VISIBLE_WORKSPACE, right) > 50, 'no workspace on the right');
});

test('outputs.skip and outputs.only choose the outputs that get a bar', async () => {
  panel.writeConfig(configText({ skip: ['HEADLESS-2'] }));
  await waitForBars(panel, [['HEADLESS-1', 1280]]);
  panel.writeConfig(configText({ only: ['HEADLESS-2'] }));
  await waitForBars(panel, [['HEADLESS-2', 1280]]);
  panel.writeConfig(configText({ only: ['HEADLESS-1', 'HEADLESS-2'], skip: ['HEADLESS-1'] }));
  await waitForBars(panel, [['HEADLESS-2', 1280]]);
  panel.writeConfig(configText());
  await waitForBars(panel, [
    ['HEADLESS-1', 1280],
    ['HEADLESS-2', 1280],
  ]);
});

test('a bar follows its output through a scale and a resolution change', async () => {
  await session.swaymsg('output', 'HEADLESS-1', 'scale', '2');
  await waitForBars(panel, [
    ['HEADLESS-1', 640],
    ['HEADLESS-2', 1280],
  ]);
  await session.swaymsg('output', 'HEADLESS-1', 'scale', '1', 'resolution', '1024x600');
  await waitForBars(panel, [
    ['HEADLESS-1', 1024],
    ['HEADLESS-2', 1280],
  ]);
  const state = await panel.state();
  assert.equal(state.bars.length, 2);
});

test('an output that goes away takes its bar with it (a Sway nested in Sway)', async () => {
  const nested = await startSwaySession({ nestedIn: session });
  cleanUps.push(() => nested.stop());
  const nestedPanel = await startPanel(nested, { config: configText() });
  cleanUps.push(() => nestedPanel.stop());
  // Their sizes are those of windows tiled in the outer Sway: only the names are certain.
  await waitForBars(nestedPanel, ['WL-1']);
  await nested.swaymsg('create_output');
  await waitForBars(nestedPanel, ['WL-1', 'WL-2']);
  await new Promise((resolve) => setTimeout(resolve, 500));
  await session.screenshot(join(OUTPUT, 'outputs-nested.png'));
  // Closing WL-2's window in the outer Sway unplugs that output of the nested one.
  await session.swaymsg('[app_id="wlroots" title="WL-2"]', 'kill');
  await waitForBars(nestedPanel, ['WL-1']);
  const outputs = JSON.parse(await nested.swaymsg('-t', 'get_outputs', '-r')) as {
    name: string;
  }[];
  assert.deepEqual(
    outputs.map((output) => output.name),
    ['WL-1'],
  );
});
