import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import type { ContainerState } from '../../src/containers/container-state.js';
import type { PanelSnapshot } from '../../src/panel/snapshot.js';
import { countColour, distinctColours, hex, readPpm } from '../../scripts/harness/image.js';
import { createLxcSandbox, MISSING_BRIDGE, type LxcSandbox } from '../../scripts/harness/lxc.js';
import { startPanel, type PanelProcess } from '../../scripts/harness/panel.js';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';

/*
 * The panel's main job on real parts: a headless Sway run by the desktop user, real busybox
 * containers under an LXC path of the test's own, the real panel, and a real nested Weston.
 */

const OUTPUT = join(process.cwd(), 'test-output');
// Colours of ui/style.css that the screenshot must show.
const BAR_BACKGROUND = hex('#1d2026');
const FOCUSED_WORKSPACE = hex('#3d6fb6');
const RUNNING_MARK = hex('#3fb950');
const FAILED_BACKGROUND = hex('#5c1f1f');

let session: SwaySession;
let lxc: LxcSandbox;
let panel: PanelProcess;
// What before() started, undone in reverse order by after(), also when before() fails halfway.
const cleanUps: (() => Promise<void>)[] = [];

function containerOf(state: PanelSnapshot, name: string): ContainerState {
  const found = state.containers.containers.find((container) => container.name === name);
  assert.ok(found, `${name} is not in the state: ${JSON.stringify(state.containers)}`);
  return found;
}

before(async () => {
  session = await startSwaySession();
  cleanUps.push(() => session.stop());
  lxc = createLxcSandbox();
  cleanUps.push(() => lxc.destroy());
  await lxc.create('e2e-work');
  await lxc.create('e2e-bank');
  await lxc.create('e2e-broken', MISSING_BRIDGE);
  await lxc.start('e2e-bank');
  const config = {
    containers: {
      lxcPath: lxc.path,
      list: {
        'e2e-work': { session: { type: 'weston', width: 640, height: 400 } },
        'e2e-bank': {},
        'e2e-broken': {},
        'e2e-gone': {},
      },
    },
  };
  panel = await startPanel(session, {
    config: `// written by the test\n${JSON.stringify(config)}`,
  });
  cleanUps.push(() => panel.stop());
});

after(async () => {
  for (const cleanUp of cleanUps.reverse()) await cleanUp();
});

test('the state lists the real containers with their real states', async () => {
  const state = await panel.waitForState('the first listing', (s) => s.containers.listed);
  assert.deepEqual(
    state.containers.containers.map((container) => [container.name, container.state]),
    [
      ['e2e-work', await lxc.state('e2e-work')],
      ['e2e-bank', await lxc.state('e2e-bank')],
      ['e2e-broken', 'STOPPED'],
      ['e2e-gone', 'MISSING'],
    ],
  );
  assert.equal(containerOf(state, 'e2e-bank').state, 'RUNNING');
  assert.equal(containerOf(state, 'e2e-work').state, 'STOPPED');
  assert.deepEqual(
    state.bars.map((bar) => [bar.output, bar.layerShell, bar.height]),
    [['HEADLESS-1', true, 28]],
  );
});

test('a click on a stopped container starts it and launches its nested Weston', async () => {
  const state = await panel.request(
    { command: 'activate', module: 'containers', item: 'e2e-work' },
    30_000,
  );
  assert.equal(await lxc.state('e2e-work'), 'RUNNING');
  const running = containerOf(state, 'e2e-work').running;
  assert.ok(running, 'the container has no session');
  assert.equal(running.type, 'weston');

  const withWindow = await panel.waitForState('the session window', (s) =>
    s.sway.views.some((view) => view.pid === running.pid),
  );
  assert.equal(containerOf(withWindow, 'e2e-work').running?.status, 'running');
  const owned = withWindow.windows.groups.find((group) => group.owner === 'e2e-work');
  assert.deepEqual(
    owned?.windows.map((window) => [window.pid, window.ownedBy]),
    [[running.pid, 'session']],
  );
  const tree = JSON.parse(await session.swaymsg('-t', 'get_tree', '-r')) as unknown;
  assert.match(JSON.stringify(tree), new RegExp(`"pid":${running.pid}\\b`));
});

test('a second click focuses the session instead of starting another', async () => {
  const before = containerOf(await panel.state(), 'e2e-work').running;
  const state = await panel.request({
    command: 'activate',
    module: 'containers',
    item: 'e2e-work',
  });
  assert.equal(containerOf(state, 'e2e-work').running?.pid, before?.pid);
  const focused = state.sway.focusedView;
  assert.equal(focused?.pid, before?.pid);
});

test('an lxc-start that fails shows its reason on the container and the panel goes on', async () => {
  await assert.rejects(
    panel.request({ command: 'activate', module: 'containers', item: 'e2e-broken' }),
    /e2e-broken/,
  );
  const state = await panel.state();
  const broken = containerOf(state, 'e2e-broken');
  assert.equal(broken.state, 'STOPPED');
  assert.ok(broken.error !== null && broken.error.length > 0, 'no error on the container');
  const lines = panel
    .log()
    .split('\n')
    .filter((line) => line.includes('e2e-broken:'));
  assert.equal(lines.length, 1, `log lines about e2e-broken:\n${lines.join('\n')}`);
  assert.ok(containerOf(state, 'e2e-gone').error !== null);
});

test('activating a workspace switches to exactly that name, spaces and all', async () => {
  await panel.request({ command: 'activate', module: 'workspaces', item: '1  x' });
  const workspaces = JSON.parse(await session.swaymsg('-t', 'get_workspaces', '-r')) as {
    name: string;
    focused: boolean;
  }[];
  assert.equal(workspaces.find((workspace) => workspace.focused)?.name, '1  x');
  // The panel's state follows Sway's event a moment after the command's reply.
  const state = await panel.waitForState('the workspace in the state', (s) =>
    s.sway.workspaces.some((workspace) => workspace.name === '1  x' && workspace.focused),
  );
  assert.equal(state.sway.workspaces.length, 2);
  await panel.request({ command: 'activate', module: 'workspaces', item: '1' });
});

test('the screenshot shows the bar at the top with workspace and container buttons', async () => {
  // Renders wait for the next frame; a short wait lets the last one reach the screen.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await session.screenshot(join(OUTPUT, 'panel.png'));
  const ppm = join(OUTPUT, 'panel.ppm');
  await session.screenshot(ppm);
  const image = readPpm(ppm);
  assert.deepEqual([image.width, image.height], [1280, 720]);

  const bar = { x: 0, y: 0, width: image.width, height: 28 };
  // The bar's background fills most of its strip, and text makes many shades in it.
  assert.ok(countColour(image, BAR_BACKGROUND, bar) > bar.width * bar.height * 0.4);
  assert.ok(distinctColours(image, bar) > 20, 'the bar holds no text');
  // Exactly the bar's height: its background is at row 27 and gone at row 28.
  const edge = { x: 0, y: 27, width: 4, height: 1 };
  assert.equal(countColour(image, BAR_BACKGROUND, edge), 4);
  assert.equal(countColour(image, BAR_BACKGROUND, { ...edge, y: 28 }), 0);

  assert.ok(countColour(image, FOCUSED_WORKSPACE, bar) > 50, 'no focused workspace button');
  assert.ok(countColour(image, RUNNING_MARK, bar) > 20, 'no running container button');
  assert.ok(countColour(image, FAILED_BACKGROUND, bar) > 50, 'the failed container is not marked');
});
